-- Partitioned tables and inheritance trees are read directly, table by table, with the rows,
-- privileges and policies of a query on the relation named; partitions whose bounds hold no time
-- of the evaluation's window are not read. Every result is checked against the executor path
-- (cohort.direct_scan = off) and against plain SQL.
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.25);

-- Events by month over 2026-01 .. 2026-06, a default partition for the rest, one month split
-- further by event, and one month attached from a table with its columns in another order and a
-- dropped column.
CREATE TABLE pt_events (user_id bigint, event text, ts timestamptz, price numeric, category text)
  PARTITION BY RANGE (ts);
CREATE TABLE pt_2026_01 PARTITION OF pt_events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE pt_2026_02 PARTITION OF pt_events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
CREATE TABLE pt_2026_03 PARTITION OF pt_events FOR VALUES FROM ('2026-03-01') TO ('2026-04-01')
  PARTITION BY LIST (event);
CREATE TABLE pt_2026_03_pay PARTITION OF pt_2026_03 FOR VALUES IN ('payment_successful');
CREATE TABLE pt_2026_03_rest PARTITION OF pt_2026_03 DEFAULT;
CREATE TABLE pt_2026_04 PARTITION OF pt_events FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');
CREATE TABLE pt_2026_05 (category text, junk int, price numeric, ts timestamptz, event text, user_id bigint);
ALTER TABLE pt_2026_05 DROP COLUMN junk;
ALTER TABLE pt_events ATTACH PARTITION pt_2026_05 FOR VALUES FROM ('2026-05-01') TO ('2026-06-01');
CREATE TABLE pt_2026_06 PARTITION OF pt_events FOR VALUES FROM ('2026-06-01') TO ('2026-07-01');
CREATE TABLE pt_other PARTITION OF pt_events DEFAULT;
INSERT INTO pt_events
SELECT 1 + (random() * 300)::int,
       (ARRAY['payment_successful', 'cart_added', 'product_viewed'])[1 + (random() * 2)::int],
       '2025-11-01 00:00+00'::timestamptz + random() * interval '300 days',
       CASE WHEN random() < 0.1 THEN NULL ELSE round((random() * 900)::numeric, 2) END,
       (ARRAY['books', 'electronics', NULL])[1 + (random() * 2)::int]
FROM generate_series(1, 12000);
INSERT INTO pt_events VALUES (NULL, 'cart_added', '2026-02-02', 1, 'books'), (5, 'cart_added', NULL, 1, 'books');
VACUUM ANALYZE pt_events;
CREATE TABLE pt_customers (user_id bigint, age int, risk_level text, churn_score float8) PARTITION BY HASH (user_id);
CREATE TABLE pt_customers_0 PARTITION OF pt_customers FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE pt_customers_1 (churn_score float8, risk_level text, age int, user_id bigint);
ALTER TABLE pt_customers ATTACH PARTITION pt_customers_1 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO pt_customers SELECT u, 18 + (u * 7) % 60, (ARRAY['low', ' High', NULL])[1 + u % 3], (u % 8) / 8.0 FROM generate_series(1, 320) u;

-- Members and scan path of a definition, on the direct path or the executor's.
CREATE FUNCTION pg_temp.members(d cohort.definition, direct boolean, events regclass, customers regclass,
                                as_of timestamptz, OUT m bigint[], OUT path text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id ORDER BY user_id) INTO m FROM cohort.evaluate(d, events, customers, as_of);
  SELECT events_scan || '/' || customers_scan INTO path FROM cohort.last_evaluation();
END $$;

