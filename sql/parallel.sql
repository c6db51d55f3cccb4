-- Parallel evaluation: workers share the direct heap scan of the events and the leader merges
-- their per-user tables. Members must equal the serial direct scan and the executor scan for every
-- aggregate; workers see the transaction's own uncommitted rows; errors in workers reach the
-- caller with their SQLSTATE and leave the session usable.
SET TimeZone = 'UTC';
SELECT setseed(0.25);
CREATE TABLE par_events (user_id bigint, event text, ts timestamptz, price numeric, category text, note text);
INSERT INTO par_events
SELECT 1 + (random() * 500)::int,
       (ARRAY['payment_successful', 'cart_added', 'product_viewed', 'checkout_started'])[1 + (random() * 3)::int],
       '2026-01-01 00:00+00'::timestamptz + random() * interval '200 days',
       CASE WHEN random() < 0.05 THEN NULL
            WHEN random() < 0.02 THEN 'NaN'::numeric
            ELSE round((random() * 5000)::numeric) END,          -- whole numbers: exact float sums
       (ARRAY['books', 'electronics', 'fashion', NULL])[1 + (random() * 3)::int],
       repeat('x', (random() * 2500)::int)                       -- some rows toasted
FROM generate_series(1, 30000);
CREATE TABLE par_customers AS
SELECT u AS user_id, (18 + random() * 60)::int AS age, (random() * 40)::int AS email_opens,
       (random() * 40)::int AS website_visits, (random() * 30)::int AS total_purchases,
       (ARRAY['high', 'medium', 'low', NULL])[1 + (random() * 3)::int] AS risk_level
FROM generate_series(1, 520) u;
ALTER TABLE par_events SET (parallel_workers = 2);

CREATE TABLE par_defs (id serial, d cohort.definition);
INSERT INTO par_defs (d) VALUES
  ('[{"action": "payment_successful", "operation": "sum", "property": "price", "condition": ">=", "value": 40000, "timeframe": 60},
     {"include": false, "action": "payment_successful", "condition": ">=", "value": 1, "timeframe": 7}]'),
  ('[{"action": "payment_successful", "operation": "avg", "property": "price", "condition": "between", "value": [2000, 3000]}]'),
  ('[{"action": "cart_added", "operation": "max", "property": "price", "condition": ">", "value": 4990, "logic": "OR"},
     {"action": "payment_successful", "operation": "min", "property": "price", "condition": "<", "value": 10}]'),
  ('[{"action": "product_viewed", "operation": "count_distinct", "property": "category", "condition": ">=", "value": 3}]'),
  ('[{"action": "product_viewed", "operation": "count_distinct", "property": "note", "condition": ">=", "value": 30, "timeframe": 120}]'),
  ('{"performed": {"event": "checkout_started", "aggregate": "count", "op": ">=", "value": 18, "where": {"category": ["books", "fashion"]}}}'),
  ('{"all": [{"engagement_level": "medium"}, {"performed": {"event": "cart_added", "op": ">=", "value": 15}}]}'),
  ('{"any": [{"churn_risk_level": "high"}, {"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1, "days": 30}}}]}');

-- Members and scan of one evaluation under the given settings (local to the transaction).
CREATE FUNCTION pg_temp.members(d cohort.definition, with_customers boolean, workers int, leader boolean,
                                direct boolean, OUT m bigint[], OUT path text, OUT planned int, OUT launched int)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
  PERFORM set_config('parallel_leader_participation', leader::text, true);
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  IF with_customers THEN
    SELECT array_agg(user_id) INTO m FROM cohort.evaluate(d, 'par_events', 'par_customers', '2026-06-01');
  ELSE
    SELECT array_agg(user_id) INTO m FROM cohort.evaluate(d, 'par_events', NULL, '2026-06-01');
  END IF;
  SELECT l.events_scan, l.workers_planned, l.workers_launched INTO path, planned, launched
    FROM cohort.last_evaluation() l;
END $$;

