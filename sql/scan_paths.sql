-- The direct (page by page) scan and the executor scan give identical members; the direct scan is
-- used only where it may be: plain tables, row-level security for the caller only with policies it
-- can check on each row (sql/row_security.sql), every used column readable, text columns with
-- deterministic collations.
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
-- A view that is not a plain filter of its table's columns (a computed column; direct_views.sql
-- has those read directly): the executor.
CREATE VIEW sp_events_view AS SELECT user_id, lower(event) AS event, ts FROM sp_events;
SELECT count(*) FROM cohort.evaluate('{"all": []}', 'sp_events_view');
SELECT events_scan FROM cohort.last_evaluation();
CREATE ROLE regress_cohort_scan;
GRANT SELECT ON sp_events, sp_customers TO regress_cohort_scan;
-- Row-level security with a policy that reads another table (a subquery): the executor.
ALTER TABLE sp_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY low_ids ON sp_events TO regress_cohort_scan
  USING (user_id IN (SELECT c.user_id FROM sp_customers c WHERE c.user_id < 100));
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

-- An inheritance parent is read directly with its children (sql/partitions.sql covers trees), a
-- child alone without its parent.
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

-- The direct scan deforms tuples itself: columns in any order, a dropped column before the used
-- ones, NULLs between them, odd alignments (char and short text before 8-byte columns), types
-- read by reference with a fixed width (name, interval, uuid), columns added after rows were
-- written (their default read from the catalog), wide rows. Both paths must agree on every
-- definition.
CREATE TABLE sp_layout (flag "char", gone text, note text, ts timestamptz, tiny int2, tag name, span interval, uid uuid,
                        event varchar(30), price numeric, user_id bigint, category text);
INSERT INTO sp_layout
SELECT 'x', 'dropped', CASE WHEN i % 7 = 0 THEN NULL ELSE repeat('n', i % 40) END,
       CASE WHEN i % 97 = 0 THEN NULL ELSE '2026-01-01 00:00+00'::timestamptz + (i % 180) * interval '1 day' END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 9)::int2 END,
       CASE WHEN i % 13 = 0 THEN NULL ELSE 'tag' || i % 17 END, (i % 23) * interval '1 hour',
       CASE WHEN i % 4 = 0 THEN NULL ELSE md5(i::text)::uuid END,
       CASE WHEN i % 89 = 0 THEN NULL ELSE (ARRAY['buy', 'view', 'cart'])[1 + i % 3] END,
       CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 1000) / 10.0 END,
       CASE WHEN i % 101 = 0 THEN NULL ELSE 1 + i % 300 END,
       CASE WHEN i % 3 = 0 THEN NULL ELSE (ARRAY['books', 'fashion'])[1 + i % 2] END
FROM generate_series(1, 6000) i;
ALTER TABLE sp_layout DROP COLUMN gone;
ALTER TABLE sp_layout ADD COLUMN bonus float8 DEFAULT 2.5;   -- missing in the rows above
INSERT INTO sp_layout (flag, note, ts, tiny, event, price, user_id, category, bonus)
SELECT 'y', NULL, '2026-02-01'::timestamptz + i * interval '1 hour', NULL, 'buy', i, 1 + i % 300, 'books',
       CASE WHEN i % 2 = 0 THEN NULL ELSE i END
FROM generate_series(1, 500) i;
INSERT INTO sp_layout (flag, ts, event, user_id) SELECT 'z', '2026-03-01', 'view', 1000 + i FROM generate_series(1, 20) i;
CREATE TABLE sp_layout_defs (id serial, d cohort.definition);
INSERT INTO sp_layout_defs (d) VALUES
  ('{"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 900}}'),
  ('{"performed": {"event": "buy", "aggregate": "sum", "property": "bonus", "op": ">=", "value": 40}}'),
  ('{"performed": {"event": "view", "aggregate": "avg", "property": "tiny", "op": ">", "value": 4, "days": 90}}'),
  ('{"performed": {"event": "cart", "op": ">=", "value": 7, "where": {"category": "books"}}}'),
  ('{"performed": {"event": "buy", "aggregate": "count_distinct", "property": "note", "op": ">=", "value": 2}}'),
  ('{"not": {"performed": {"event": "buy", "op": ">=", "value": 20, "days": 60}}}'),
  ('[{"include": true, "action": "view", "operation": "sum", "property": "price", "condition": ">=", "value": 500, "timeframe": 120, "logic": "AND"},
     {"include": false, "action": "buy", "operation": "count", "property": "events", "condition": ">=", "value": 1, "timeframe": 30}]');
CREATE FUNCTION pg_temp.layout_members(d cohort.definition, direct boolean, OUT m bigint[], OUT path text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id) INTO m FROM cohort.evaluate(d, 'sp_layout', NULL, '2026-05-01');
  SELECT events_scan INTO path FROM cohort.last_evaluation();
END $$;
BEGIN;
SELECT id, (a).path AS direct_path, (b).path AS executor_path, coalesce(cardinality((a).m), 0) AS members,
       (a).m IS NOT DISTINCT FROM (b).m AS identical
  FROM sp_layout_defs, LATERAL pg_temp.layout_members(d, true) a, LATERAL pg_temp.layout_members(d, false) b
 ORDER BY id;
COMMIT;

-- Event names read straight from the page where their offset is fixed (1-byte and 4-byte
-- headers), and the time right after them read from the page too; through deforming and
-- detoasting where not (compressed in-line, stored out of line, NULL before them): the same
-- members on both paths, and the same as plain SQL.
CREATE TABLE sp_long_c (user_id bigint, event text, ts timestamptz, note text);
ALTER TABLE sp_long_c ALTER COLUMN note SET STORAGE PLAIN;
CREATE TABLE sp_long_e (user_id bigint, event text, ts timestamptz, note text);
ALTER TABLE sp_long_e ALTER COLUMN note SET STORAGE PLAIN;
ALTER TABLE sp_long_e ALTER COLUMN event SET STORAGE EXTERNAL;
INSERT INTO sp_long_c
SELECT CASE WHEN i % 50 = 0 THEN NULL ELSE i % 40 END,
       (ARRAY['short', repeat('m', 200), repeat('b', 1000)])[1 + i % 3],
       '2026-04-01'::timestamptz + (i % 61) * interval '1 day' + (i % 7) * interval '1 hour',
       CASE WHEN i % 3 = 2 THEN (SELECT string_agg(md5((i * 100 + k)::text), '') FROM generate_series(1, 48) k) END