-- The leaf partitions of pt_events that an evaluation of `d` locks (so reads), seen in pg_locks
-- within its transaction, and its scan path.
CREATE FUNCTION pg_temp.locked_parts(d cohort.definition, as_of timestamptz, OUT parts text, OUT path text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', 'on', true);
  PERFORM count(*) FROM cohort.evaluate(d, 'pt_events', NULL, as_of);
  -- (by name: pg_partition_tree() would lock every partition itself)
  SELECT string_agg(l.relation::regclass::text, ' ' ORDER BY l.relation::regclass::text) INTO parts
    FROM pg_locks l
   WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.relation::regclass::text ~ '^pt_(2026_|other)';
  SELECT events_scan INTO path FROM cohort.last_evaluation();
END $$;
-- The rows of a plain-SQL query, for comparison.
CREATE FUNCTION pg_temp.hand_rows(q text) RETURNS SETOF bigint LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE q; END $$;

CREATE TABLE pt_defs (id int, d cohort.definition, hand text);
INSERT INTO pt_defs VALUES
 (1, '{"performed": {"event": "payment_successful", "aggregate": "sum", "property": "price", "op": ">=", "value": 1500, "days": 45}}',
  $$SELECT user_id FROM pt_events WHERE event = 'payment_successful' AND ts BETWEEN '2026-06-20'::timestamptz - interval '45 days' AND '2026-06-20'
     AND user_id IS NOT NULL GROUP BY user_id HAVING sum(price) >= 1500$$),
 (2, '{"all": [{"performed": {"event": "cart_added", "op": ">=", "value": 3, "where": {"category": "books"}}},
               {"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1, "days": 20}}}]}',
  $$SELECT user_id FROM pt_events WHERE ts <= '2026-06-20' AND user_id IS NOT NULL GROUP BY user_id
     HAVING count(*) FILTER (WHERE event = 'cart_added' AND category = 'books') >= 3
        AND NOT count(*) FILTER (WHERE event = 'payment_successful' AND ts >= '2026-06-20'::timestamptz - interval '20 days') >= 1$$),
 (3, '{"performed": {"event": "product_viewed", "aggregate": "max", "property": "price", "op": ">", "value": 850, "days": 100}}',
  $$SELECT user_id FROM pt_events WHERE event = 'product_viewed' AND ts BETWEEN '2026-06-20'::timestamptz - interval '100 days' AND '2026-06-20'
     AND user_id IS NOT NULL GROUP BY user_id HAVING max(price) > 850$$);

-- The same members on both paths and in plain SQL; the direct path reads the partitions.
SELECT id, (a).path AS direct_path, (b).path AS executor_path, cardinality((a).m) AS members,
       (a).m = (b).m AS same_as_executor,
       (a).m = (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand) u) AS same_as_sql
  FROM pt_defs,
       LATERAL pg_temp.members(d, true, 'pt_events', NULL, '2026-06-20') a,
       LATERAL pg_temp.members(d, false, 'pt_events', NULL, '2026-06-20') b
 ORDER BY id;

-- With workers allowed and the threshold at 0 pages, the leader and its workers take whole
-- partitions in turn: the same members, the same partitions left out.
SET max_parallel_workers_per_gather = 2;
SET min_parallel_table_scan_size = 0;
SELECT id, (a).path, (a).m = (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand) u) AS same_as_sql
  FROM pt_defs, LATERAL pg_temp.members(d, true, 'pt_events', NULL, '2026-06-20') a ORDER BY id;
SELECT * FROM pg_temp.locked_parts((SELECT d FROM pt_defs WHERE id = 1), '2026-06-20');
SELECT workers_planned, workers_launched > 0 AS launched FROM cohort.last_evaluation();
-- Without worker slots the leader takes every partition itself.
SET max_parallel_workers = 0;
SELECT (a).m = (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand) u) AS same_as_sql, (a).path
  FROM pt_defs, LATERAL pg_temp.members(d, true, 'pt_events', NULL, '2026-06-20') a WHERE id = 2;
RESET max_parallel_workers;
-- The state limit counts every participant's table; its error comes back cleanly.
SET cohort.state_memory_limit = '8kB';
DO $$
BEGIN
  PERFORM count(*) FROM cohort.evaluate((SELECT d FROM pt_defs WHERE id = 2), 'pt_events', NULL, '2026-06-20');
  RAISE NOTICE 'no error';
EXCEPTION WHEN out_of_memory THEN
  RAISE NOTICE '53200: %', regexp_replace(SQLERRM, '[0-9]+ users', 'N users');  -- which participant stops first varies
END $$;
RESET cohort.state_memory_limit;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;

