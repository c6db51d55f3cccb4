-- The cohort catalog: the customers app's checklist, walked through in psql, as two ordinary roles.
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
CREATE ROLE regress_cohort_ann LOGIN;
CREATE ROLE regress_cohort_ben LOGIN;
CREATE SCHEMA shop;
GRANT USAGE ON SCHEMA shop TO regress_cohort_ann, regress_cohort_ben;
CREATE TABLE shop.events (user_id bigint, event text, ts timestamptz, price numeric);
CREATE TABLE shop.customers (user_id bigint, age int, email_opens int, website_visits int, total_purchases int,
                             churn_score float8, risk_level text, region text);
INSERT INTO shop.events
  SELECT u, 'payment_successful', '2026-06-01 00:00+00'::timestamptz - (u || ' days')::interval, 1000 * u
  FROM generate_series(1, 20) u;
INSERT INTO shop.customers
  SELECT u, 20 + u * 2, u * 3, u * 2, u, u / 20.0,
         CASE WHEN u % 3 = 0 THEN 'high' WHEN u % 3 = 1 THEN 'medium' ELSE 'low' END,
         CASE WHEN u <= 10 THEN 'east' ELSE 'west' END
  FROM generate_series(1, 20) u;
GRANT SELECT ON shop.events, shop.customers TO regress_cohort_ann, regress_cohort_ben;
-- Ben's policy will hide the west from him.
ALTER TABLE shop.customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY ann_all ON shop.customers TO regress_cohort_ann USING (true);
CREATE POLICY ben_east ON shop.customers TO regress_cohort_ben USING (region = 'east');

SET ROLE regress_cohort_ann;
-- Without sources, a cohort is saved without statistics; other calls say what is missing.
SELECT cohort.create('Big spenders', '[{"action": "payment_successful", "operation": "sum", "property": "price", "condition": ">=", "value": 15000}]') AS id \gset
SELECT name, total_customers, last_calculated IS NULL AS never_calculated FROM cohort.get(:id);
SELECT * FROM cohort.members(:id);
SELECT cohort.set_sources('shop.events', 'shop.customers');
-- Create: statistics are computed at once.
SELECT cohort.create('Engaged adults', '{"engagement_level": "high", "min_age": 30, "max_age": 60}',
                     'High engagement, 30 to 60') AS engaged \gset
SELECT name, description, total_customers, avg_churn_score, high_risk_count, medium_risk_count, low_risk_count,
       last_calculated IS NOT NULL AS calculated
  FROM cohort.get(:engaged);
-- The statistics equal a plain-SQL computation over the same members.
SELECT count(*) AS total, avg(churn_score) AS avg_churn, count(*) FILTER (WHERE risk_level = 'high') AS high
  FROM shop.customers
 WHERE age BETWEEN 30 AND 60 AND email_opens * 0.3 + website_visits * 0.4 + total_purchases * 0.3 >= 20;
-- Recalculate.
SELECT * FROM cohort.recalculate(:id);
SELECT * FROM cohort.recalculate_all() ORDER BY id;
SELECT array_agg(user_id ORDER BY user_id) FROM cohort.members(:id);
SELECT array_agg(user_id ORDER BY user_id) FROM cohort.members(:id, as_of => '2026-05-15 00:00+00');
-- Names are unique among active cohorts, ignoring case: 23505 naming the cohort.
\set VERBOSITY default
SELECT cohort.create('BIG SPENDERS', '{"min_age": 1}');
SELECT cohort.create('   ', '{"min_age": 1}');
SELECT cohort.create('No definition', NULL);
SELECT cohort.create('Bad definition', '{"min_age": "ten"}');
-- Update changes only what is given; a new definition recomputes statistics.
SELECT name, description, total_customers FROM cohort.update(:engaged, description => 'Renamed later');
SELECT name, description, total_customers, updated_at >= created_at AS bumped
  FROM cohort.update(:engaged, name => 'Engaged', definition => '{"engagement_level": "high"}');