FROM generate_series(1, 900) i;
INSERT INTO sp_long_e SELECT * FROM sp_long_c;
SELECT pg_column_compression(event) AS compression, count(*) FROM sp_long_c WHERE length(event) = 1000 GROUP BY 1;
SELECT count(*) FILTER (WHERE pg_column_size(event) < 100) AS stored_out_of_line FROM sp_long_e WHERE length(event) = 1000;
CREATE FUNCTION pg_temp.long_members(tab text, ev text, direct boolean, OUT m bigint[], OUT path text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id) INTO m
    FROM cohort.evaluate(jsonb_build_object('performed', jsonb_build_object('event', ev, 'op', '>=', 'value', 2, 'days', 20))::text::cohort.definition,
                         tab, NULL, '2026-05-01');
  SELECT events_scan INTO path FROM cohort.last_evaluation();
END $$;
BEGIN;
SELECT tab, length(ev) AS name_bytes, (a).path AS direct_path, coalesce(cardinality((a).m), 0) AS members,
       (a).m IS NOT DISTINCT FROM (b).m AS identical
  FROM (VALUES ('sp_long_c'), ('sp_long_e')) t(tab), (VALUES ('short'), (repeat('m', 200)), (repeat('b', 1000))) e(ev),
       LATERAL pg_temp.long_members(tab, ev, true) a, LATERAL pg_temp.long_members(tab, ev, false) b
 ORDER BY tab, name_bytes;
COMMIT;
SELECT length(event) AS name_bytes, count(DISTINCT user_id) AS plain_sql_members
  FROM (SELECT user_id, event FROM sp_long_c
         WHERE ts <= '2026-05-01' AND ts >= timestamptz '2026-05-01' - interval '20 days' AND user_id IS NOT NULL
         GROUP BY user_id, event HAVING count(*) >= 2) q
 GROUP BY 1 ORDER BY 1;
DROP TABLE sp_long_c, sp_long_e;

-- With the users with events as the universe, rows that feed no accumulator are read only when a
-- user without such rows can be a member (here: the NOT definition); members are the same.
SELECT array_agg(user_id ORDER BY user_id) AS members
  FROM cohort.evaluate('{"not": {"performed": {"event": "buy", "op": ">=", "value": 1}}}', 'sp_layout', NULL, '2026-05-01');
SELECT event_rows, users FROM cohort.last_evaluation();
SELECT array_agg(DISTINCT user_id ORDER BY user_id) AS plain_sql FROM sp_layout
 WHERE user_id IS NOT NULL AND ts <= '2026-05-01'
   AND user_id NOT IN (SELECT user_id FROM sp_layout WHERE event = 'buy' AND ts <= '2026-05-01' AND user_id IS NOT NULL);
SELECT count(*) AS members
  FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 1}}', 'sp_layout', NULL, '2026-05-01');
SELECT event_rows, users FROM cohort.last_evaluation();
SELECT count(*) AS buy_rows, count(DISTINCT user_id) AS buyers FROM sp_layout
 WHERE event = 'buy' AND user_id IS NOT NULL AND ts <= '2026-05-01';
DROP TABLE sp_layout, sp_layout_defs;

-- A table above a quarter of shared_buffers is scanned from where another scan of it is
-- (synchronized scans): a scan stopped halfway leaves that place behind, and the direct scan must
-- then read from there round to where it began, every row once.
SHOW synchronize_seqscans;
CREATE TABLE sp_big (user_id int, event text, ts timestamptz) WITH (autovacuum_enabled = off);
INSERT INTO sp_big
SELECT abs(hashtext(i::text)) % 2000, (ARRAY['buy', 'view', 'cart', 'search'])[1 + i % 4],
       '2026-01-01'::timestamptz + (i % 100) * interval '1 day'
FROM generate_series(1, 900000) i;
SELECT pg_relation_size('sp_big') > pg_size_bytes(current_setting('shared_buffers')) / 4 AS above_a_quarter;
SELECT user_id FROM sp_big OFFSET 450000 LIMIT 1;  -- a sequential scan that stops halfway
SELECT count(*) AS members
  FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 68, "days": 60}}', 'sp_big', NULL, '2026-03-01');
SELECT events_scan, event_rows, users FROM cohort.last_evaluation();
SELECT count(*) AS plain_rows, count(DISTINCT user_id) AS plain_users FROM sp_big
 WHERE event = 'buy' AND ts >= '2026-03-01'::timestamptz - interval '60 days' AND ts <= '2026-03-01';
SELECT count(*) AS plain_members FROM (
  SELECT user_id FROM sp_big WHERE event = 'buy' AND ts >= '2026-03-01'::timestamptz - interval '60 days' AND ts <= '2026-03-01'
   GROUP BY user_id HAVING count(*) >= 68) m;
DROP TABLE sp_big;

-- The direct scan runs the event test or the time test first, whichever rejected more rows in
-- the last batch of 4096 kept rows. Here the data changes mid-table: first the event test passes
-- almost every row and the time test few (time first pays), then the reverse (event first pays),
-- then the first again; each definition crosses both orders. Every way must give the executor's
-- members and plain SQL's.
CREATE TABLE sp_order (user_id int, event text, ts timestamptz);
INSERT INTO sp_order
SELECT CASE WHEN event = 'common' THEN i % 3000 WHEN i <= 60000 OR i > 120000 THEN 3000 + i % 500
            ELSE 3500 + (i - 60000) / 200 END,  -- each user's rare rows in one stretch of the middle
       event,
       -- outside the 30 days: before them, or after as_of (which even the NOT definition skips)
       '2026-05-01'::timestamptz - CASE WHEN i <= 60000 OR i > 120000
                                        THEN (CASE WHEN i % 10 = 3 THEN 1 WHEN i % 2 = 0 THEN 40 + i % 300
                                                   ELSE -(1 + i % 300) END) * interval '1 day'
                                        ELSE (i % 29) * interval '1 day' END
FROM (SELECT i, CASE WHEN (i % 100 < 95) = (i <= 60000 OR i > 120000) THEN 'common' ELSE 'rare' END AS event
        FROM generate_series(1, 180000) i) g;
-- Members of definition `d` over events table `tab` (no customers) and the scan path taken.
CREATE FUNCTION pg_temp.path_members(d text, tab regclass, as_of timestamptz, direct boolean, OUT m bigint[], OUT path text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id ORDER BY user_id) INTO m FROM cohort.evaluate(d::cohort.definition, tab, NULL, as_of);
  SELECT events_scan INTO path FROM cohort.last_evaluation();
END $$;
CREATE TABLE sp_order_defs (id int, d text, plain bigint[]);
INSERT INTO sp_order_defs
SELECT 1, '{"performed": {"event": "common", "op": ">=", "value": 12, "days": 30}}',
       (SELECT array_agg(user_id ORDER BY user_id) FROM (
          SELECT user_id FROM sp_order WHERE event = 'common' AND ts > '2026-04-01' AND ts <= '2026-05-01'
           GROUP BY user_id HAVING count(*) >= 12) q)
UNION ALL
SELECT 2, '{"performed": {"event": "rare", "op": ">=", "value": 2, "days": 30}}',
       (SELECT array_agg(user_id ORDER BY user_id) FROM (
          SELECT user_id FROM sp_order WHERE event = 'rare' AND ts > '2026-04-01' AND ts <= '2026-05-01'
           GROUP BY user_id HAVING count(*) >= 2) q)