-- Partitions whose bounds lie wholly outside the window are neither read nor locked, as the
-- planner prunes them before locking (one evaluation per transaction, so that pg_locks shows its
-- own locks only): definition 1 (45 days to 2026-06-20) needs May, June and the default
-- partition; at 2026-02-15, January, February and the default partition. Definition 2 has no
-- window: every partition is read. The members are the executor path's either way.
SELECT * FROM pg_temp.locked_parts((SELECT d FROM pt_defs WHERE id = 1), '2026-06-20');
SELECT * FROM pg_temp.locked_parts((SELECT d FROM pt_defs WHERE id = 1), '2026-02-15');
SELECT * FROM pg_temp.locked_parts((SELECT d FROM pt_defs WHERE id = 2), '2026-06-20');
SELECT id, as_of, (a).m = (b).m AS same_as_executor, (a).path
  FROM pt_defs, (VALUES ('2026-06-20'::timestamptz), ('2026-02-15')) w(as_of),
       LATERAL pg_temp.members(d, true, 'pt_events', NULL, as_of) a, LATERAL pg_temp.members(d, false, 'pt_events', NULL, as_of) b
 WHERE id IN (1, 2)
 ORDER BY 1, 2;

-- Rows on the partitions' edges and on the window's ends, NULL and infinite times: members against
-- plain SQL for a window, no window and a negated window, at as_of on an edge, just past it and
-- at infinity.
CREATE TABLE pt_edges (user_id bigint, event text, ts timestamptz) PARTITION BY RANGE (ts);
CREATE TABLE pt_edges_a PARTITION OF pt_edges FOR VALUES FROM (MINVALUE) TO ('2026-05-21');
CREATE TABLE pt_edges_b PARTITION OF pt_edges FOR VALUES FROM ('2026-05-21') TO ('2026-06-20');
CREATE TABLE pt_edges_c PARTITION OF pt_edges FOR VALUES FROM ('2026-06-20') TO (MAXVALUE);
CREATE TABLE pt_edges_d PARTITION OF pt_edges DEFAULT;
INSERT INTO pt_edges VALUES (1, 'buy', '2026-05-20 23:59:59.999999'), (2, 'buy', '2026-05-21'), (3, 'buy', '2026-06-20'),
  (4, 'buy', '2026-06-20 00:00:00.000001'), (5, 'buy', NULL), (6, 'buy', '-infinity'), (7, 'buy', 'infinity'),
  (8, 'view', '2026-05-21'), (8, 'view', '2026-06-19');
SELECT w.as_of, d.days,
       (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(format('{"performed": {"event": "buy", "op": ">=", "value": 1%s}}',
                 CASE WHEN d.days IS NULL THEN '' ELSE ', "days": ' || d.days END)::cohort.definition, 'pt_edges', NULL, w.as_of)) AS performed,
       (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(format('{"performed": {"event": "buy", "op": ">=", "value": 1%s}}',
                 CASE WHEN d.days IS NULL THEN '' ELSE ', "days": ' || d.days END)::cohort.definition, 'pt_edges', NULL, w.as_of))
         IS NOT DISTINCT FROM (SELECT array_agg(user_id ORDER BY user_id) FROM (
           SELECT user_id FROM pt_edges WHERE ts <= w.as_of AND user_id IS NOT NULL GROUP BY user_id
           HAVING count(*) FILTER (WHERE event = 'buy' AND (d.days IS NULL OR ts >= w.as_of - make_interval(days => d.days))) >= 1) s)
         AS performed_as_sql,
       (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(format('{"not": {"performed": {"event": "buy", "op": ">=", "value": 1%s}}}',
                 CASE WHEN d.days IS NULL THEN '' ELSE ', "days": ' || d.days END)::cohort.definition, 'pt_edges', NULL, w.as_of))
         IS NOT DISTINCT FROM (SELECT array_agg(user_id ORDER BY user_id) FROM (
           SELECT user_id FROM pt_edges WHERE ts <= w.as_of AND user_id IS NOT NULL GROUP BY user_id
           HAVING NOT count(*) FILTER (WHERE event = 'buy' AND (d.days IS NULL OR ts >= w.as_of - make_interval(days => d.days))) >= 1) s)
         AS negated_as_sql
  FROM (VALUES ('2026-06-20'::timestamptz), ('2026-06-20 00:00:00.000001'), ('infinity')) w(as_of), (VALUES (30), (NULL::int)) d(days)
 ORDER BY 1, 2;
