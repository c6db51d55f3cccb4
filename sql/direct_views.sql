-- Views read directly: a view that is one table's (or partitioned table's) rows filtered by its
-- WHERE clause, each column cohort reads a plain column of that table, is read through that table
-- page by page, with the view's WHERE checked on each row, its owner's rights and row-level
-- security (the caller's for a security_invoker view). Every result is checked against the
-- executor path (cohort.direct_scan = off) and against plain SQL over the view; other views
-- still take the executor path.
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.5);

-- The user's own table, with other column names (and a column named ts that is not the time).
CREATE TABLE dv_raw (note text, uid bigint, kind text, at timestamptz, amount numeric, channel text, ts timestamptz);
INSERT INTO dv_raw
SELECT repeat('n', (random() * 40)::int),
       CASE WHEN random() < 0.01 THEN NULL ELSE 1 + (random() * 300)::int END,
       (ARRAY['payment_successful', 'cart_added', 'product_viewed'])[1 + (random() * 2)::int],
       '2025-11-01 00:00+00'::timestamptz + random() * interval '300 days',
       CASE WHEN random() < 0.1 THEN NULL ELSE round((random() * 900)::numeric, 2) END,
       (ARRAY['web', 'app', 'store', NULL])[1 + (random() * 3)::int],
       '2020-01-01 00:00+00'
FROM generate_series(1, 15000);
VACUUM ANALYZE dv_raw;
CREATE TABLE dv_people (age int, user_ref bigint, tier text, score float8);
INSERT INTO dv_people SELECT 18 + (u * 7) % 60, u, (ARRAY['low', ' High', NULL])[1 + u % 3], (u % 8) / 8.0 FROM generate_series(1, 320) u;

-- Views that are read directly: renaming (columns in another order), filtering, filtering on a
-- column not selected, with a stable function in the WHERE clause, security_barrier.
CREATE VIEW dv_renamed AS SELECT uid AS user_id, at AS ts, kind AS event, amount AS price, channel AS category FROM dv_raw;
CREATE VIEW dv_filtered AS
  SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_raw WHERE channel IN ('web', 'app') AND amount IS DISTINCT FROM 13;
CREATE VIEW dv_stable AS
  SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_raw WHERE at <= now() AND length(note) < 30;
CREATE VIEW dv_barrier WITH (security_barrier) AS
  SELECT uid AS user_id, kind AS event, at AS ts, amount AS price, channel AS category FROM dv_raw WHERE uid % 5 <> 0;
CREATE VIEW dv_customers AS SELECT user_ref AS user_id, age, tier AS risk_level, score AS churn_score FROM dv_people WHERE age < 70;
-- Views the executor reads: a computed column, DISTINCT, a volatile WHERE, ONLY, LIMIT, a join,
-- UNION ALL, a view over a view, a volatile function in a column cohort does not read (a query on
-- the view runs it on every row), ORDER BY.
CREATE VIEW dv_computed AS SELECT uid AS user_id, lower(kind) AS event, at AS ts, amount AS price FROM dv_raw;
CREATE VIEW dv_distinct AS SELECT DISTINCT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_raw;
CREATE VIEW dv_volatile AS SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_raw WHERE random() >= 0;
CREATE VIEW dv_only AS SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM ONLY dv_raw;
CREATE VIEW dv_limited AS SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_raw LIMIT 100000;
CREATE VIEW dv_joined AS
  SELECT r.uid AS user_id, r.kind AS event, r.at AS ts, r.amount AS price FROM dv_raw r JOIN dv_people p ON p.user_ref = r.uid;
CREATE VIEW dv_union AS
  SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_raw WHERE channel = 'web'
  UNION ALL SELECT uid, kind, at, amount FROM dv_raw WHERE channel IS DISTINCT FROM 'web';
CREATE VIEW dv_nested AS SELECT user_id, event, ts, price FROM dv_filtered;
CREATE VIEW dv_volatile_column AS SELECT uid AS user_id, kind AS event, at AS ts, amount AS price, random() AS r FROM dv_raw;
CREATE VIEW dv_ordered AS SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_raw ORDER BY at;

-- Members and scan paths of a definition, on the direct path or the executor's.
CREATE FUNCTION pg_temp.members(d cohort.definition, direct boolean, events regclass, customers regclass,
                                OUT m bigint[], OUT path text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id ORDER BY user_id) INTO m FROM cohort.evaluate(d, events, customers, '2026-06-20');
  SELECT events_scan || coalesce('/' || customers_scan, '') INTO path FROM cohort.last_evaluation();