UNION ALL
SELECT 3, '{"not": {"performed": {"event": "common", "op": ">=", "value": 12, "days": 30}}}',
       (SELECT array_agg(user_id ORDER BY user_id) FROM (
          SELECT user_id FROM sp_order WHERE ts <= '2026-05-01' GROUP BY user_id
          HAVING count(*) FILTER (WHERE event = 'common' AND ts > '2026-04-01') < 12) q);
BEGIN;
SELECT id, (a).path AS direct_path, (b).path AS executor_path, coalesce(cardinality((a).m), 0) AS members,
       (a).m IS NOT DISTINCT FROM (b).m AS identical, (a).m IS NOT DISTINCT FROM plain AS same_as_plain_sql
  FROM sp_order_defs, LATERAL pg_temp.path_members(d, 'sp_order', '2026-05-01', true) a,
       LATERAL pg_temp.path_members(d, 'sp_order', '2026-05-01', false) b
 ORDER BY id;
COMMIT;
DROP TABLE sp_order, sp_order_defs;

-- The event name and time read from the page behind nine fixed-width columns (the null bitmap
-- is then checked column by column): rows with a NULL before them take the general path.
CREATE TABLE sp_wide (c1 bigint, c2 bigint, c3 bigint, c4 bigint, c5 bigint, c6 bigint, c7 bigint, c8 bigint, user_id bigint,
                      event text, ts timestamptz) WITH (autovacuum_enabled = off);
INSERT INTO sp_wide
SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE i END, i, i, i, i, i, i, CASE WHEN i % 11 = 0 THEN NULL ELSE i END,
       i % 150, (ARRAY['buy', 'view', 'cart'])[1 + i % 3], '2026-04-01'::timestamptz - (i % 50) * interval '1 day'
FROM generate_series(1, 12000) i;
SELECT d AS definition, (a).path AS direct_path, (b).path AS executor_path,
       coalesce(cardinality((a).m), 0) AS members, (a).m IS NOT DISTINCT FROM (b).m AS identical,
       (a).m IS NOT DISTINCT FROM (
         SELECT array_agg(user_id ORDER BY user_id) FROM (
           SELECT user_id FROM sp_wide WHERE event = 'buy' AND ts >= timestamptz '2026-04-01' - interval '20 days'
              AND ts <= '2026-04-01' GROUP BY user_id HAVING count(*) >= 6) q) AS same_as_plain_sql
  FROM (VALUES ('{"performed": {"event": "buy", "op": ">=", "value": 6, "days": 20}}')) v(d),
       LATERAL pg_temp.path_members(d, 'sp_wide', '2026-04-01', true) a, LATERAL pg_temp.path_members(d, 'sp_wide', '2026-04-01', false) b;
DROP TABLE sp_wide;

-- A kept row read through the event/time pair goes on deforming after the pair: fixed-width
-- columns stored by reference (uuid, name, interval) and a dropped column before it, NULLs,
-- 200-byte event names (4-byte headers), columns added after rows were written (defaults), and
-- a table whose old tuples end before the pair (added later). Both paths, every definition.
CREATE TABLE sp_pair (u uuid, nm name, gone int4, iv interval, qty int4, user_id bigint, event text, ts timestamptz,
                      price numeric, category text) WITH (autovacuum_enabled = off);
INSERT INTO sp_pair
SELECT md5(i::text)::uuid, CASE WHEN i % 13 = 0 THEN NULL ELSE 'n' || i END, i, make_interval(days => i % 9),
       i % 7, CASE WHEN i % 101 = 0 THEN NULL ELSE 1 + i % 400 END,
       CASE WHEN i % 89 = 0 THEN NULL WHEN i % 50 = 0 THEN repeat('L', 200) ELSE (ARRAY['buy', 'view', 'cart', 'vi'])[1 + i % 4] END,
       CASE WHEN i % 97 = 0 THEN NULL ELSE '2026-01-01'::timestamptz + (i % 120) * interval '1 day' + (i % 5) * interval '1 sec' END,
       CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 1000) / 10.0 END,
       CASE WHEN i % 3 = 0 THEN NULL ELSE (ARRAY['books', 'home', 'toys'])[1 + i % 3] END
FROM generate_series(1, 20000) i;
ALTER TABLE sp_pair DROP COLUMN gone;
INSERT INTO sp_pair (u, nm, iv, qty, user_id, event, ts, price, category)
SELECT md5(i::text)::uuid, 'm', interval '1 hour', 3, 1 + i % 400, (ARRAY['buy', 'view'])[1 + i % 2],
       '2026-03-01'::timestamptz + i * interval '1 minute', i % 13, 'home' FROM generate_series(1, 5000) i;
ALTER TABLE sp_pair ADD COLUMN bonus float8 DEFAULT 2.5, ADD COLUMN tag text DEFAULT 'a';
INSERT INTO sp_pair (u, nm, iv, qty, user_id, event, ts, price, category, bonus, tag)
SELECT md5(i::text)::uuid, 'k', interval '2 hour', 5, 1 + i % 400, (ARRAY['buy', 'view', 'cart'])[1 + i % 3],
       '2026-04-01'::timestamptz + i * interval '1 minute', i % 17, (ARRAY['books', 'home'])[1 + i % 2],
       CASE WHEN i % 2 = 0 THEN NULL ELSE i % 9 END, (ARRAY['a', 'b', 'c'])[1 + i % 3] FROM generate_series(1, 5000) i;
CREATE TABLE sp_pair_late (user_id bigint) WITH (autovacuum_enabled = off);
INSERT INTO sp_pair_late SELECT 1 + i % 300 FROM generate_series(1, 3000) i;
ALTER TABLE sp_pair_late ADD COLUMN event text DEFAULT 'buy', ADD COLUMN ts timestamptz DEFAULT '2026-04-20',
                         ADD COLUMN price numeric DEFAULT 4;
INSERT INTO sp_pair_late SELECT 1 + i % 500, (ARRAY['buy', 'view'])[1 + i % 2], '2026-04-01'::timestamptz + (i % 40) * interval '1 day', i % 10
FROM generate_series(1, 6000) i;
CREATE TABLE sp_pair_defs (id int, d text);
INSERT INTO sp_pair_defs VALUES
 (1, '{"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 300}}'),
 (2, '{"performed": {"event": "buy", "aggregate": "sum", "property": "bonus", "op": ">=", "value": 30, "days": 90}}'),
 (3, '{"performed": {"event": "view", "op": ">=", "value": 4, "where": {"tag": ["a", "b"]}}}'),
 (4, '{"performed": {"event": "view", "op": ">=", "value": 3, "days": 100, "where": {"category": "books"}}}'),
 (5, '{"performed": {"event": "view", "aggregate": "count_distinct", "property": "category", "op": ">=", "value": 2}}'),
 (6, '{"not": {"performed": {"event": "buy", "op": ">=", "value": 30, "days": 60}}}'),
 (7, '{"performed": {"event": "' || repeat('L', 200) || '", "op": ">=", "value": 1}}'),
 (8, '{"performed": {"event": "buy", "aggregate": "sum", "property": "qty", "op": ">=", "value": 40, "days": 80}}'),
 (9, '{"not": {"performed": {"event": "vi", "aggregate": "avg", "property": "price", "op": ">", "value": 50}}}'),
 (10, '{"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 25, "days": 30}}'),
 (11, '{"performed": {"event": "buy", "op": ">=", "value": 8}}');