DROP TABLE pt_edges;

-- Partitioned customers (hash, one partition with its columns in another order), with partitioned
-- events: the same members on both paths and in plain SQL.
SELECT (a).path AS direct_path, (b).path AS executor_path, cardinality((a).m) AS members, (a).m = (b).m AS same_as_executor,
       (a).m = (SELECT array_agg(c.user_id ORDER BY c.user_id) FROM pt_customers c
                 WHERE c.age BETWEEN 30 AND 60 AND lower(btrim(c.risk_level)) = 'high'
                   AND (SELECT count(*) FROM pt_events e WHERE e.user_id = c.user_id AND e.event = 'cart_added'
                          AND e.ts BETWEEN '2026-06-20'::timestamptz - interval '60 days' AND '2026-06-20') >= 2) AS same_as_sql
  FROM (SELECT '{"all": [{"attribute": {"name": "age", "min": 30, "max": 60}}, {"churn_risk_level": "high"},
                         {"performed": {"event": "cart_added", "op": ">=", "value": 2, "days": 60}}]}'::cohort.definition d) x,
       LATERAL pg_temp.members(d, true, 'pt_events', 'pt_customers', '2026-06-20') a,
       LATERAL pg_temp.members(d, false, 'pt_events', 'pt_customers', '2026-06-20') b;
SELECT (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate('{"min_age": 20, "max_age": 30}', 'pt_events', 'pt_customers'))
     = (SELECT array_agg(user_id ORDER BY user_id) FROM pt_customers WHERE age BETWEEN 20 AND 30) AS criteria_as_sql,
       (SELECT customers_scan FROM cohort.last_evaluation()) AS customers_scan;

-- funnel_levels and the statistics read the partitions too.
SELECT (SELECT array_agg(ROW(user_id, level) ORDER BY user_id)
          FROM cohort.funnel_levels('pt_events', interval '3 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-06-20'))
     = (SELECT array_agg(ROW(user_id, level) ORDER BY user_id)
          FROM (SELECT user_id, cohort.window_funnel(interval '3 days', ts, event = 'product_viewed', event = 'cart_added',
                                                     event = 'payment_successful') AS level
                  FROM pt_events WHERE ts <= '2026-06-20' AND user_id IS NOT NULL
                   AND event IN ('product_viewed', 'cart_added', 'payment_successful') GROUP BY user_id) f) AS funnel_as_aggregate;
SELECT (s.total_customers, s.avg_churn_score, s.high_risk_count, s.low_risk_count)
       = (SELECT count(*), avg(churn_score), count(*) FILTER (WHERE lower(btrim(risk_level)) = 'high'),
                 count(*) FILTER (WHERE lower(btrim(risk_level)) = 'low')
            FROM pt_customers WHERE age BETWEEN 20 AND 40) AS statistics_as_sql
  FROM cohort.compute_statistics('{"min_age": 20, "max_age": 40}', 'pt_events', 'pt_customers') s;