-- Every definition: executor, serial direct, parallel with and without the leader taking pages.
BEGIN;
SELECT id, with_customers, (p).path, (p).planned, (p).launched = (p).planned AS all_launched,
       coalesce(cardinality((e).m), 0) AS members,
       (s).path = 'direct' AND (s).m IS NOT DISTINCT FROM (e).m AS serial_identical,
       (p).m IS NOT DISTINCT FROM (e).m AS parallel_identical,
       (w).path = 'direct parallel' AND (w).m IS NOT DISTINCT FROM (e).m AS workers_only_identical
  FROM par_defs, (VALUES (true), (false)) c(with_customers),
       LATERAL pg_temp.members(d, with_customers, 0, true, false) e,
       LATERAL pg_temp.members(d, with_customers, 0, true, true) s,
       LATERAL pg_temp.members(d, with_customers, 2, true, true) p,
       LATERAL pg_temp.members(d, with_customers, 2, false, true) w
 WHERE with_customers OR NOT (d::jsonb::text ~ 'level|attribute')
 ORDER BY id, with_customers;
COMMIT;

-- The reported state memory counts the workers' tables too (all are held until merged).
SET max_parallel_workers_per_gather = 0;
SELECT count(*) > 0 AS some FROM cohort.evaluate((SELECT d FROM par_defs WHERE id = 4), 'par_events', NULL, '2026-06-01');
CREATE TEMP TABLE par_serial_state AS SELECT state_bytes FROM cohort.last_evaluation();
SET max_parallel_workers_per_gather = 2;
SELECT count(*) > 0 AS some FROM cohort.evaluate((SELECT d FROM par_defs WHERE id = 4), 'par_events', NULL, '2026-06-01');
SELECT l.workers_launched, l.state_bytes > s.state_bytes AS workers_counted
  FROM cohort.last_evaluation() l, par_serial_state s;

-- Several definitions in one parallel pass equal each evaluated serially.
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE par_many AS
SELECT definition_index, array_agg(user_id ORDER BY user_id) AS m
  FROM cohort.evaluate_many((SELECT array_agg(d ORDER BY id) FROM par_defs), 'par_events', 'par_customers', '2026-06-01')
 GROUP BY definition_index;
SELECT events_scan, workers_planned FROM cohort.last_evaluation();
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS definitions,
       count(*) FILTER (WHERE coalesce(pm.m, '{}') = coalesce((SELECT array_agg(user_id ORDER BY user_id)
                                    FROM cohort.evaluate(pd.d, 'par_events', 'par_customers', '2026-06-01')), '{}'))
         AS identical
  FROM par_defs pd LEFT JOIN par_many pm ON pm.definition_index = pd.id;

-- Workers see the transaction's own uncommitted inserts and deletes (and the leader none of its pages).
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
BEGIN;
INSERT INTO par_events VALUES (9999, 'payment_successful', '2026-05-30', 50000, 'books', NULL);
DELETE FROM par_events WHERE user_id = 1;
SELECT array_agg(user_id ORDER BY user_id) FILTER (WHERE user_id IN (1, 9999)) AS seen,
       (SELECT events_scan FROM cohort.last_evaluation()) AS scan
  FROM cohort.evaluate('{"performed": {"event": "payment_successful", "aggregate": "sum", "property": "price", "op": ">=", "value": 0}}',
                       'par_events', NULL, '2026-06-01');
SELECT events_scan, workers_planned, workers_launched = workers_planned AS all_launched FROM cohort.last_evaluation();
ROLLBACK;
RESET parallel_leader_participation;

-- No worker slots at all: the leader scans everything itself, same members as serially.
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE par_serial AS
SELECT id, (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(d, 'par_events', 'par_customers', '2026-06-01')) AS m
  FROM par_defs;
SET max_parallel_workers_per_gather = 2;
SET max_parallel_workers = 0;
SET parallel_leader_participation = off;
SELECT count(*) FILTER (WHERE (SELECT array_agg(user_id ORDER BY user_id)
                                 FROM cohort.evaluate(d, 'par_events', 'par_customers', '2026-06-01'))
                              IS NOT DISTINCT FROM s.m) AS same, count(*) AS definitions
  FROM par_defs JOIN par_serial s USING (id);
SELECT events_scan, workers_planned, workers_launched FROM cohort.last_evaluation();
RESET max_parallel_workers;
RESET parallel_leader_participation;