END $$;
-- The rows of a plain-SQL query over `events` (substituted for %s), for comparison.
CREATE FUNCTION pg_temp.hand_rows(q text, events regclass) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE format(q, events); END $$;

CREATE TABLE dv_defs (id int, d cohort.definition, hand text);
INSERT INTO dv_defs VALUES
 (1, '{"performed": {"event": "payment_successful", "aggregate": "sum", "property": "price", "op": ">=", "value": 1500, "days": 45}}',
  $$SELECT user_id FROM %s WHERE event = 'payment_successful' AND ts BETWEEN '2026-06-20'::timestamptz - interval '45 days' AND '2026-06-20'
     AND user_id IS NOT NULL GROUP BY user_id HAVING sum(price) >= 1500$$),
 (2, '{"all": [{"performed": {"event": "cart_added", "op": ">=", "value": 3}},
               {"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1, "days": 20}}}]}',
  $$SELECT user_id FROM %s WHERE ts <= '2026-06-20' AND user_id IS NOT NULL GROUP BY user_id
     HAVING count(*) FILTER (WHERE event = 'cart_added') >= 3
        AND NOT count(*) FILTER (WHERE event = 'payment_successful' AND ts >= '2026-06-20'::timestamptz - interval '20 days') >= 1$$),
 (3, '{"performed": {"event": "product_viewed", "aggregate": "max", "property": "price", "op": ">", "value": 850, "days": 100}}',
  $$SELECT user_id FROM %s WHERE event = 'product_viewed' AND ts BETWEEN '2026-06-20'::timestamptz - interval '100 days' AND '2026-06-20'
     AND user_id IS NOT NULL GROUP BY user_id HAVING max(price) > 850$$);

-- Every view, every definition: the same members on both paths and in plain SQL over the view.
SELECT v AS view, id, (a).path AS path, (b).path AS executor_path, cardinality((a).m) AS members,
       (a).m IS NOT DISTINCT FROM (b).m AS same_as_executor,
       (a).m IS NOT DISTINCT FROM (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand, v) u) AS same_as_sql
  FROM unnest(ARRAY['dv_renamed', 'dv_filtered', 'dv_stable', 'dv_barrier', 'dv_computed', 'dv_distinct', 'dv_volatile',
                    'dv_only', 'dv_limited', 'dv_joined', 'dv_union', 'dv_nested', 'dv_volatile_column',
                    'dv_ordered']::regclass[]) v,
       dv_defs,
       LATERAL pg_temp.members(d, true, v, NULL) a,
       LATERAL pg_temp.members(d, false, v, NULL) b
 ORDER BY v::text, id;

-- A property filter on a renamed column, and the customers through a filtering, renaming view.
SELECT (a).path, cardinality((a).m) AS members, (a).m = (b).m AS same_as_executor,
       (a).m = (SELECT array_agg(user_id ORDER BY user_id) FROM (
          SELECT e.user_id FROM dv_renamed e JOIN dv_customers c USING (user_id)
           WHERE e.event = 'cart_added' AND e.category = 'web' AND e.ts <= '2026-06-20' AND c.age BETWEEN 25 AND 50
           GROUP BY e.user_id HAVING count(*) >= 2) s) AS same_as_sql
  FROM LATERAL pg_temp.members('{"all": [{"performed": {"event": "cart_added", "op": ">=", "value": 2, "where": {"category": "web"}}},
                                         {"min_age": 25, "max_age": 50}]}', true, 'dv_renamed', 'dv_customers') a,
       LATERAL pg_temp.members('{"all": [{"performed": {"event": "cart_added", "op": ">=", "value": 2, "where": {"category": "web"}}},
                                         {"min_age": 25, "max_age": 50}]}', false, 'dv_renamed', 'dv_customers') b;
-- The customers' statistics through the view: as over the table with the view's filter.
SELECT total_customers, high_risk_count, avg_churn_score,
       (total_customers, high_risk_count, avg_churn_score) =
         (SELECT count(*), count(*) FILTER (WHERE lower(trim(tier)) = 'high'), avg(score)
            FROM dv_people WHERE age < 70 AND age BETWEEN 30 AND 40) AS same_as_sql
  FROM cohort.member_statistics(ARRAY['{"min_age": 30, "max_age": 40}']::cohort.definition[], 'dv_renamed', 'dv_customers', '2026-06-20');