BEGIN;
SELECT t, id, (a).path AS direct_path, (b).path AS executor_path, coalesce(cardinality((a).m), 0) AS members,
       (a).m IS NOT DISTINCT FROM (b).m AS identical
  FROM (VALUES ('sp_pair'::regclass, 0), ('sp_pair_late'::regclass, 1)) v(t, late), sp_pair_defs,
       LATERAL pg_temp.path_members(d, t, '2026-05-01', true) a, LATERAL pg_temp.path_members(d, t, '2026-05-01', false) b
 WHERE late = 0 OR id IN (1, 6, 9, 10, 11) ORDER BY t, id;
COMMIT;
DROP TABLE sp_pair, sp_pair_late, sp_pair_defs;

-- All-visible pages (after VACUUM) have their tuples listed without per-tuple visibility checks;
-- a page a later DELETE or UPDATE touched is not all-visible any more and is decided tuple by
-- tuple, as is every page under a serializable transaction (heapgetpage() then).
CREATE TABLE sp_vis (user_id int, event text, ts timestamptz) WITH (autovacuum_enabled = off);
INSERT INTO sp_vis SELECT (random() * 300)::int, (ARRAY['buy', 'view'])[1 + (random() < 0.5)::int],
                          '2026-01-01'::timestamptz + (random() * 90)::int * interval '1 day'
  FROM generate_series(1, 30000) i;
VACUUM sp_vis;
SELECT relpages > 20 AND relallvisible = relpages AS all_visible FROM pg_class WHERE relname = 'sp_vis';
CREATE FUNCTION pg_temp.vis_check(OUT path text, OUT members int, OUT same_as_plain_sql boolean)
LANGUAGE plpgsql AS $$
DECLARE m bigint[];
BEGIN
  SELECT array_agg(user_id ORDER BY user_id) INTO m
    FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 34, "days": 60}}', 'sp_vis', NULL, '2026-04-01');
  SELECT events_scan INTO path FROM cohort.last_evaluation();
  members := coalesce(cardinality(m), 0);
  same_as_plain_sql := m IS NOT DISTINCT FROM (
    SELECT array_agg(user_id::bigint ORDER BY user_id) FROM (
      SELECT user_id FROM sp_vis WHERE event = 'buy' AND ts >= timestamptz '2026-04-01' - interval '60 days'
         AND ts <= '2026-04-01' AND user_id IS NOT NULL
       GROUP BY user_id HAVING count(*) >= 34) q);
END $$;
SELECT * FROM pg_temp.vis_check();
-- Rows deleted and updated after VACUUM, committed: their pages lost the all-visible flag.
DELETE FROM sp_vis WHERE user_id % 7 = 0 AND ts > '2026-03-01';
UPDATE sp_vis SET event = 'view' WHERE user_id % 11 = 0 AND event = 'buy' AND ts > '2026-02-20';
SELECT * FROM pg_temp.vis_check();
-- The same inside a transaction that deletes more rows (seen by its own scan only), rolled back.
BEGIN;
DELETE FROM sp_vis WHERE user_id % 5 = 0;
SELECT * FROM pg_temp.vis_check();
ROLLBACK;
VACUUM sp_vis;
SELECT relallvisible = relpages AS all_visible_again FROM pg_class WHERE relname = 'sp_vis';
SELECT * FROM pg_temp.vis_check();
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT * FROM pg_temp.vis_check();
COMMIT;
DROP TABLE sp_vis;

-- Rows that feed no accumulator are dropped before any lookup when the universe does not depend
-- on them (a customers relation, or no definition matching a user without events): an event's
-- rows older than its own accumulators' windows, or failing their filters. Both paths keep the
-- same rows (event_rows), and members are those of plain SQL.
CREATE TABLE sp_rel (user_id int, event text, ts timestamptz, category text, price numeric, channel text)
  WITH (autovacuum_enabled = off);
INSERT INTO sp_rel
SELECT i % 500, (ARRAY['cart', 'pay', 'view'])[1 + i % 3], '2026-05-01'::timestamptz - (i % 120) * interval '1 day',
       (ARRAY['electronics', 'books', 'home', NULL])[1 + i % 4], (i % 97) * 10, (ARRAY['web', 'app', 'store'])[1 + (i / 7) % 3]
FROM generate_series(1, 60000) i;
CREATE TABLE sp_rel_customers AS SELECT u AS user_id, 20 + u % 50 AS age FROM generate_series(0, 520) u;
CREATE FUNCTION pg_temp.rel_check(def text, customers regclass, direct boolean,
                                  OUT path text, OUT event_rows bigint, OUT m bigint[])
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id ORDER BY user_id) INTO m FROM cohort.evaluate(def::cohort.definition, 'sp_rel', customers, '2026-05-01');
  SELECT l.events_scan, l.event_rows INTO path, event_rows FROM cohort.last_evaluation() l;
END $$;
CREATE TABLE sp_rel_defs (id int, d text, customers regclass, plain bigint[], feeding_rows bigint);
INSERT INTO sp_rel_defs
-- cart over 10 days, pay over 30, electronics views over 90: 11 + 31 + (91 days, a quarter of views) rows' worth
SELECT 1, '{"any": [{"all": [{"performed": {"event": "cart", "aggregate": "sum", "property": "price", "op": ">=", "value": 300, "days": 10}},
                             {"not": {"performed": {"event": "pay", "op": ">=", "value": 2, "days": 30}}},
                             {"attribute": {"name": "age", "min": 25, "max": 45}}]},
                    {"performed": {"event": "view", "op": ">=", "value": 5, "days": 90, "where": {"category": "electronics"}}}]}',
       'sp_rel_customers'::regclass,
       (SELECT array_agg(c.user_id ORDER BY c.user_id) FROM sp_rel_customers c LEFT JOIN (
          SELECT user_id,
                 coalesce(sum(price) FILTER (WHERE event = 'cart' AND ts >= timestamptz '2026-05-01' - interval '10 days'), 0) AS cart,
                 count(*) FILTER (WHERE event = 'pay' AND ts >= timestamptz '2026-05-01' - interval '30 days') AS pay,
                 count(*) FILTER (WHERE event = 'view' AND category = 'electronics' AND ts >= timestamptz '2026-05-01' - interval '90 days') AS views
            FROM sp_rel WHERE ts <= '2026-05-01' GROUP BY user_id) e USING (user_id)
         WHERE (coalesce(e.cart, 0) >= 300 AND NOT coalesce(e.pay, 0) >= 2 AND c.age BETWEEN 25 AND 45) OR coalesce(e.views, 0) >= 5),
       (SELECT count(*) FROM sp_rel WHERE ts <= '2026-05-01' AND user_id IS NOT NULL AND
          ((event = 'cart' AND ts >= timestamptz '2026-05-01' - interval '10 days')
           OR (event = 'pay' AND ts >= timestamptz '2026-05-01' - interval '30 days')
           OR (event = 'view' AND category = 'electronics' AND ts >= timestamptz '2026-05-01' - interval '90 days')))
