-- The direct (page by page) scan and the executor scan give identical members; the direct scan is
-- used only where it may be: plain tables, no row-level security for the caller, every used column
-- readable, text columns with deterministic collations.
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;  -- serial here; sql/parallel.sql covers parallel scans
SELECT setseed(0.5);
CREATE TABLE sp_events (user_id int, event text, ts timestamptz, price numeric, qty int2,
                        weight float4, score float8, big bigint, category varchar(20), note text);
INSERT INTO sp_events
SELECT 1 + (random() * 400)::int,
       (ARRAY['payment_successful', 'cart_added', 'product_viewed', 'checkout_started'])[1 + (random() * 3)::int],
       '2026-01-01 00:00+00'::timestamptz + random() * interval '200 days',
       CASE WHEN random() < 0.05 THEN NULL
            WHEN random() < 0.02 THEN 'NaN'::numeric
            WHEN random() < 0.3 THEN round((random() * 100000)::numeric, 4)   -- many decimals
            WHEN random() < 0.1 THEN (random() * 1e20)::numeric               -- beyond the fast path
            ELSE round((random() * 5000)::numeric, 2) END,
       (random() * 10)::int2, (random() * 10)::float4, random() * 100, (random() * 1e12)::bigint,
       (ARRAY['books', 'electronics', 'fashion', NULL])[1 + (random() * 3)::int],
       repeat('x', (random() * 3000)::int)                                   -- some values toasted
FROM generate_series(1, 20000);
INSERT INTO sp_events VALUES (NULL, 'payment_successful', '2026-02-01', 1, 1, 1, 1, 1, 'books', NULL),
                             (7, 'payment_successful', NULL, 1, 1, 1, 1, 1, 'books', NULL),
                             (8, NULL, '2026-02-01', 1, 1, 1, 1, 1, 'books', NULL),
                             (9, 'payment_successful', '2026-02-01', '-123456.7891', 1, 1, 1, 1, 'books', NULL),
                             (9, 'payment_successful', '2026-02-01', 'Infinity', 1, 1, 1, 1, 'books', NULL);
CREATE TABLE sp_customers AS
SELECT u AS user_id, (18 + random() * 60)::int AS age, (random() * 40)::int AS email_opens,
       (random() * 40)::int AS website_visits, (random() * 30)::int AS total_purchases,
       round(random()::numeric, 3) AS churn_score,
       (ARRAY['high', 'Medium', 'low', NULL])[1 + (random() * 3)::int] AS risk_level
FROM generate_series(1, 420) u;

CREATE TABLE sp_defs (id serial, d cohort.definition);
INSERT INTO sp_defs (d) VALUES
  ('[{"action": "payment_successful", "operation": "sum", "property": "price", "condition": ">=", "value": 20000, "timeframe": 60}]'),
  ('[{"action": "payment_successful", "operation": "avg", "property": "price", "condition": "between", "value": [1000, 3000]}]'),
  ('[{"action": "cart_added", "operation": "max", "property": "weight", "condition": ">", "value": 9.5, "logic": "OR"},
    {"action": "payment_successful", "operation": "min", "property": "qty", "condition": "=", "value": 0}]'),
  ('[{"action": "product_viewed", "operation": "count_distinct", "property": "category", "condition": ">=", "value": 3}]'),
  ('[{"action": "product_viewed", "operation": "count", "property": "category", "condition": ">=", "value": 8, "timeframe": 30}]'),
  ('{"performed": {"event": "checkout_started", "aggregate": "sum", "property": "big", "op": ">", "value": 5e12, "where": {"category": ["books", "fashion"]}}}'),
  ('{"not": {"performed": {"event": "payment_successful", "aggregate": "sum", "property": "score", "op": ">=", "value": 300}}}'),
  ('{"all": [{"engagement_level": "medium"}, {"performed": {"event": "cart_added", "op": ">=", "value": 3}}]}'),
  ('{"any": [{"churn_risk_level": "high"}, {"min_age": 70}]}'),
  ('{"performed": {"event": "payment_successful", "aggregate": "max", "property": "price", "op": ">=", "value": 1e19}}'),
  ('{"performed": {"event": "payment_successful", "aggregate": "min", "property": "price", "op": "<", "value": 0}}');