-- Where cohort's own parallel scans do not apply: temporary tables, row-level security whose
-- policies call a function that is not parallel safe (the direct scan checks them in the leader
-- alone; parallel-safe policies are checked by the workers too: below), small tables without the
-- storage parameter, max_parallel_workers_per_gather = 0.
CREATE TEMP TABLE par_temp AS SELECT * FROM par_events;
ALTER TABLE par_temp SET (parallel_workers = 2);
SELECT count(*) > 0 AS some FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_temp', NULL, '2026-06-01');
SELECT events_scan, workers_planned FROM cohort.last_evaluation();
CREATE TABLE par_small AS SELECT * FROM par_events LIMIT 100;
SELECT count(*) > 0 AS some FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_small', NULL, '2026-06-01');
SELECT events_scan, workers_planned FROM cohort.last_evaluation();
CREATE ROLE par_reader;
GRANT SELECT ON par_events TO par_reader;
GRANT USAGE ON SCHEMA cohort TO par_reader;
ALTER TABLE par_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY par_even ON par_events TO par_reader USING (user_id % 2 = 0);
CREATE FUNCTION par_restricted_true(bigint) RETURNS boolean LANGUAGE sql PARALLEL RESTRICTED AS 'SELECT true';
CREATE POLICY par_restricted ON par_events AS RESTRICTIVE TO par_reader USING (par_restricted_true(user_id));
SET ROLE par_reader;
SELECT bool_and(user_id % 2 = 0) AS only_visible_rows
  FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01');
SELECT events_scan, workers_planned FROM cohort.last_evaluation();
RESET ROLE;
DROP POLICY par_restricted ON par_events;
DROP FUNCTION par_restricted_true(bigint);
ALTER TABLE par_events DISABLE ROW LEVEL SECURITY;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) > 0 AS some FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01');
SELECT events_scan, workers_planned FROM cohort.last_evaluation();
SET max_parallel_workers_per_gather = 2;