UNION ALL
-- one event, two accumulators: any books or home row in 100 days, or any row in 20 days (no customers)
SELECT 2, '{"any": [{"performed": {"event": "view", "op": ">=", "value": 30, "days": 100, "where": {"category": ["books", "home"]}}},
                    {"performed": {"event": "view", "op": ">=", "value": 8, "days": 20}}]}',
       NULL,
       (SELECT array_agg(user_id ORDER BY user_id) FROM (
          SELECT user_id FROM sp_rel WHERE event = 'view' AND ts <= '2026-05-01' AND user_id IS NOT NULL GROUP BY user_id
          HAVING count(*) FILTER (WHERE category IN ('books', 'home') AND ts >= timestamptz '2026-05-01' - interval '100 days') >= 30
              OR count(*) FILTER (WHERE ts >= timestamptz '2026-05-01' - interval '20 days') >= 8) q),
       (SELECT count(*) FROM sp_rel WHERE event = 'view' AND ts <= '2026-05-01' AND user_id IS NOT NULL AND
          ((category IN ('books', 'home') AND ts >= timestamptz '2026-05-01' - interval '100 days')
           OR ts >= timestamptz '2026-05-01' - interval '20 days'))
UNION ALL
-- two filter columns (books or home pay rows from the app in 60 days, or home pay rows in 30), and cart rows in 15 days
SELECT 4, '{"any": [{"performed": {"event": "pay", "op": ">=", "value": 6, "days": 60, "where": {"category": ["books", "home"], "channel": "app"}}},
                    {"performed": {"event": "pay", "op": ">=", "value": 4, "days": 30, "where": {"category": "home"}}},
                    {"performed": {"event": "cart", "op": ">=", "value": 9, "days": 15}}]}',
       'sp_rel_customers'::regclass,
       (SELECT array_agg(c.user_id ORDER BY c.user_id) FROM sp_rel_customers c JOIN (
          SELECT user_id FROM sp_rel WHERE ts <= '2026-05-01' GROUP BY user_id
          HAVING count(*) FILTER (WHERE event = 'pay' AND category IN ('books', 'home') AND channel = 'app'
                                    AND ts >= timestamptz '2026-05-01' - interval '60 days') >= 6
              OR count(*) FILTER (WHERE event = 'pay' AND category = 'home' AND ts >= timestamptz '2026-05-01' - interval '30 days') >= 4
              OR count(*) FILTER (WHERE event = 'cart' AND ts >= timestamptz '2026-05-01' - interval '15 days') >= 9) e USING (user_id)),
       (SELECT count(*) FROM sp_rel WHERE ts <= '2026-05-01' AND user_id IS NOT NULL AND
          ((event = 'pay' AND category IN ('books', 'home') AND channel = 'app'
            AND ts >= timestamptz '2026-05-01' - interval '60 days')
           OR (event = 'pay' AND category = 'home' AND ts >= timestamptz '2026-05-01' - interval '30 days')
           OR (event = 'cart' AND ts >= timestamptz '2026-05-01' - interval '15 days')))
UNION ALL
-- a NOT over no customers: every row is read (the universe), none dropped
SELECT 3, '{"not": {"performed": {"event": "pay", "op": ">=", "value": 1, "days": 5, "where": {"category": "home"}}}}',
       NULL,
       (SELECT array_agg(DISTINCT user_id ORDER BY user_id) FROM sp_rel WHERE ts <= '2026-05-01' AND user_id IS NOT NULL
         AND user_id NOT IN (SELECT user_id FROM sp_rel WHERE event = 'pay' AND category = 'home'
                               AND ts >= timestamptz '2026-05-01' - interval '5 days' AND ts <= '2026-05-01')),
       (SELECT count(*) FROM sp_rel WHERE ts <= '2026-05-01' AND user_id IS NOT NULL);
SELECT id, (a).path AS direct_path, (b).path AS executor_path, coalesce(cardinality((a).m), 0) AS members,
       (a).m IS NOT DISTINCT FROM plain AS direct_as_plain_sql, (b).m IS NOT DISTINCT FROM plain AS executor_as_plain_sql,
       (a).event_rows = feeding_rows AS direct_rows_feed, (b).event_rows = feeding_rows AS executor_rows_feed
  FROM sp_rel_defs, LATERAL pg_temp.rel_check(d, customers, true) a, LATERAL pg_temp.rel_check(d, customers, false) b
 ORDER BY id;
DROP TABLE sp_rel, sp_rel_customers, sp_rel_defs;

-- The direct scan counts in the table's statistics as a sequential scan of every visible row.
CREATE TABLE sp_stats (user_id int, event text, ts timestamptz) WITH (autovacuum_enabled = off);
INSERT INTO sp_stats SELECT i % 100, 'buy', '2026-01-01'::timestamptz + i * interval '1 minute' FROM generate_series(1, 5000) i;
DELETE FROM sp_stats WHERE user_id = 7;
SELECT pg_stat_force_next_flush();
SELECT seq_scan, seq_tup_read FROM pg_stat_user_tables WHERE relname = 'sp_stats';
SELECT count(*) AS members
  FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 1}}', 'sp_stats', NULL, '2026-05-01');
SELECT events_scan, event_rows FROM cohort.last_evaluation();
SELECT pg_stat_force_next_flush();
SELECT seq_scan, seq_tup_read FROM pg_stat_user_tables WHERE relname = 'sp_stats';
DROP TABLE sp_stats;