SELECT cohort.update(:engaged, name => 'big spenders');
SELECT name FROM cohort.get(:engaged);
-- Soft delete, list, restore, purge.
SELECT cohort.delete(:id);
SELECT name, is_active, deleted_at IS NOT NULL AS deleted FROM cohort.get(:id);
SELECT name FROM cohort.list();
SELECT name, is_active FROM cohort.list(include_deleted => true);
SELECT cohort.create('big spenders', '{"min_age": 1}') AS clash \gset
SELECT cohort.restore(:id);
SELECT cohort.purge(:clash);
SELECT cohort.restore(:id);
SELECT name, is_active FROM cohort.list(include_deleted => true);
-- Search matches name or description, ignoring case; level filters match the criteria.
SELECT cohort.create('Churn watch', '{"churn_risk_level": "high", "engagement_level": "low"}', 'At-risk, disengaged');
SELECT name FROM cohort.list(search => 'DISENGAGED');
SELECT name FROM cohort.list(search => 'spend');
SELECT name FROM cohort.list(engagement_level => 'high');
SELECT name FROM cohort.list(churn_risk_level => 'HIGH');
SELECT name FROM cohort.list(search => '%');
SELECT name FROM cohort.list(engagement_level => 'extreme');
-- The overview, for people and BI tools.
SELECT name, criteria, total_customers, avg_churn_score, high_risk_share, medium_risk_share, low_risk_share,
       risk_distribution
  FROM cohort.overview ORDER BY id;
SELECT cohort.risk_bar(1, 1, 2, 8), cohort.risk_bar(0, 0, 0), cohort.risk_bar(3, 0, 0, 5);
-- Every failed call changed nothing.
SELECT count(*), count(*) FILTER (WHERE is_active) AS active FROM cohort.cohorts;
RESET ROLE;

-- Ben: the same names are his to use; Ann's cohorts do not exist for him.
SET ROLE regress_cohort_ben;
SELECT cohort.set_sources('shop.events', 'shop.customers');
SELECT cohort.create('Engaged', '{"engagement_level": "high"}') AS ben_engaged \gset
SELECT cohort.create('big spenders', '[{"action": "payment_successful", "operation": "sum", "property": "price", "condition": ">=", "value": 8000}]');
-- His policy hides the west half of the customers: his statistics count only the east.
SELECT name, total_customers FROM cohort.list() ORDER BY name;
SELECT count(*) FROM cohort.cohorts;
SELECT count(*) FROM cohort.overview;
SELECT * FROM cohort.get(:engaged);
SELECT cohort.update(:engaged, name => 'mine');
SELECT cohort.delete(:engaged);
SELECT cohort.restore(:engaged);
SELECT cohort.purge(:engaged);
SELECT * FROM cohort.members(:engaged);
SELECT * FROM cohort.recalculate(:engaged);
SELECT cohort.delete(999999);
-- Direct DML is bound by the policies too.
UPDATE cohort.cohorts SET name = 'stolen' WHERE id = :engaged RETURNING id;
DELETE FROM cohort.cohorts WHERE id = :engaged RETURNING id;
INSERT INTO cohort.cohorts (owner, name, definition) VALUES ('regress_cohort_ann', 'planted', '{}');
UPDATE cohort.cohorts SET owner = 'regress_cohort_ann' WHERE id = :ben_engaged;
UPDATE cohort.sources SET owner = 'regress_cohort_ann';
RESET ROLE;

-- Ann's cohorts are untouched.
SET ROLE regress_cohort_ann;
SELECT id = :engaged AS same_id, name FROM cohort.get(:engaged);
SELECT count(*) FROM cohort.cohorts;
RESET ROLE;

-- A dropped source is a clear error; set_sources checks columns.
SET ROLE regress_cohort_ann;
CREATE TEMP TABLE not_events (user_id bigint, ts timestamptz);
SELECT cohort.set_sources('not_events');
SELECT cohort.set_sources(NULL);
RESET ROLE;
ALTER TABLE shop.events RENAME TO events_old;
SET ROLE regress_cohort_ann;
SELECT * FROM cohort.recalculate(:engaged);
RESET ROLE;
ALTER TABLE shop.events_old RENAME TO events;

-- The catalog tables are extension configuration, dumped by pg_dump.
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) cfg JOIN pg_class c ON c.oid = cfg
 WHERE e.extname = 'cohort' ORDER BY 1;
SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
 WHERE oid IN ('cohort.cohorts'::regclass, 'cohort.sources'::regclass) ORDER BY 1;

DROP SCHEMA shop CASCADE;
DELETE FROM cohort.cohorts;
DELETE FROM cohort.sources;
DROP OWNED BY regress_cohort_ann, regress_cohort_ben;
DROP ROLE regress_cohort_ann, regress_cohort_ben;

-- Names made only of white space are empty; surrounding tabs and line breaks are trimmed.
SELECT cohort.checked_name(E'\t\n ');
SELECT cohort.checked_name(E'\tWin back\n') = 'Win back' AS trimmed;
-- Negative counts draw as zero; the bar keeps its width.
SELECT cohort.risk_bar(1, -1, 1), length(cohort.risk_bar(1, -1, 1)) AS width;