-- A worker outgrowing the state limit fails the statement with 53200; a subtransaction catches it
-- and the session goes on evaluating in parallel.
SET parallel_leader_participation = off;
SET cohort.state_memory_limit = '8kB';
\set VERBOSITY sqlstate
SELECT count(*) FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01');
\set VERBOSITY default
-- Evaluates over `rel` in a subtransaction that catches 53200, then again without the limit.
CREATE FUNCTION pg_temp.caught_then_members(rel regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  BEGIN
    SELECT count(*) INTO n FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', rel, NULL, '2026-06-01');
  EXCEPTION WHEN out_of_memory THEN
    RAISE NOTICE 'caught %', SQLSTATE;
  END;
  PERFORM set_config('cohort.state_memory_limit', '-1', true);
  SELECT count(*) INTO n FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', rel, NULL, '2026-06-01');
  RETURN n;
END $$;
SELECT pg_temp.caught_then_members('par_events') AS then_members;
RESET cohort.state_memory_limit;
RESET parallel_leader_participation;
SELECT events_scan, workers_planned FROM cohort.last_evaluation();

-- The limit holds for the leader's and the workers' tables together: a limit 1.5 times the serial
-- state fits serially, but not two workers' tables and the leader's at once.
SET max_parallel_workers_per_gather = 0;
SELECT count(*) > 0 AS some FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01');
SELECT (state_bytes * 3 / 2 / 1024) || 'kB' AS limit_kb FROM cohort.last_evaluation() \gset
SET cohort.state_memory_limit = :'limit_kb';
SELECT count(*) > 0 AS serial_fits FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01');
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
\set VERBOSITY sqlstate
SELECT count(*) FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01');
\set VERBOSITY default
RESET cohort.state_memory_limit;
RESET parallel_leader_participation;

-- The executor path (a view, row-level security, or cohort.direct_scan off) runs its generated
-- query to the end in one call, its rows pushed to cohort, so the planner may give it parallel
-- workers as it would the caller's own SQL. A filter that fails in a worker shows that workers
-- read the rows (of evaluate and of funnel_levels); with the same settings and no such filter,
-- members and levels equal the serial direct scan's, and the state limit still ends in 53200.
CREATE FUNCTION par_read_by_leader(bigint) RETURNS boolean LANGUAGE plpgsql PARALLEL SAFE AS $$
BEGIN
  IF pg_backend_pid() <> current_setting('par.leader_pid')::int THEN
    RAISE EXCEPTION 'row read by a parallel worker';
  END IF;
  RETURN true;
END $$;
SELECT set_config('par.leader_pid', pg_backend_pid()::text, false) IS NOT NULL AS leader_pid_set;
CREATE VIEW par_events_leader AS SELECT * FROM par_events WHERE par_read_by_leader(user_id);
-- (Its user_id computed: a view that is not a plain filter of its table's columns, so that cohort
-- reads it through the executor; direct_views.sql has those that it reads directly.)
CREATE VIEW par_events_view AS SELECT user_id + 0 AS user_id, event, ts, price, category, note FROM par_events;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
\set VERBOSITY terse
SELECT count(*) FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events_leader', NULL, '2026-06-01');
SELECT count(*) FROM cohort.funnel_levels('par_events_leader', '7 days', ARRAY['product_viewed', 'cart_added'], '2026-06-01');
\set VERBOSITY default
SET max_parallel_workers_per_gather = 0;
SELECT count(*) > 0 AS serial_reads_in_the_leader
  FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events_leader', NULL, '2026-06-01');
SELECT events_scan FROM cohort.last_evaluation();
CREATE TEMP TABLE par_direct AS
SELECT id, with_customers,
       (SELECT array_agg(user_id ORDER BY user_id)
          FROM cohort.evaluate(d, 'par_events', CASE WHEN with_customers THEN 'par_customers'::regclass END, '2026-06-01')) AS m
  FROM par_defs, (VALUES (true), (false)) c(with_customers)
 WHERE with_customers OR NOT (d::jsonb::text ~ 'level|attribute');
CREATE TEMP TABLE par_direct_levels AS
SELECT user_id, level FROM cohort.funnel_levels('par_events', '7 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-06-01');
SET max_parallel_workers_per_gather = 2;
SELECT count(*) AS evaluations,
       count(*) FILTER (WHERE (SELECT array_agg(user_id ORDER BY user_id)
                                 FROM cohort.evaluate(d, 'par_events_view', CASE WHEN with_customers THEN 'par_customers'::regclass END, '2026-06-01'))
                              IS NOT DISTINCT FROM p.m) AS identical
  FROM par_defs JOIN par_direct p USING (id);
SELECT events_scan FROM cohort.last_evaluation();
SELECT count(*) AS users, count(*) FILTER (WHERE v.level IS NOT DISTINCT FROM d.level) AS same_level
  FROM par_direct_levels d
  FULL JOIN cohort.funnel_levels('par_events_view', '7 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-06-01') v
       USING (user_id);
-- The customers through a view run the same way. A leader-only filter fails in the workers of
-- evaluate's customers query, and a leader-only churn score (a column evaluate does not read)
-- fails in those of member_statistics' own. Over 13,000 customers (four batches, so that full
-- batches are handed over while the query runs) the members through the view with workers equal
-- the direct scan's, and member_statistics equals plain SQL over those members (whole-number
-- churn scores, so that float sums cannot differ by the order the workers deliver the rows in).
ALTER TABLE par_customers SET (parallel_workers = 2);
CREATE VIEW par_customers_leader AS
  SELECT *, (user_id % 7)::float8 AS churn_score FROM par_customers WHERE par_read_by_leader(user_id);
CREATE VIEW par_customers_leader_score AS
  SELECT *, CASE WHEN par_read_by_leader(user_id) THEN (user_id % 7)::float8 END AS churn_score FROM par_customers;
\set VERBOSITY terse
SELECT count(*) FROM cohort.evaluate('{"engagement_level": "medium"}', 'par_events', 'par_customers_leader', '2026-06-01');
SELECT count(*) FROM cohort.member_statistics(ARRAY['{"churn_risk_level": "high"}']::cohort.definition[], 'par_events', 'par_customers_leader_score', '2026-06-01');
\set VERBOSITY default
SET max_parallel_workers_per_gather = 0;
SELECT total_customers > 0 AS serial_reads_in_the_leader
  FROM cohort.member_statistics(ARRAY['{"churn_risk_level": "high"}']::cohort.definition[], 'par_events', 'par_customers_leader_score', '2026-06-01');