SELECT customers_scan FROM cohort.last_evaluation();
-- funnel_levels through the filtering view (directly: it reports no scan path, but takes the
-- evaluations' source): the levels of the window_funnel aggregate over it.
SELECT count(*) AS users, count(*) FILTER (WHERE f.level = a.level) AS same_level
  FROM cohort.funnel_levels('dv_filtered', '7 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-06-20') f
  FULL JOIN (SELECT user_id, cohort.window_funnel('7 days', ts, event = 'product_viewed', event = 'cart_added', event = 'payment_successful') AS level
               FROM dv_filtered WHERE ts <= '2026-06-20' AND user_id IS NOT NULL GROUP BY user_id) a USING (user_id);

-- A BRIN index on the table's own time column lets the scan skip pages through the view too.
CREATE TABLE dv_by_time AS SELECT * FROM dv_raw ORDER BY at;
CREATE INDEX ON dv_by_time USING brin (at) WITH (pages_per_range = 1);
VACUUM ANALYZE dv_by_time;
CREATE VIEW dv_by_time_view AS SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_by_time;
SELECT (a).path, (a).m = (b).m AS same_as_executor,
       (a).m = (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand, 'dv_by_time_view') u) AS same_as_sql
  FROM dv_defs, LATERAL pg_temp.members(d, true, 'dv_by_time_view', NULL) a, LATERAL pg_temp.members(d, false, 'dv_by_time_view', NULL) b
 WHERE id = 1;
SELECT count(*) FROM cohort.evaluate((SELECT d FROM dv_defs WHERE id = 1), 'dv_by_time_view', NULL, '2026-06-20');
SELECT events_scan, pages_skipped > 0 AS pages_skipped FROM cohort.last_evaluation();

-- Parallel workers read the table behind the view, checking its WHERE (parallel safe) too.
ALTER TABLE dv_raw SET (parallel_workers = 2);
SET max_parallel_workers_per_gather = 2;
SET min_parallel_table_scan_size = 0;
SELECT v AS view, id, (a).path, (a).m = (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand, v) u) AS same_as_sql
  FROM unnest(ARRAY['dv_renamed', 'dv_filtered', 'dv_stable']::regclass[]) v, dv_defs, LATERAL pg_temp.members(d, true, v, NULL) a
 ORDER BY v::text, id;
SELECT workers_planned, workers_launched > 0 AS launched FROM cohort.last_evaluation();
-- A WHERE clause with a parallel restricted function: read directly by the leader alone.
CREATE FUNCTION dv_restricted(bigint) RETURNS boolean LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$ SELECT $1 % 3 <> 0 $$;
CREATE VIEW dv_restricted_view AS SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_raw WHERE dv_restricted(uid);
SELECT (a).path, (a).m = (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand, 'dv_restricted_view') u) AS same_as_sql
  FROM dv_defs, LATERAL pg_temp.members(d, true, 'dv_restricted_view', NULL) a WHERE id = 1;
SELECT workers_planned FROM cohort.last_evaluation();
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;

-- A partitioned table behind a renaming view: partitions pruned by the table's own time column
-- (at), not by the column that the table calls ts; the same members as the executor's.
CREATE TABLE dv_parted (uid bigint, kind text, at timestamptz, amount numeric, ts timestamptz) PARTITION BY RANGE (at);
CREATE TABLE dv_parted_old PARTITION OF dv_parted FOR VALUES FROM (MINVALUE) TO ('2026-04-01');
-- (one partition with its columns in another order and a dropped column)
CREATE TABLE dv_parted_new (junk int, ts timestamptz, amount numeric, at timestamptz, kind text, uid bigint);
ALTER TABLE dv_parted_new DROP COLUMN junk;
ALTER TABLE dv_parted ATTACH PARTITION dv_parted_new FOR VALUES FROM ('2026-04-01') TO (MAXVALUE);
INSERT INTO dv_parted SELECT uid, kind, at, amount, '2020-01-01' FROM dv_raw;
-- Its WHERE reads a column and tableoid, mapped to each partition's own.
CREATE VIEW dv_parted_view AS SELECT uid AS user_id, kind AS event, at AS ts, amount AS price FROM dv_parted
  WHERE amount IS DISTINCT FROM 100 AND (tableoid = 'dv_parted_new'::regclass OR kind <> 'cart_added');