-- Privileges and policies are the partitioned table's, as for a query on it: a role granted SELECT
-- on the parent only reads every partition; a policy on a partition does not apply; a policy on
-- the parent applies to the rows of every partition (checked by the direct scan in each).
CREATE ROLE regress_cohort_parts;
GRANT USAGE ON SCHEMA cohort TO regress_cohort_parts;
GRANT SELECT ON pt_events TO regress_cohort_parts;
ALTER TABLE pt_2026_06 ENABLE ROW LEVEL SECURITY;   -- no policy: nobody reads it directly
CREATE TABLE pt_result (who text, m bigint[], path text);
GRANT INSERT ON pt_result TO regress_cohort_parts;
GRANT SELECT ON pt_defs TO regress_cohort_parts;
SET ROLE regress_cohort_parts;
SELECT count(*) FROM pt_2026_06;  -- not readable on its own
INSERT INTO pt_result SELECT 'role', m, path FROM pg_temp.members((SELECT d FROM pt_defs WHERE id = 1), true, 'pt_events', NULL, '2026-06-20');
RESET ROLE;
INSERT INTO pt_result SELECT 'owner', m, path FROM pg_temp.members((SELECT d FROM pt_defs WHERE id = 1), false, 'pt_events', NULL, '2026-06-20');
SELECT r.path AS role_path, r.m = o.m AS same_as_owner, cardinality(r.m) AS members FROM pt_result r, pt_result o WHERE r.who = 'role' AND o.who = 'owner';
ALTER TABLE pt_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY pt_even ON pt_events TO regress_cohort_parts USING (user_id % 2 = 0);
DELETE FROM pt_result WHERE who = 'role';
SET ROLE regress_cohort_parts;
INSERT INTO pt_result SELECT 'role', m, path FROM pg_temp.members((SELECT d FROM pt_defs WHERE id = 1), true, 'pt_events', NULL, '2026-06-20');
RESET ROLE;
SELECT r.path AS role_path, r.m = (SELECT array_agg(u ORDER BY u) FROM unnest(o.m) u WHERE u % 2 = 0) AS policy_applied
  FROM pt_result r, pt_result o WHERE r.who = 'role' AND o.who = 'owner';
ALTER TABLE pt_events DISABLE ROW LEVEL SECURITY;
DROP POLICY pt_even ON pt_events;
DROP TABLE pt_result;
REVOKE ALL ON pt_events, pt_defs FROM regress_cohort_parts;
REVOKE USAGE ON SCHEMA cohort FROM regress_cohort_parts;
DROP ROLE regress_cohort_parts;

-- A foreign partition: where the window leaves it out (its bounds lie after as_of), the direct
-- path reads the other partitions, as the planner's plan leaves it out; where the window holds it,
-- the relation goes through the executor (whose own error shows it: the wrapper has no handler).
CREATE FOREIGN DATA WRAPPER pt_nothing;
CREATE SERVER pt_server FOREIGN DATA WRAPPER pt_nothing;
CREATE FOREIGN TABLE pt_2027 PARTITION OF pt_events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01') SERVER pt_server;
\set VERBOSITY terse
SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', 'pt_events', NULL, '2026-06-20');
SELECT events_scan FROM cohort.last_evaluation();
SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', 'pt_events', NULL, '2027-06-20');
\set VERBOSITY default
DROP FOREIGN TABLE pt_2027;
DROP SERVER pt_server;
DROP FOREIGN DATA WRAPPER pt_nothing;

-- A detached partition is no longer read; a partitioned table without partitions has no members.
ALTER TABLE pt_events DETACH PARTITION pt_2026_06;
SELECT (a).m = (SELECT array_agg(u ORDER BY u) FROM pg_temp.hand_rows(hand) u) AS same_as_sql,
       cardinality((a).m) AS members, (a).path
  FROM pt_defs, LATERAL pg_temp.members(d, true, 'pt_events', NULL, '2026-06-20') a WHERE id = 1;
CREATE TABLE pt_empty (user_id bigint, event text, ts timestamptz) PARTITION BY RANGE (ts);
SELECT count(*) FROM cohort.evaluate('{"all": []}', 'pt_empty', NULL, '2026-06-20');
SELECT events_scan, event_rows FROM cohort.last_evaluation();

-- An inheritance parent is read with its children, directly, children with their columns in
-- another order.
CREATE TABLE pt_parent (user_id int, event text, ts timestamptz);
CREATE TABLE pt_child (note text, ts timestamptz, event text, user_id int);
ALTER TABLE pt_child INHERIT pt_parent;
CREATE TABLE pt_grandchild () INHERITS (pt_child);
INSERT INTO pt_parent VALUES (1, 'buy', '2026-01-01');
INSERT INTO pt_child VALUES ('x', '2026-01-02', 'buy', 2);
INSERT INTO pt_grandchild VALUES ('y', '2026-01-03', 'buy', 3);
SELECT array_agg(user_id ORDER BY user_id) AS members
  FROM cohort.evaluate('[{"action": "buy", "condition": ">=", "value": 1}]', 'pt_parent', NULL, '2026-05-01');