-- The direct scan looks for the next page at the buffer-number stride the two pages before it
-- confirmed, through the buffer mapping otherwise. Here sp_pin_a's pages 0-9 and 20-29 are
-- written by one statement each (a steady stride) and pages 10-19 one at a time in turn with
-- sp_pin_b's (another stride, broken where the writes switch): guesses hold, fail on another
-- table's page, and are taken up again. Every page counts once in the table's statistics, as a
-- hit (ReadBufferExtended() counts so), and the members are plain SQL's.
CREATE TABLE sp_pin_a (user_id int, event text, ts timestamptz, pad text) WITH (autovacuum_enabled = off);
CREATE TABLE sp_pin_b (user_id int, event text, ts timestamptz, pad text) WITH (autovacuum_enabled = off);
CREATE FUNCTION pg_temp.sp_pin_fill(tab regclass, first_page int, pages int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN  -- whole 8 kB pages in one statement: 5 rows of about 1.5 kB each (a sixth would not fit)
  EXECUTE format('INSERT INTO %s SELECT i %% 7, CASE WHEN i %% 3 = 0 THEN ''buy'' ELSE ''view'' END,
                  ''2026-01-01''::timestamptz + i * interval ''1 hour'', repeat(''x'', 1450)
                  FROM generate_series($1 * 5, ($1 + $2) * 5 - 1) i', tab) USING first_page, pages;
END $$;
DO $$
BEGIN
  PERFORM pg_temp.sp_pin_fill('sp_pin_a', 0, 10);
  FOR p IN 10..19 LOOP
    PERFORM pg_temp.sp_pin_fill('sp_pin_a', p, 1);
    PERFORM pg_temp.sp_pin_fill('sp_pin_b', p, 1);
  END LOOP;
  PERFORM pg_temp.sp_pin_fill('sp_pin_a', 20, 10);
END $$;
SELECT pg_relation_size('sp_pin_a') / 8192 AS pages_a, pg_relation_size('sp_pin_b') / 8192 AS pages_b;
SELECT pg_stat_force_next_flush();
CREATE TEMP TABLE sp_pin_blocks AS
  SELECT relname, heap_blks_read AS read_before, heap_blks_hit AS hit_before
    FROM pg_statio_user_tables WHERE relname LIKE 'sp_pin_%';
CREATE TEMP TABLE sp_pin_members AS
  SELECT 'a' AS tab, array_agg(user_id ORDER BY user_id) AS m
    FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 7}}', 'sp_pin_a', NULL, '2026-12-01')
  UNION ALL
  SELECT 'b', array_agg(user_id ORDER BY user_id)
    FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 3}}', 'sp_pin_b', NULL, '2026-12-01');
SELECT pg_stat_force_next_flush();
SELECT relname, heap_blks_read - read_before AS blocks_read, heap_blks_hit - hit_before AS blocks_hit
  FROM pg_statio_user_tables JOIN sp_pin_blocks USING (relname) ORDER BY relname;
SELECT tab, cardinality(m) AS members, m = (SELECT array_agg(user_id ORDER BY user_id) FROM
                  (SELECT user_id::bigint FROM sp_pin_a WHERE event = 'buy' GROUP BY user_id HAVING count(*) >= 7) s) AS as_plain_sql
  FROM sp_pin_members WHERE tab = 'a'
UNION ALL
SELECT tab, cardinality(m), m = (SELECT array_agg(user_id ORDER BY user_id) FROM
                  (SELECT user_id::bigint FROM sp_pin_b WHERE event = 'buy' GROUP BY user_id HAVING count(*) >= 3) s)
  FROM sp_pin_members WHERE tab = 'b';
DROP TABLE sp_pin_a, sp_pin_b, sp_pin_blocks, sp_pin_members;

-- Where guesses by stride keep failing (pages scattered over the buffer pool), the direct scan
-- reads every buffer descriptor once into a map of where the table's pages are, after 128
-- lookups, if the table has at most shared_buffers pages, those lookups mostly found their pages
-- in the pool, and the pages this participant has left to read are at least a sixteenth of
-- shared_buffers. Here each page of sp_map is followed by 0, 1 or 2 pages of sp_map_gap in
-- turn, so that the buffer-number steps between its pages never repeat (no stride is
-- confirmed). sp_map has enough pages for the map in each of two workers; sp_map_small too few
-- for one. Members are plain SQL's, every row is read once, every page counts once as a hit, and
-- most pages are pinned by a guess (last_evaluation().pages_guessed) where a map was built.
CREATE TABLE sp_map (user_id int, event text, ts timestamptz, pad text) WITH (autovacuum_enabled = off);
CREATE TABLE sp_map_small (user_id int, event text, ts timestamptz, pad text) WITH (autovacuum_enabled = off);
CREATE TABLE sp_map_gap (user_id int, event text, ts timestamptz, pad text) WITH (autovacuum_enabled = off);
SELECT setting::int / 8 + 600 AS map_pages FROM pg_settings WHERE name = 'shared_buffers' \gset
SET sp.map_pages = :map_pages;
DO $$
BEGIN
  FOR p IN 0..current_setting('sp.map_pages')::int - 1 LOOP
    PERFORM pg_temp.sp_pin_fill('sp_map', p, 1);
    IF p < 400 THEN PERFORM pg_temp.sp_pin_fill('sp_map_small', p, 1); END IF;
    IF p % 3 > 0 THEN PERFORM pg_temp.sp_pin_fill('sp_map_gap', p, p % 3); END IF;
  END LOOP;
END $$;
SELECT pg_relation_size('sp_map') / 8192 = :map_pages AS all_pages_written, pg_relation_size('sp_map_small') / 8192 AS small_pages;
CREATE FUNCTION pg_temp.sp_map_members(tab regclass) RETURNS bigint[] LANGUAGE sql AS $$
  SELECT array_agg(user_id ORDER BY user_id)
    FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 1}}', tab, NULL, '2027-12-01') $$;
CREATE TEMP TABLE sp_map_plain AS
  SELECT 'sp_map'::regclass AS tab, array_agg(user_id::bigint ORDER BY user_id) AS m,
         (SELECT count(*) FROM sp_map WHERE event = 'buy') AS rows
    FROM (SELECT DISTINCT user_id FROM sp_map WHERE event = 'buy') s
  UNION ALL
  SELECT 'sp_map_small'::regclass, array_agg(user_id::bigint ORDER BY user_id), (SELECT count(*) FROM sp_map_small WHERE event = 'buy')
    FROM (SELECT DISTINCT user_id FROM sp_map_small WHERE event = 'buy') s;
SELECT tab, cardinality(m) AS plain_members FROM sp_map_plain ORDER BY tab;
-- A guessed buffer is only taken at its maximum usage count (see the next test): each
-- evaluation's lookups raise the counts until then.
DO $$ BEGIN FOR i IN 1..5 LOOP PERFORM pg_temp.sp_map_members('sp_map'), pg_temp.sp_map_members('sp_map_small'); END LOOP; END $$;
SELECT pg_stat_force_next_flush();
CREATE TEMP TABLE sp_map_blocks AS
  SELECT heap_blks_read AS read_before, heap_blks_hit AS hit_before FROM pg_statio_user_tables WHERE relname = 'sp_map';