-- The partitions an evaluation locks (so reads), seen in pg_locks within its transaction.
CREATE FUNCTION pg_temp.locked_parts(d cohort.definition, OUT parts text, OUT path text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM count(*) FROM cohort.evaluate(d, 'dv_parted_view', NULL, '2026-06-20');
  SELECT string_agg(l.relation::regclass::text, ' ' ORDER BY l.relation::regclass::text) INTO parts
    FROM pg_locks l
   WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.relation::regclass::text LIKE 'dv_parted_%' AND l.relation::regclass::text <> 'dv_parted_view';
  SELECT events_scan INTO path FROM cohort.last_evaluation();
END $$;
SELECT id, (a).path, (a).m = (b).m AS same_as_executor,
       (a).m = (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand, 'dv_parted_view') u) AS same_as_sql
  FROM dv_defs, LATERAL pg_temp.members(d, true, 'dv_parted_view', NULL) a, LATERAL pg_temp.members(d, false, 'dv_parted_view', NULL) b
 ORDER BY id;
SELECT * FROM pg_temp.locked_parts((SELECT d FROM dv_defs WHERE id = 1));
SELECT * FROM pg_temp.locked_parts((SELECT d FROM dv_defs WHERE id = 2));
-- With workers, which take whole partitions in turn.
SET max_parallel_workers_per_gather = 2;
SET min_parallel_table_scan_size = 0;
SELECT id, (a).path, (a).m = (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand, 'dv_parted_view') u) AS same_as_sql
  FROM dv_defs, LATERAL pg_temp.members(d, true, 'dv_parted_view', NULL) a ORDER BY id;
SELECT workers_planned, workers_launched > 0 AS launched FROM cohort.last_evaluation();
SET max_parallel_workers_per_gather = 0;
RESET min_parallel_table_scan_size;

-- Rights: a plain view reads its table with its owner's rights and under its owner's policies; a
-- security_invoker view with the caller's.
CREATE ROLE regress_dv_owner;
CREATE ROLE regress_dv_reader;
GRANT USAGE ON SCHEMA cohort TO regress_dv_reader;
CREATE TABLE dv_secret (uid bigint, kind text, at timestamptz, region text);
INSERT INTO dv_secret SELECT 1 + i % 40, (ARRAY['buy', 'view'])[1 + i % 2], '2026-06-01'::timestamptz + i * interval '1 minute',
                             CASE WHEN i % 40 < 20 THEN 'east' ELSE 'west' END
  FROM generate_series(0, 399) i;