SELECT events_scan FROM cohort.last_evaluation();
SELECT array_agg(user_id ORDER BY user_id) AS members
  FROM cohort.evaluate('[{"action": "buy", "condition": ">=", "value": 1}]', 'pt_child', NULL, '2026-05-01');
SELECT events_scan FROM cohort.last_evaluation();
DROP TABLE pt_parent CASCADE;

-- An inheritance tree kept apart by CHECK constraints: a member whose validated constraints rule
-- out the window is locked but not read, as the planner's constraint exclusion leaves it out (a
-- NO INHERIT constraint of the parent holds for its own rows). A NOT VALID constraint, one with
-- a mutable function, or constraint_exclusion = off leave a member in. The members read are
-- those whose sequential scans in pg_stat_xact_user_tables the evaluation raised.
CREATE TABLE ck_events (user_id bigint, event text, ts timestamptz, CHECK (ts < '2000-01-01') NO INHERIT);
CREATE TABLE ck_2026_q1 (ts timestamptz CHECK (ts >= '2026-01-01' AND ts < '2026-04-01'), event text, user_id bigint);
ALTER TABLE ck_2026_q1 INHERIT ck_events;   -- its ts is its first column, the parent's third
CREATE TABLE ck_2026_q2 (CHECK (ts >= '2026-04-01' AND ts < '2026-07-01')) INHERITS (ck_events);
CREATE TABLE ck_late (ts timestamptz, user_id bigint, event text);   -- its row breaks its NOT VALID constraint
INSERT INTO ck_late VALUES ('2026-06-10', 7, 'buy');
ALTER TABLE ck_late ADD CHECK (ts < '2026-01-01') NOT VALID;
ALTER TABLE ck_late INHERIT ck_events;
CREATE TABLE ck_stable (CHECK (ts < now() - interval '100 years')) INHERITS (ck_events);
INSERT INTO ck_events VALUES (99, 'buy', '1999-12-31');
INSERT INTO ck_2026_q1 (user_id, event, ts) SELECT u, 'buy', '2026-01-01'::timestamptz + (u * 7 % 90) * interval '1 day' FROM generate_series(1, 60) u;
INSERT INTO ck_2026_q2 SELECT u, 'buy', '2026-04-01'::timestamptz + (u * 5 % 91) * interval '1 day' FROM generate_series(1, 60) u;
CREATE FUNCTION pg_temp.ck_read(days int, rel text DEFAULT 'ck_events', OUT read text, OUT path text, OUT members int)
LANGUAGE plpgsql AS $$
DECLARE
  before jsonb;
BEGIN
  PERFORM set_config('cohort.direct_scan', 'on', true);
  SELECT jsonb_object_agg(relname, seq_scan) INTO before FROM pg_stat_xact_user_tables WHERE relname LIKE 'ck\_%';
  SELECT count(*) INTO members FROM cohort.evaluate(format('{"performed": {"event": "buy", "op": ">=", "value": 1%s}}',
      CASE WHEN days IS NULL THEN '' ELSE ', "days": ' || days END)::cohort.definition, rel::regclass, NULL, '2026-06-20');
  SELECT string_agg(relname, ' ' ORDER BY relname) INTO read FROM pg_stat_xact_user_tables
   WHERE relname LIKE 'ck\_%' AND seq_scan > coalesce((before ->> relname)::bigint, 0);
  SELECT events_scan INTO path FROM cohort.last_evaluation();