SET max_parallel_workers_per_gather = 2;
CREATE TABLE par_customers_big AS
SELECT u AS user_id, (18 + u % 60) AS age, (u % 41) AS email_opens, (u % 37) AS website_visits,
       CASE WHEN u % 11 = 0 THEN NULL ELSE u % 31 END AS total_purchases,
       (ARRAY['high', 'Medium', ' low', NULL, 'unknown'])[1 + u % 5] AS risk_level,
       CASE WHEN u % 13 = 0 THEN NULL ELSE (u % 9)::float8 END AS churn_score
FROM generate_series(1, 13000) u;
ALTER TABLE par_customers_big SET (parallel_workers = 2);
CREATE VIEW par_customers_big_view AS  -- read through the executor, as par_events_view
  SELECT user_id + 0 AS user_id, age, email_opens, website_visits, total_purchases, risk_level, churn_score FROM par_customers_big;
CREATE TEMP TABLE par_big_defs AS
SELECT i, d::cohort.definition AS d FROM (VALUES
  (1, '{"engagement_level": "medium"}'),
  (2, '{"all": [{"attribute": {"name": "age", "min": 30, "max": 50}}, {"churn_risk_level": "high"}]}'),
  (3, '{"any": [{"churn_risk_level": "low"}, {"performed": {"event": "cart_added", "op": ">=", "value": 1}}]}')) v(i, d);
CREATE TEMP TABLE par_big_direct AS
SELECT i, (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(d, 'par_events', 'par_customers_big', '2026-06-01')) AS m
  FROM par_big_defs;
SELECT i, cardinality(p.m) AS members,
       (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(d, 'par_events', 'par_customers_big_view', '2026-06-01'))
         IS NOT DISTINCT FROM p.m AS identical
  FROM par_big_defs JOIN par_big_direct p USING (i) ORDER BY i;
SELECT events_scan, customers_scan FROM cohort.last_evaluation();
-- Whether statistics are those of plain SQL over the customers rows of `members`.
CREATE FUNCTION pg_temp.same_as_plain_stats(total bigint, avg_churn float8, high bigint, medium bigint, low bigint,
                                            members bigint[]) RETURNS boolean
LANGUAGE sql AS $$
  SELECT (total, avg_churn, high, medium, low) IS NOT DISTINCT FROM
         (SELECT (count(*), avg(c.churn_score),
                  count(*) FILTER (WHERE lower(trim(c.risk_level)) = 'high'),
                  count(*) FILTER (WHERE lower(trim(c.risk_level)) = 'medium'),
                  count(*) FILTER (WHERE lower(trim(c.risk_level)) = 'low'))
            FROM par_customers_big c WHERE c.user_id = ANY (members))
$$;
SELECT s.definition_index, s.total_customers,
       pg_temp.same_as_plain_stats(s.total_customers, s.avg_churn_score, s.high_risk_count, s.medium_risk_count,
                                   s.low_risk_count, (SELECT m FROM par_big_direct WHERE i = s.definition_index)) AS same_as_plain_sql
  FROM cohort.member_statistics((SELECT array_agg(d ORDER BY i) FROM par_big_defs), 'par_events', 'par_customers_big_view', '2026-06-01') s
 ORDER BY 1;
-- Definitions that read no customers column: their statistics are folded in the evaluation's
-- one customers query, which the workers run too (the leader-only score fails in them), with the
-- statistics of plain SQL over the view.
\set VERBOSITY terse
SELECT count(*) FROM cohort.member_statistics(ARRAY['{"performed": {"event": "cart_added", "op": ">=", "value": 1}}']::cohort.definition[],
                                              'par_events', 'par_customers_leader_score', '2026-06-01');