SELECT pg_temp.sp_map_members('sp_map') = (SELECT m FROM sp_map_plain WHERE tab = 'sp_map'::regclass) AS as_plain_sql;
SELECT events_scan, event_rows = (SELECT rows FROM sp_map_plain WHERE tab = 'sp_map'::regclass) AS every_row_once,
       pages_guessed > :map_pages / 2 AS mostly_guessed, pages_guessed <= :map_pages AS at_most_every_page
  FROM cohort.last_evaluation();
SELECT pg_stat_force_next_flush();
SELECT heap_blks_read - read_before AS blocks_read, heap_blks_hit - hit_before = :map_pages AS every_page_a_hit
  FROM pg_statio_user_tables, sp_map_blocks WHERE relname = 'sp_map';
-- Too few pages for a map: hardly a page guessed.
SELECT pg_temp.sp_map_members('sp_map_small') = (SELECT m FROM sp_map_plain WHERE tab = 'sp_map_small'::regclass) AS as_plain_sql;
SELECT events_scan, event_rows = (SELECT rows FROM sp_map_plain WHERE tab = 'sp_map_small'::regclass) AS every_row_once,
       pages_guessed < 100 AS hardly_guessed
  FROM cohort.last_evaluation();
-- Two workers and not the leader: each builds its own map after its own 128 lookups.
ALTER TABLE sp_map SET (parallel_workers = 2);
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT pg_temp.sp_map_members('sp_map') = (SELECT m FROM sp_map_plain WHERE tab = 'sp_map'::regclass) AS as_plain_sql;
SELECT events_scan, workers_launched, event_rows = (SELECT rows FROM sp_map_plain WHERE tab = 'sp_map'::regclass) AS every_row_once,
       pages_guessed > :map_pages / 2 AS mostly_guessed, pages_guessed <= :map_pages AS at_most_every_page
  FROM cohort.last_evaluation();
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET sp.map_pages;
DROP TABLE sp_map, sp_map_small, sp_map_gap, sp_map_plain, sp_map_blocks;

-- Pinning a page by its guessed buffer does not raise the buffer's usage count, so the scan only
-- takes that way when ReadBufferExtended() would not raise it either (here, without a ring: the
-- count already at its maximum, 5): pages cohort reads stay as hot in shared_buffers as pages a
-- sequential scan reads. Each page here starts at a count below 5 (one row a page); each
-- evaluation must raise every page's count by one, up to 5, as a sequential scan does. (This
-- holds while free buffers remain: only the clock sweep, which runs once none do, lowers counts.)
CREATE EXTENSION pg_buffercache;
CREATE TABLE sp_usage (user_id int, event text, ts timestamptz, pad text)
  WITH (autovacuum_enabled = off, fillfactor = 10);
INSERT INTO sp_usage SELECT i % 7, 'buy', '2026-01-01'::timestamptz + i * interval '1 hour', repeat('x', 600)
  FROM generate_series(1, 40) i;
CREATE FUNCTION pg_temp.sp_usage_counts() RETURNS int[] LANGUAGE sql AS $$
  SELECT array_agg(usagecount ORDER BY relblocknumber) FROM pg_buffercache
   WHERE relfilenode = pg_relation_filenode('sp_usage') AND reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND relforknumber = 0 $$;
SELECT cardinality(pg_temp.sp_usage_counts()) AS pages_cached, pg_relation_size('sp_usage') / 8192 AS pages,
       (SELECT max(u) FROM unnest(pg_temp.sp_usage_counts()) u) < 5 AS below_max;
CREATE FUNCTION pg_temp.sp_free_buffers() RETURNS bool LANGUAGE sql AS $$
  SELECT count(*) > 1000 FROM pg_buffercache WHERE relfilenode IS NULL $$;
CREATE TEMP TABLE sp_usage_steps (step int, counts int[], free_buffers bool);
INSERT INTO sp_usage_steps VALUES (0, pg_temp.sp_usage_counts(), pg_temp.sp_free_buffers());
DO $$
BEGIN
  FOR step IN 1..5 LOOP
    PERFORM count(*) FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 1}}', 'sp_usage', NULL, '2026-12-01');
    INSERT INTO sp_usage_steps VALUES (step, pg_temp.sp_usage_counts(), pg_temp.sp_free_buffers());
  END LOOP;
END $$;
SELECT events_scan FROM cohort.last_evaluation();
-- every page's count: one more than before each evaluation, at most 5
SELECT s.step, bool_and(x.now = least(x.before + 1, 5)) AS raised_as_a_sequential_scan,
       min(x.before) AS lowest_before, max(x.before) AS highest_before, bool_and(s.free_buffers) AS free_buffers_left
  FROM sp_usage_steps s JOIN sp_usage_steps prev ON prev.step = s.step - 1,
       unnest(s.counts, prev.counts) AS x(now, before)
 GROUP BY s.step ORDER BY s.step;
DROP TABLE sp_usage, sp_usage_steps;
DROP EXTENSION pg_buffercache;