-- Every definition, with and without customers, both paths: identical members.
CREATE FUNCTION pg_temp.members(d cohort.definition, with_customers boolean, direct boolean, OUT m bigint[], OUT path text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  IF with_customers THEN
    SELECT array_agg(user_id) INTO m FROM cohort.evaluate(d, 'sp_events', 'sp_customers', '2026-05-01');
  ELSE
    SELECT array_agg(user_id) INTO m FROM cohort.evaluate(d, 'sp_events', NULL, '2026-05-01');
  END IF;
  SELECT events_scan || '/' || customers_scan INTO path FROM cohort.last_evaluation();
END $$;
BEGIN;
SELECT id, with_customers, (a).path AS direct_path, (b).path AS executor_path,
       coalesce(cardinality((a).m), 0) AS members, (a).m IS NOT DISTINCT FROM (b).m AS identical
  FROM sp_defs, (VALUES (true), (false)) w(with_customers),
       LATERAL pg_temp.members(d, with_customers, true) a, LATERAL pg_temp.members(d, with_customers, false) b
 WHERE with_customers OR NOT (d::jsonb::text ~ 'level|attribute')
 ORDER BY id, with_customers;
COMMIT;

-- MVCC: the direct scan sees exactly the query's snapshot (own inserts and deletes included).
BEGIN;
INSERT INTO sp_events VALUES (100000, 'payment_successful', '2026-03-01', 5, 1, 1, 1, 1, 'books', NULL);
SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "payment_successful", "op": ">=", "value": 1}}', 'sp_events')
 WHERE user_id = 100000;
DELETE FROM sp_events WHERE user_id = 100000;
UPDATE sp_events SET user_id = 100001 WHERE user_id = 9;
SELECT array_agg(user_id) FROM cohort.evaluate('{"performed": {"event": "payment_successful", "op": ">=", "value": 1}}', 'sp_events')
 WHERE user_id IN (9, 100000, 100001);
SELECT events_scan FROM cohort.last_evaluation();
ROLLBACK;

-- Where the direct scan may not be used.
CREATE VIEW sp_events_view AS SELECT * FROM sp_events;
SELECT count(*) FROM cohort.evaluate('{"all": []}', 'sp_events_view');
SELECT events_scan FROM cohort.last_evaluation();
CREATE ROLE regress_cohort_scan;
GRANT SELECT ON sp_events, sp_customers TO regress_cohort_scan;
ALTER TABLE sp_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY low_ids ON sp_events TO regress_cohort_scan USING (user_id < 100);
SET ROLE regress_cohort_scan;
SELECT count(*) AS visible_users FROM cohort.evaluate('{"all": []}', 'sp_events');
SELECT events_scan FROM cohort.last_evaluation();
RESET ROLE;
-- The owner is not subject to the policy (no FORCE): direct.
SELECT count(*) AS all_users FROM cohort.evaluate('{"all": []}', 'sp_events');
SELECT events_scan FROM cohort.last_evaluation();
ALTER TABLE sp_events DISABLE ROW LEVEL SECURITY;
-- Column privileges: only some columns granted; with all used columns readable, direct.
REVOKE SELECT ON sp_events FROM regress_cohort_scan;
GRANT SELECT (user_id, event, ts) ON sp_events TO regress_cohort_scan;
SET ROLE regress_cohort_scan;
SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', 'sp_events');
SELECT events_scan FROM cohort.last_evaluation();
RESET ROLE;
-- A nondeterministic collation on a filtered column: the executor decides equality.
DROP VIEW sp_events_view;
CREATE COLLATION sp_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
ALTER TABLE sp_events ALTER COLUMN category TYPE varchar(20) COLLATE sp_ci;
SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "cart_added", "op": ">=", "value": 1, "where": {"category": "BOOKS"}}}', 'sp_events');
SELECT events_scan FROM cohort.last_evaluation();
SET cohort.direct_scan = off;
SELECT count(*) FROM cohort.evaluate('{"all": []}', 'sp_events');
SELECT events_scan FROM cohort.last_evaluation();
RESET cohort.direct_scan;

-- The state memory limit ends in a clean error, and the session goes on.
SET cohort.state_memory_limit = '8kB';
\set VERBOSITY default
SELECT count(*) FROM cohort.evaluate('{"all": []}', 'sp_events', NULL, '2026-05-01');
RESET cohort.state_memory_limit;
SELECT count(*) > 0 AS works_again FROM cohort.evaluate('{"all": []}', 'sp_events', NULL, '2026-05-01');

DROP OWNED BY regress_cohort_scan;
DROP ROLE regress_cohort_scan;

-- An inheritance parent is read through the executor, children included (a heap scan of the
-- parent alone would miss them); its children read directly.
CREATE TABLE sp_parent (user_id int, event text, ts timestamptz);
CREATE TABLE sp_child () INHERITS (sp_parent);
INSERT INTO sp_parent VALUES (1, 'buy', '2026-01-01');
INSERT INTO sp_child VALUES (2, 'buy', '2026-01-01');
SELECT array_agg(user_id ORDER BY user_id) AS members
  FROM cohort.evaluate('[{"action": "buy", "condition": ">=", "value": 1}]', 'sp_parent', NULL, '2026-05-01');
SELECT events_scan FROM cohort.last_evaluation();
SELECT array_agg(user_id ORDER BY user_id) AS members
  FROM cohort.evaluate('[{"action": "buy", "condition": ">=", "value": 1}]', 'sp_child', NULL, '2026-05-01');
SELECT events_scan FROM cohort.last_evaluation();
DROP TABLE sp_parent CASCADE;

-- last_evaluation() in a fresh session, before any evaluation, reports nothing done.
\c
SELECT * FROM cohort.last_evaluation();