\set VERBOSITY default
SELECT s.definition_index, s.total_customers,
       pg_temp.same_as_plain_stats(s.total_customers, s.avg_churn_score, s.high_risk_count, s.medium_risk_count, s.low_risk_count,
         (SELECT array_agg(c.user_id) FROM par_customers_big c
           WHERE (s.definition_index = 1) = EXISTS (SELECT FROM par_events e WHERE e.user_id = c.user_id AND e.event = 'cart_added'
                                                       AND e.ts <= '2026-06-01'))) AS same_as_plain_sql
  FROM cohort.member_statistics(ARRAY['{"performed": {"event": "cart_added", "op": ">=", "value": 1}}',
                                      '{"not": {"performed": {"event": "cart_added", "op": ">=", "value": 1}}}']::cohort.definition[],
                                'par_events', 'par_customers_big_view', '2026-06-01') s
 ORDER BY 1;
SELECT customers_scan FROM cohort.last_evaluation();
DROP VIEW par_customers_leader, par_customers_leader_score, par_customers_big_view;
DROP TABLE par_customers_big;
ALTER TABLE par_customers RESET (parallel_workers);
-- Errors of cohort's own (53200) and of PostgreSQL inside cohort's handling of a batch (a
-- temporary file past temp_file_limit) end the statement cleanly, without the generated query as
-- their context; a subtransaction catches them and the session goes on.
SET cohort.state_memory_limit = '8kB';
\set VERBOSITY sqlstate
SELECT count(*) FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events_view', NULL, '2026-06-01');
\set VERBOSITY default
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events_view', NULL, '2026-06-01');
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.caught_then_members('par_events_view') AS then_members;
RESET cohort.state_memory_limit;
SET work_mem = '64kB';
SET cohort.state_memory_limit = '64kB';
SET temp_file_limit = '64kB';
SELECT count(*) FROM cohort.funnel_levels('par_events_view', '7 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-06-01');
RESET temp_file_limit;
SELECT count(*) AS temporary_files_left FROM pg_ls_tmpdir();
-- funnel_levels past its limit through the executor with workers: its temporary file (64 kB) and
-- its sort of every row (8 kB: the users alone outgrow it) give the serial direct levels (the
-- DEBUG1 messages name the path).
SET client_min_messages = debug1;
SELECT count(*) AS users, count(*) FILTER (WHERE v.level IS NOT DISTINCT FROM d.level) AS same_level
  FROM par_direct_levels d
  FULL JOIN cohort.funnel_levels('par_events_view', '7 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-06-01') v
       USING (user_id);
SET cohort.state_memory_limit = '8kB';
SELECT count(*) AS users, count(*) FILTER (WHERE v.level IS NOT DISTINCT FROM d.level) AS same_level
  FROM par_direct_levels d
  FULL JOIN cohort.funnel_levels('par_events_view', '7 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-06-01') v
       USING (user_id);
RESET client_min_messages;
RESET cohort.state_memory_limit;
RESET work_mem;
SET max_parallel_workers_per_gather = 2;
SELECT count(*) > 0 AS works_again
  FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events_view', NULL, '2026-06-01');
-- Workers of the executor's query see the transaction's own uncommitted inserts and deletes.
BEGIN;
INSERT INTO par_events SELECT 100000 + g, 'cart_added', '2026-03-01', 1, 'books', 'x' FROM generate_series(1, 20) g;
DELETE FROM par_events WHERE user_id = 7;
SELECT count(*) FILTER (WHERE user_id >= 100000) AS inserted_seen, count(*) FILTER (WHERE user_id = 7) AS deleted_seen
  FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events_view', NULL, '2026-06-01');
ROLLBACK;
-- Out-of-line (EXTERNAL) texts read by workers: count_distinct of them as over the table itself.
CREATE TABLE par_ext (LIKE par_events);
ALTER TABLE par_ext ALTER COLUMN note SET STORAGE EXTERNAL;
ALTER TABLE par_ext SET (parallel_workers = 2);
INSERT INTO par_ext SELECT user_id, event, ts, price, category, repeat(md5(user_id::text || (ts::date)::text), 80)
  FROM par_events WHERE user_id <= 40;
CREATE VIEW par_ext_view AS SELECT * FROM par_ext;
SELECT (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(d, 'par_ext_view', NULL, '2026-06-01'))
       = (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(d, 'par_ext', NULL, '2026-06-01')) AS identical,
       (SELECT count(*) FROM cohort.evaluate(d, 'par_ext', NULL, '2026-06-01')) AS members
  FROM (SELECT '[{"action": "product_viewed", "operation": "count_distinct", "property": "note", "condition": ">=", "value": 9}]'::cohort.definition d) x;