END $$;
SELECT * FROM pg_temp.ck_read(30);
EXPLAIN (COSTS OFF) SELECT * FROM ck_events WHERE ts >= '2026-05-21' AND ts <= '2026-06-20';  -- the planner's members
SELECT * FROM pg_temp.ck_read(120);
SELECT * FROM pg_temp.ck_read(NULL);
SET constraint_exclusion = off;
SELECT * FROM pg_temp.ck_read(30);
RESET constraint_exclusion;
-- The same members as the executor path and plain SQL.
SELECT days, (a).m = (b).m AS same_as_executor,
       (a).m IS NOT DISTINCT FROM (SELECT array_agg(DISTINCT user_id ORDER BY user_id) FROM ck_events
                 WHERE event = 'buy' AND ts <= '2026-06-20' AND (days IS NULL OR ts >= '2026-06-20'::timestamptz - make_interval(days => days))) AS same_as_sql
  FROM (VALUES (30), (120), (NULL)) v(days),
       LATERAL (SELECT format('{"performed": {"event": "buy", "op": ">=", "value": 1%s}}',
                              CASE WHEN days IS NULL THEN '' ELSE ', "days": ' || days END)::cohort.definition AS d) x,
       LATERAL pg_temp.members(d, true, 'ck_events', NULL, '2026-06-20') a,
       LATERAL pg_temp.members(d, false, 'ck_events', NULL, '2026-06-20') b
 ORDER BY days;
-- With workers, which take members whole from the leader's list of them: the same members.
SET max_parallel_workers_per_gather = 2;
SET min_parallel_table_scan_size = 0;
SELECT days, (a).path, (a).m IS NOT DISTINCT FROM (SELECT array_agg(DISTINCT user_id ORDER BY user_id) FROM ck_events
                 WHERE event = 'buy' AND ts <= '2026-06-20' AND (days IS NULL OR ts >= '2026-06-20'::timestamptz - make_interval(days => days))) AS same_as_sql,
       (SELECT workers_launched > 0 FROM cohort.last_evaluation()) AS launched
  FROM (VALUES (30), (NULL)) v(days),
       LATERAL (SELECT format('{"performed": {"event": "buy", "op": ">=", "value": 1%s}}',
                              CASE WHEN days IS NULL THEN '' ELSE ', "days": ' || days END)::cohort.definition AS d) x,
       LATERAL pg_temp.members(d, true, 'ck_events', NULL, '2026-06-20') a
 ORDER BY days;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;
-- A foreign member whose CHECK constraint rules out the window leaves the direct path as it is;
-- one the window needs sends the tree through the executor (whose own error shows it was asked).
CREATE FOREIGN DATA WRAPPER ck_nothing;
CREATE SERVER ck_server FOREIGN DATA WRAPPER ck_nothing;
CREATE FOREIGN TABLE ck_2025 (CHECK (ts < '2026-01-01')) INHERITS (ck_events) SERVER ck_server;
SELECT * FROM pg_temp.ck_read(30);
\set VERBOSITY terse
SELECT * FROM pg_temp.ck_read(200);
\set VERBOSITY default
DROP FOREIGN TABLE ck_2025;
DROP SERVER ck_server;
DROP FOREIGN DATA WRAPPER ck_nothing;
DROP TABLE ck_events CASCADE;
-- Leaf partitions too: pruned by their bounds before they are locked, then left out by their own
-- CHECK constraints after (the planner's constraint exclusion applies to partitions as well).
CREATE TABLE ck_parted (user_id bigint, event text, ts timestamptz) PARTITION BY LIST (event);
CREATE TABLE ck_parted_buy PARTITION OF ck_parted (CHECK (ts < '2026-03-01')) FOR VALUES IN ('buy');
CREATE TABLE ck_parted_rest PARTITION OF ck_parted DEFAULT;
INSERT INTO ck_parted SELECT u, 'buy', '2026-01-01'::timestamptz + (u % 59) * interval '1 day' FROM generate_series(1, 40) u;
INSERT INTO ck_parted SELECT u, 'view', '2026-05-01'::timestamptz + (u % 50) * interval '1 day' FROM generate_series(1, 40) u;
SELECT * FROM pg_temp.ck_read(30, 'ck_parted');
SELECT * FROM pg_temp.ck_read(NULL, 'ck_parted');
SELECT (SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "view", "op": ">=", "value": 1, "days": 30}}', 'ck_parted', NULL, '2026-06-20'))
     = (SELECT count(DISTINCT user_id) FROM ck_parted WHERE event = 'view' AND ts BETWEEN '2026-05-21' AND '2026-06-20') AS views_as_sql;
DROP TABLE ck_parted;
DROP TABLE pt_events, pt_2026_06, pt_customers, pt_empty, pt_defs;