ALTER TABLE dv_secret OWNER TO regress_dv_owner;
ALTER TABLE dv_secret ENABLE ROW LEVEL SECURITY;
ALTER TABLE dv_secret FORCE ROW LEVEL SECURITY;
CREATE POLICY dv_east ON dv_secret TO regress_dv_owner USING (region = 'east');
CREATE POLICY dv_west ON dv_secret TO regress_dv_reader USING (region = 'west');
CREATE VIEW dv_owner_view AS SELECT uid AS user_id, kind AS event, at AS ts FROM dv_secret WHERE uid % 3 <> 0;
CREATE VIEW dv_invoker_view WITH (security_invoker) AS SELECT uid AS user_id, kind AS event, at AS ts FROM dv_secret WHERE uid % 3 <> 0;
ALTER VIEW dv_owner_view OWNER TO regress_dv_owner;
ALTER VIEW dv_invoker_view OWNER TO regress_dv_owner;
GRANT SELECT ON dv_owner_view, dv_invoker_view TO regress_dv_reader;
CREATE FUNCTION pg_temp.try_members(events regclass, direct boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  m bigint[];
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id ORDER BY user_id) INTO m
    FROM cohort.evaluate(CASE WHEN events::text = 'dv_columns_view' AND current_setting('dv.filter', true) = 'on'
                              THEN '{"performed": {"event": "buy", "op": ">=", "value": 1, "where": {"category": "east"}}}'
                              ELSE '{"performed": {"event": "buy", "op": ">=", "value": 1}}' END::cohort.definition,
                         events, NULL, '2026-06-20');
  RETURN (SELECT events_scan FROM cohort.last_evaluation()) || ' ' || coalesce(m::text, 'none');
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
ALTER TABLE dv_secret SET (parallel_workers = 2);
SET ROLE regress_dv_reader;
-- Buyers are the odd users; the views keep those not divisible by 3. The owner's policy (east:
-- users 1..20) on the plain view; the reader's (west: users 21..40) on the invoker view, whose
-- table the reader may not read yet.
SELECT pg_temp.try_members('dv_owner_view', true) AS direct, pg_temp.try_members('dv_owner_view', false) AS executor;
SELECT pg_temp.try_members('dv_invoker_view', true) AS direct, pg_temp.try_members('dv_invoker_view', false) AS executor;
-- Two workers check the owner's policy and the view's WHERE too.
SET max_parallel_workers_per_gather = 2;
SET min_parallel_table_scan_size = 0;
SELECT pg_temp.try_members('dv_owner_view', true) AS direct;
SELECT workers_launched > 0 AS launched FROM cohort.last_evaluation();
SET max_parallel_workers_per_gather = 0;
RESET min_parallel_table_scan_size;
-- With row_security off, the executor's error on both paths.
SET row_security = off;
SELECT pg_temp.try_members('dv_owner_view', true) AS direct, pg_temp.try_members('dv_owner_view', false) AS executor;
RESET row_security;
RESET ROLE;
-- Column rights on the view itself: the reader may read its user_id, event and ts, not region.
CREATE VIEW dv_columns_view AS SELECT uid AS user_id, kind AS event, at AS ts, region AS category FROM dv_secret;
ALTER VIEW dv_columns_view OWNER TO regress_dv_owner;
GRANT SELECT (user_id, event, ts) ON dv_columns_view TO regress_dv_reader;
SET ROLE regress_dv_reader;
SELECT pg_temp.try_members('dv_columns_view', true) AS direct, pg_temp.try_members('dv_columns_view', false) AS executor;
-- A filter on the column not granted: refused on both paths.
SET dv.filter = on;
SELECT pg_temp.try_members('dv_columns_view', true) AS direct, pg_temp.try_members('dv_columns_view', false) AS executor;
RESET dv.filter;
RESET ROLE;
GRANT SELECT (uid, kind, at) ON dv_secret TO regress_dv_reader;
SET ROLE regress_dv_reader;
-- With SELECT on the columns the invoker view reads (region, which only the reader's policy
-- reads, needs no grant), the reader's policy applies on both paths.
SELECT pg_temp.try_members('dv_invoker_view', true) AS direct, pg_temp.try_members('dv_invoker_view', false) AS executor;
RESET ROLE;
-- Without the owner's right to read the table, the plain view fails on both paths alike.
REVOKE SELECT ON dv_secret FROM regress_dv_owner;
SET ROLE regress_dv_reader;
SELECT pg_temp.try_members('dv_owner_view', true) AS direct, pg_temp.try_members('dv_owner_view', false) AS executor;
RESET ROLE;
GRANT SELECT ON dv_secret TO regress_dv_owner;
-- A column the view reads but cohort does not (region, in no view column) needs the owner's right
-- too, as the executor checks every column of the view's query.
REVOKE SELECT ON dv_secret FROM regress_dv_owner;
GRANT SELECT (uid, kind, at) ON dv_secret TO regress_dv_owner;
CREATE VIEW dv_region_view AS SELECT uid AS user_id, kind AS event, at AS ts FROM dv_secret WHERE region IS NOT NULL;
ALTER VIEW dv_region_view OWNER TO regress_dv_owner;
GRANT SELECT ON dv_region_view TO regress_dv_reader;
SET ROLE regress_dv_reader;
SELECT pg_temp.try_members('dv_region_view', true) AS direct, pg_temp.try_members('dv_region_view', false) AS executor;
-- The reader without SELECT on a view: refused before anything is read.
SELECT pg_temp.try_members('dv_renamed', true) AS direct;
RESET ROLE;

DROP VIEW dv_region_view, dv_owner_view, dv_invoker_view, dv_columns_view;
DROP TABLE dv_secret;
DROP FUNCTION pg_temp.try_members(regclass, boolean);
REVOKE USAGE ON SCHEMA cohort FROM regress_dv_reader;
DROP ROLE regress_dv_owner;
DROP ROLE regress_dv_reader;
DROP VIEW dv_renamed, dv_filtered, dv_stable, dv_barrier, dv_customers, dv_computed, dv_distinct, dv_volatile, dv_only,
          dv_limited, dv_joined, dv_union, dv_nested, dv_volatile_column, dv_ordered, dv_restricted_view, dv_parted_view,
          dv_by_time_view;
DROP FUNCTION dv_restricted(bigint);
DROP TABLE dv_raw, dv_people, dv_parted, dv_by_time, dv_defs;