DROP VIEW par_ext_view;
DROP TABLE par_ext;
-- Called while an outer query's own workers run (a parallel scan of par_events): the inner
-- query may start workers of its own and gives what the direct scan gives.
EXPLAIN (COSTS OFF)
SELECT bool_and((SELECT count(*) FROM cohort.evaluate(x.d, 'par_events_view', NULL, e.ts)) =
                (SELECT count(*) FROM cohort.evaluate(x.d, 'par_events', NULL, e.ts))) AS identical, count(*) AS calls
  FROM par_events e, (SELECT '[{"action": "cart_added", "condition": ">=", "value": 1}]'::cohort.definition d) x
 WHERE e.user_id = 7;
SELECT bool_and((SELECT count(*) FROM cohort.evaluate(x.d, 'par_events_view', NULL, e.ts)) =
                (SELECT count(*) FROM cohort.evaluate(x.d, 'par_events', NULL, e.ts))) AS identical, count(*) AS calls
  FROM par_events e, (SELECT '[{"action": "cart_added", "condition": ">=", "value": 1}]'::cohort.definition d) x
 WHERE e.user_id = 7;
-- Row-level security as an ordinary role: the direct scan's workers check the leader's policies
-- (the leader takes no pages here), and the executor path (cohort.direct_scan off) runs them in
-- the planner's workers; both give exactly what the role's own SQL sees (the even users of the
-- policy), and a second, permissive policy calling the leader-only filter fails in the workers of
-- both.
ALTER TABLE par_events ENABLE ROW LEVEL SECURITY;
SET ROLE par_reader;
SELECT (SELECT array_agg(user_id ORDER BY user_id)
          FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01'))
       = (SELECT array_agg(DISTINCT user_id ORDER BY user_id) FROM par_events
           WHERE event = 'cart_added' AND ts <= '2026-06-01' AND user_id IS NOT NULL) AS same_as_own_sql,
       (SELECT bool_and(user_id % 2 = 0)
          FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01')) AS only_visible_rows;
-- (Called from a query that runs in parallel mode, as that one may, cohort starts no workers: the
-- role's own SQL first, alone.)
SELECT array_agg(DISTINCT user_id ORDER BY user_id)::text AS par_own_members FROM par_events
 WHERE event = 'cart_added' AND ts <= '2026-06-01' AND user_id IS NOT NULL \gset
SELECT array_agg(user_id ORDER BY user_id) = :'par_own_members'::bigint[] AS workers_same_as_own_sql, count(*) AS members
  FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01');
SELECT events_scan, workers_planned FROM cohort.last_evaluation();
SET cohort.direct_scan = off;
SELECT (SELECT array_agg(user_id ORDER BY user_id)
          FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01'))
       = (SELECT array_agg(DISTINCT user_id ORDER BY user_id) FROM par_events
           WHERE event = 'cart_added' AND ts <= '2026-06-01' AND user_id IS NOT NULL) AS executor_same_as_own_sql;
SELECT events_scan FROM cohort.last_evaluation();
RESET cohort.direct_scan;
RESET ROLE;
CREATE POLICY par_leader ON par_events TO par_reader USING (par_read_by_leader(user_id));
SET ROLE par_reader;
\set VERBOSITY terse
SELECT count(*) FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01');
SET cohort.direct_scan = off;
SELECT count(*) FROM cohort.evaluate('[{"action": "cart_added", "condition": ">=", "value": 1}]', 'par_events', NULL, '2026-06-01');
\set VERBOSITY default
RESET cohort.direct_scan;
RESET ROLE;
DROP POLICY par_leader ON par_events;
ALTER TABLE par_events DISABLE ROW LEVEL SECURITY;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
DROP VIEW par_events_leader, par_events_view;
DROP FUNCTION par_read_by_leader(bigint);

DROP OWNED BY par_reader;
DROP ROLE par_reader;
DROP TABLE par_events, par_customers, par_defs, par_small;