-- The smallest and largest user ids (the smallest is also the per-user table's free-entry marker)
-- in both sources of the direct path, each far enough into its batch to be looked up ahead:
-- members as plain SQL finds them, for definitions with and without customers columns.
CREATE TABLE sp_ext_events (user_id bigint, event text, ts timestamptz, price numeric);
CREATE TABLE sp_ext_customers (user_id bigint, age int, risk_level text);
INSERT INTO sp_ext_events SELECT u, 'buy', '2026-11-01'::timestamptz + (u % 20) * interval '1 day', u % 7
  FROM generate_series(1, 300) u, generate_series(1, 2);
INSERT INTO sp_ext_events VALUES (-9223372036854775808, 'buy', '2026-11-20', 5), (9223372036854775807, 'buy', '2026-11-20', 9),
  (-9223372036854775808, 'buy', '2026-11-21', 6);
INSERT INTO sp_ext_customers SELECT u, 20 + (u % 50)::int, 'low' FROM generate_series(1, 300) u;
INSERT INTO sp_ext_customers VALUES (-9223372036854775808, 30, 'low'), (9223372036854775807, 40, 'high');
VACUUM ANALYZE sp_ext_events, sp_ext_customers;
CREATE TEMP TABLE sp_ext_plain AS
SELECT c.user_id, coalesce(sum(e.price), 0) AS total, c.age
  FROM sp_ext_customers c LEFT JOIN sp_ext_events e
    ON e.user_id = c.user_id AND e.event = 'buy' AND e.ts >= '2026-12-01'::timestamptz - make_interval(days => 30)
       AND e.ts <= '2026-12-01'
 GROUP BY c.user_id, c.age;
SELECT (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(
          '{"all": [{"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 8, "days": 30}}, {"attribute": {"name": "age", "min": 25, "max": 45}}]}',
          'sp_ext_events', 'sp_ext_customers', '2026-12-01'))
       IS NOT DISTINCT FROM (SELECT array_agg(user_id ORDER BY user_id) FROM sp_ext_plain WHERE total >= 8 AND age BETWEEN 25 AND 45)
         AS with_customers_columns_as_plain_sql,
       (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(
          '{"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 8, "days": 30}}',
          'sp_ext_events', 'sp_ext_customers', '2026-12-01'))
       IS NOT DISTINCT FROM (SELECT array_agg(user_id ORDER BY user_id) FROM sp_ext_plain WHERE total >= 8)
         AS events_only_as_plain_sql,
       (SELECT count(*) FROM sp_ext_plain WHERE user_id IN (-9223372036854775808, 9223372036854775807) AND total >= 8)
         AS extreme_ids_with_enough;
SELECT events_scan, customers_scan FROM cohort.last_evaluation();
DROP TABLE sp_ext_events, sp_ext_customers, sp_ext_plain;

-- Customers rows of users whose events rule out every definition are dropped at their user_id,
-- on both paths; members against plain SQL (the executor path skips them too, so only plain SQL
-- can tell a wrong skip): NOT over attributes and over churn risk, NULL risk levels and NULL
-- engagement parts, customers without events, and user ids dense, at both int64 extremes
-- (bits over their span) and spread over the whole range (no bits: every row read).
CREATE TABLE sp_skip_events (user_id bigint, event text, ts timestamptz, price numeric);
CREATE TABLE sp_skip_customers (user_id bigint, age int, risk_level text, email_opens int, website_visits int,
                                total_purchases int);
CREATE FUNCTION pg_temp.skip_case(layout text) RETURNS TABLE (definition int, members int, direct_as_sql boolean, executor_as_sql boolean)
LANGUAGE plpgsql AS $$
DECLARE base bigint := CASE layout WHEN 'dense' THEN 0 WHEN 'top' THEN 9223372036854775807 - 400
                                   WHEN 'bottom' THEN -9223372036854775808 ELSE 0 END;
BEGIN
  TRUNCATE sp_skip_events, sp_skip_customers;
  -- id k of the layout: base + k, or k spread over the whole range
  INSERT INTO sp_skip_customers
  SELECT CASE WHEN layout = 'spread' THEN (k - 200) * 40000000000000000 + k ELSE base + k END,
         CASE WHEN k % 13 = 0 THEN NULL ELSE 18 + k % 50 END,
         CASE k % 5 WHEN 0 THEN NULL WHEN 1 THEN ' High' WHEN 2 THEN 'low' WHEN 3 THEN 'MEDIUM' ELSE 'other' END,
         CASE WHEN k % 7 = 0 THEN NULL ELSE k % 40 END, CASE WHEN k % 11 = 0 THEN NULL ELSE k % 35 END, k % 30
    FROM generate_series(1, 400) k;
  INSERT INTO sp_skip_events  -- users 1..300 of the layout have events
  SELECT CASE WHEN layout = 'spread' THEN (k - 200) * 40000000000000000 + k ELSE base + k END,
         (ARRAY['buy', 'view'])[1 + (k * j) % 2], '2026-06-01'::timestamptz + ((k * 7 + j * 3) % 60) * interval '1 day',
         (k * j) % 90
    FROM generate_series(1, 300) k, generate_series(1, 1 + k % 6) j;
  RETURN QUERY
  WITH defs(id, d, hand) AS (VALUES
    (1, '{"all": [{"performed": {"event": "buy", "op": ">=", "value": 2, "days": 30}}, {"not": {"attribute": {"name": "age", "min": 40}}}]}',
     'buys >= 2 AND NOT coalesce(age >= 40, false)'),
    (2, '{"any": [{"all": [{"performed": {"event": "view", "op": ">=", "value": 2, "days": 30}}, {"not": {"churn_risk_level": "high"}}]},
                  {"all": [{"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 120, "days": 30}}, {"churn_risk_level": "low"}]}]}',
     '(views >= 2 AND NOT coalesce(lower(btrim(risk_level)) = ''high'', false)) OR (spent >= 120 AND coalesce(lower(btrim(risk_level)) = ''low'', false))'),
    (3, '{"all": [{"not": {"performed": {"event": "buy", "op": ">=", "value": 1, "days": 30}}}, {"engagement_level": "medium"}]}',
     'buys = 0 AND score >= 10 AND score < 20'),
    (4, '{"not": {"any": [{"not": {"not": {"attribute": {"name": "age", "max": 30}}}}, {"performed": {"event": "view", "op": ">=", "value": 3, "days": 30}}]}}',
     'NOT (coalesce(age <= 30, false) OR views >= 3)'))
  SELECT defs.id, (SELECT count(*)::int FROM pg_temp.skip_hand(defs.hand)),
         (SELECT array_agg(u ORDER BY u) FROM pg_temp.skip_members(defs.d::cohort.definition, true) u)
           IS NOT DISTINCT FROM (SELECT array_agg(u ORDER BY u) FROM pg_temp.skip_hand(defs.hand) u),
         (SELECT array_agg(u ORDER BY u) FROM pg_temp.skip_members(defs.d::cohort.definition, false) u)
           IS NOT DISTINCT FROM (SELECT array_agg(u ORDER BY u) FROM pg_temp.skip_hand(defs.hand) u)
    FROM defs ORDER BY defs.id;
END $$;
CREATE FUNCTION pg_temp.skip_members(d cohort.definition, direct boolean) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  RETURN QUERY SELECT user_id FROM cohort.evaluate(d, 'sp_skip_events', 'sp_skip_customers', '2026-07-30');
END $$;
CREATE FUNCTION pg_temp.skip_hand(cond text) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format($q$
    SELECT c.user_id FROM (
      SELECT c.*, coalesce(e.buys, 0) AS buys, coalesce(e.spent, 0) AS spent, coalesce(e.views, 0) AS views,
             coalesce(c.email_opens, 0) * 0.3::float8 + coalesce(c.website_visits, 0) * 0.4::float8
               + coalesce(c.total_purchases, 0) * 0.3::float8 AS score
        FROM sp_skip_customers c LEFT JOIN (
          SELECT user_id, count(*) FILTER (WHERE event = 'buy') AS buys, sum(price) FILTER (WHERE event = 'buy') AS spent,
                 count(*) FILTER (WHERE event = 'view') AS views
            FROM sp_skip_events WHERE ts >= '2026-07-30'::timestamptz - interval '30 days' AND ts <= '2026-07-30'
           GROUP BY user_id) e USING (user_id)) c
     WHERE c.user_id IS NOT NULL AND (%s)$q$, cond);
END $$;
SELECT l.layout, s.* FROM (VALUES ('dense'), ('top'), ('bottom'), ('spread')) l(layout), LATERAL pg_temp.skip_case(l.layout) s
 ORDER BY 1, 2;
DROP TABLE sp_skip_events, sp_skip_customers;

-- last_evaluation() in a fresh session, before any evaluation, reports nothing done.
\c
SELECT * FROM cohort.last_evaluation();
