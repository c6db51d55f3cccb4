-- Tables of another access method: cohort reads heap tables page by page and those of any other
-- access method through a table slot (src/pg/heap_scan.cpp). heap_copy (test/modules/heap_copy_am,
-- installed by scripts/test.sh) is heap's callbacks under a routine of its own whose scans hide
-- every row whose bigint user_id is -1, so its tables take the slot path and a read of
-- their pages that went round the access method would count user -1. Members must equal the
-- executor path, a heap copy of the rows the access method shows, read page by page, and plain
-- SQL: serially, in parallel, with customers of that access method, in partitions beside heap
-- ones, in a temporary table, with the transaction's own rows, under row-level security with
-- policies on ctid and tableoid, and for funnel_levels and statistics.
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.75);
CREATE FUNCTION heap_copy_am_handler(internal) RETURNS table_am_handler AS 'heap_copy_am' LANGUAGE C;
CREATE ACCESS METHOD heap_copy TYPE TABLE HANDLER heap_copy_am_handler;

-- Autovacuum off: the ctid policy below depends on where rows sit.
CREATE TABLE am_events (user_id bigint, event text, ts timestamptz, price numeric, category text, note text)
  USING heap_copy WITH (autovacuum_enabled = off);
ALTER TABLE am_events ALTER note SET STORAGE EXTERNAL;  -- long notes out of line, uncompressed
INSERT INTO am_events
SELECT 1 + (random() * 300)::int,
       (ARRAY['payment_successful', 'cart_added', 'product_viewed', 'checkout_started'])[1 + (random() * 3)::int],
       '2026-01-01 00:00+00'::timestamptz + random() * interval '200 days',
       CASE WHEN random() < 0.05 THEN NULL
            WHEN random() < 0.02 THEN 'NaN'::numeric
            ELSE round((random() * 5000)::numeric) END,          -- whole numbers: exact float sums
       (ARRAY['books', 'electronics', 'fashion', NULL])[1 + (random() * 3)::int],
       repeat(chr(97 + (random() * 20)::int), (random() * 2500)::int)
FROM generate_series(1, 20000);
INSERT INTO am_events VALUES (NULL, 'payment_successful', '2026-02-01', 1, 'books', NULL),
                             (7, 'payment_successful', NULL, 1, 'books', NULL),
                             (8, NULL, '2026-02-01', 1, 'books', NULL);
-- User -1, whom the access method hides, would be a member of most definitions below.
INSERT INTO am_events
SELECT -1, e, '2026-05-01'::timestamptz + g * interval '1 hour', 4000, 'books', repeat('z', 3000)
  FROM generate_series(1, 60) g, unnest(ARRAY['payment_successful', 'cart_added', 'product_viewed', 'checkout_started']) e;
-- Dead and updated rows the slot must not return, and a column added later with a default that
-- old rows do not store.
DELETE FROM am_events WHERE user_id % 17 = 0 AND event = 'cart_added';
UPDATE am_events SET price = price + 1 WHERE user_id % 13 = 0 AND event = 'payment_successful';
ALTER TABLE am_events ADD COLUMN qty int DEFAULT 3;
INSERT INTO am_events SELECT user_id, event, ts + interval '1 day', price, category, note, 5
  FROM am_events WHERE user_id % 29 = 0 AND ts < '2026-07-01';
CREATE TABLE am_customers USING heap_copy AS
SELECT u::bigint AS user_id, (18 + random() * 60)::int AS age, (random() * 40)::int AS email_opens,
       (random() * 40)::int AS website_visits, (random() * 30)::int AS total_purchases,
       round(random()::numeric, 3)::float8 AS churn_score,
       (ARRAY['high', 'medium', 'low', NULL])[1 + (random() * 3)::int] AS risk_level
FROM generate_series(1, 320) u;
INSERT INTO am_customers VALUES (-1, 40, 30, 30, 20, 0.9, 'high');
-- The same rows, as the access method shows them, in heap tables, which cohort reads page by page.
CREATE TABLE am_heap_events AS SELECT * FROM am_events;
CREATE TABLE am_heap_customers AS SELECT * FROM am_customers;
SELECT c.relname, a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
 WHERE c.relname IN ('am_events', 'am_customers', 'am_heap_events', 'am_heap_customers') ORDER BY 1;
-- User -1's 240 rows are on the pages (pageinspect, the first 8 bytes of each live tuple's data)
-- but not in the scans; some notes are out of line.
CREATE EXTENSION IF NOT EXISTS pageinspect;
SELECT (SELECT count(*) FROM generate_series(0, pg_relation_size('am_events') / 8192 - 1) b,
                             heap_page_items(get_raw_page('am_events', b::int)) i
         WHERE i.lp_flags = 1 AND i.t_xmax = '0' AND substr(i.t_data, 1, 8) = '\xffffffffffffffff'::bytea) AS hidden_on_pages,
       (SELECT count(*) FROM am_events WHERE user_id = -1) AS hidden_in_scans,
       (SELECT pg_relation_size(reltoastrelid) > 0 FROM pg_class WHERE oid = 'am_events'::regclass) AS some_out_of_line;
DROP EXTENSION pageinspect;

CREATE TABLE am_defs (id serial, d cohort.definition);
INSERT INTO am_defs (d) VALUES
  ('[{"action": "payment_successful", "operation": "sum", "property": "price", "condition": ">=", "value": 40000, "timeframe": 60},
     {"include": false, "action": "payment_successful", "condition": ">=", "value": 1, "timeframe": 7}]'),
  ('[{"action": "payment_successful", "operation": "avg", "property": "price", "condition": "between", "value": [2000, 3000]}]'),
  ('[{"action": "cart_added", "operation": "max", "property": "price", "condition": ">", "value": 4990, "logic": "OR"},
     {"action": "payment_successful", "operation": "min", "property": "price", "condition": "<", "value": 10}]'),
  ('[{"action": "product_viewed", "operation": "count_distinct", "property": "note", "condition": ">=", "value": 12, "timeframe": 120}]'),
  ('{"performed": {"event": "checkout_started", "aggregate": "count", "op": ">=", "value": 9, "where": {"category": ["books", "fashion"]}}}'),
  ('{"performed": {"event": "cart_added", "aggregate": "sum", "property": "qty", "op": ">=", "value": 60}}'),
  ('{"all": [{"engagement_level": "medium"}, {"performed": {"event": "cart_added", "op": ">=", "value": 10}}]}'),
  ('{"any": [{"churn_risk_level": "high"}, {"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1, "days": 30}}}]}');

-- Members and scan of one evaluation under the given settings (local to the transaction).
CREATE FUNCTION pg_temp.members(d cohort.definition, ev regclass, cu regclass, workers int, direct boolean,
                                OUT m bigint[], OUT path text, OUT planned int, OUT launched int)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id ORDER BY user_id) INTO m FROM cohort.evaluate(d, ev, cu, '2026-06-01');
  SELECT l.events_scan || '/' || l.customers_scan, l.workers_planned, l.workers_launched INTO path, planned, launched
    FROM cohort.last_evaluation() l;
END $$;

-- Every definition, with and without customers: the slot path serially and with two workers,
-- against the executor path over the same tables and the page path over the heap copies.
ALTER TABLE am_events SET (parallel_workers = 2);
ALTER TABLE am_heap_events SET (parallel_workers = 2);
BEGIN;
SELECT id, with_customers, (s).path AS slot_path, (p).path AS parallel_path, (p).launched,
       coalesce(cardinality((e).m), 0) AS members,
       (s).m IS NOT DISTINCT FROM (e).m AS slot_as_executor,
       (p).m IS NOT DISTINCT FROM (e).m AS parallel_as_executor,
       (h).m IS NOT DISTINCT FROM (e).m AS heap_as_executor
  FROM am_defs, (VALUES (true), (false)) c(with_customers),
       LATERAL pg_temp.members(d, 'am_events', CASE WHEN with_customers THEN 'am_customers'::regclass END, 0, true) s,
       LATERAL pg_temp.members(d, 'am_events', CASE WHEN with_customers THEN 'am_customers'::regclass END, 2, true) p,
       LATERAL pg_temp.members(d, 'am_events', CASE WHEN with_customers THEN 'am_customers'::regclass END, 0, false) e,
       LATERAL pg_temp.members(d, 'am_heap_events', CASE WHEN with_customers THEN 'am_heap_customers'::regclass END, 0, true) h
 WHERE with_customers OR NOT (d::jsonb::text ~ 'level|attribute')
 ORDER BY id, with_customers;
COMMIT;

-- Plain SQL for the first and the sixth definition (the column added later counts its default).
SELECT (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate((SELECT d FROM am_defs WHERE id = 1), 'am_events', NULL, '2026-06-01'))
       = (SELECT array_agg(user_id ORDER BY user_id) FROM (
            SELECT user_id FROM am_events WHERE user_id IS NOT NULL AND ts <= '2026-06-01'
             GROUP BY user_id
            HAVING coalesce(sum(price::float8) FILTER (WHERE event = 'payment_successful' AND ts >= timestamptz '2026-06-01' - interval '60 days'), 0) >= 40000
               AND NOT count(*) FILTER (WHERE event = 'payment_successful' AND ts >= timestamptz '2026-06-01' - interval '7 days') >= 1) s)
       AS first_as_plain_sql,
       (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate((SELECT d FROM am_defs WHERE id = 6), 'am_events', NULL, '2026-06-01'))
       = (SELECT array_agg(user_id ORDER BY user_id) FROM (
            SELECT user_id FROM am_events WHERE user_id IS NOT NULL AND ts <= '2026-06-01'
             GROUP BY user_id HAVING coalesce(sum(qty) FILTER (WHERE event = 'cart_added'), 0) >= 60) s)
       AS sixth_as_plain_sql,
       (SELECT count(*) FROM cohort.evaluate((SELECT d FROM am_defs WHERE id = 6), 'am_events', NULL, '2026-06-01')) AS sixth_members;

-- Several definitions in one pass, funnel_levels and statistics: the same over both tables.
SELECT (SELECT array_agg(ROW(definition_index, user_id) ORDER BY definition_index, user_id)
          FROM cohort.evaluate_many((SELECT array_agg(d ORDER BY id) FROM am_defs), 'am_events', 'am_customers', '2026-06-01'))
       = (SELECT array_agg(ROW(definition_index, user_id) ORDER BY definition_index, user_id)
            FROM cohort.evaluate_many((SELECT array_agg(d ORDER BY id) FROM am_defs), 'am_heap_events', 'am_heap_customers', '2026-06-01'))
       AS many_same;
SELECT level, count(*) AS users,
       count(*) = (SELECT count(*) FROM cohort.funnel_levels('am_heap_events', interval '3 days',
                                                           ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-06-01') h
                    WHERE h.level = f.level) AS same_as_heap
  FROM cohort.funnel_levels('am_events', interval '3 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-06-01') f
 GROUP BY level ORDER BY level;
SELECT a.definition_index, a.total_customers,
       (a.total_customers, round(a.avg_churn_score::numeric, 10), a.high_risk_count, a.medium_risk_count, a.low_risk_count)
       IS NOT DISTINCT FROM (h.total_customers, round(h.avg_churn_score::numeric, 10), h.high_risk_count, h.medium_risk_count,
                             h.low_risk_count) AS same_statistics
  FROM cohort.statistics_many((SELECT array_agg(d ORDER BY id) FROM am_defs), 'am_events', 'am_customers', '2026-06-01') a
  JOIN cohort.statistics_many((SELECT array_agg(d ORDER BY id) FROM am_defs), 'am_heap_events', 'am_heap_customers', '2026-06-01') h
 USING (definition_index)
 ORDER BY 1;

-- The transaction's own rows, read by the leader and two workers on the slot path.
BEGIN;
INSERT INTO am_events (user_id, event, ts, price)
SELECT 5000, 'payment_successful', '2026-05-01'::timestamptz + g * interval '1 hour', 900 FROM generate_series(1, 50) g;
SELECT (p).launched, 5000 = ANY ((p).m) AS own_rows_counted,
       (s).m IS NOT DISTINCT FROM (e).m AS slot_as_executor, (p).m IS NOT DISTINCT FROM (e).m AS parallel_as_executor
  FROM pg_temp.members((SELECT d FROM am_defs WHERE id = 1), 'am_events', NULL, 0, true) s,
       pg_temp.members((SELECT d FROM am_defs WHERE id = 1), 'am_events', NULL, 2, true) p,
       pg_temp.members((SELECT d FROM am_defs WHERE id = 1), 'am_events', NULL, 0, false) e;
ROLLBACK;

-- Without a parallel_workers setting, workers are sized by the pages the slot path reads (the
-- table's blocks): 2 at the cap where a table of 32 pages is already worth them.
ALTER TABLE am_events RESET (parallel_workers);
BEGIN;
SET LOCAL min_parallel_table_scan_size = '8kB';
SELECT (p).planned, (p).launched, (p).m IS NOT DISTINCT FROM (e).m AS parallel_as_executor
  FROM pg_temp.members((SELECT d FROM am_defs WHERE id = 2), 'am_events', NULL, 2, true) p,
       pg_temp.members((SELECT d FROM am_defs WHERE id = 2), 'am_events', NULL, 0, false) e;
COMMIT;
ALTER TABLE am_events SET (parallel_workers = 2);

-- A temporary table of that access method (local buffers: no workers).
CREATE TEMP TABLE am_temp_events USING heap_copy AS SELECT * FROM am_heap_events;
INSERT INTO am_temp_events (user_id, event, ts, price) VALUES (-1, 'payment_successful', '2026-05-01', 50000);
SELECT id, (p).path, (p).launched, (p).m IS NOT DISTINCT FROM (e).m AS slot_as_executor,
       (p).m IS NOT DISTINCT FROM (h).m AS as_heap_copy
  FROM am_defs,
       LATERAL pg_temp.members(d, 'am_temp_events', NULL, 2, true) p,
       LATERAL pg_temp.members(d, 'am_temp_events', NULL, 0, false) e,
       LATERAL pg_temp.members(d, 'am_heap_events', NULL, 0, true) h
 WHERE NOT (d::jsonb::text ~ 'level|attribute')
 ORDER BY id;

-- Partitions of that access method beside a heap one, one with its columns in another order
-- (user -1's rows, hidden, in both of them), serially and with two workers.
CREATE TABLE am_parted (user_id bigint, event text, ts timestamptz, price numeric, category text, note text, qty int)
  PARTITION BY RANGE (ts);
CREATE TABLE am_parted_early PARTITION OF am_parted FOR VALUES FROM (MINVALUE) TO ('2026-03-01');
CREATE TABLE am_parted_mid PARTITION OF am_parted FOR VALUES FROM ('2026-03-01') TO ('2026-05-01') USING heap_copy;
CREATE TABLE am_parted_late (qty int, note text, category text, price numeric, ts timestamptz, event text, user_id bigint)
  USING heap_copy;
ALTER TABLE am_parted ATTACH PARTITION am_parted_late FOR VALUES FROM ('2026-05-01') TO (MAXVALUE);
INSERT INTO am_parted SELECT user_id, event, ts, price, category, note, qty FROM am_events WHERE ts IS NOT NULL;
INSERT INTO am_parted VALUES (-1, 'payment_successful', '2026-04-10', 50000, 'books', NULL, 1),
                             (-1, 'payment_successful', '2026-05-10', 50000, 'books', NULL, 1);
SELECT c.relname, a.amname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_am a ON a.oid = c.relam
 WHERE i.inhparent = 'am_parted'::regclass ORDER BY 1;
BEGIN;
SET LOCAL min_parallel_table_scan_size = 0;  -- partitions handed out whole, to the leader and two workers
SELECT id, (s).path, (p).path AS parallel_path, (p).launched, (s).m IS NOT DISTINCT FROM (e).m AS serial_as_executor,
       (p).m IS NOT DISTINCT FROM (e).m AS parallel_as_executor, (s).m IS NOT DISTINCT FROM (h).m AS as_heap_copy
  FROM am_defs,
       LATERAL pg_temp.members(d, 'am_parted', NULL, 0, true) s,
       LATERAL pg_temp.members(d, 'am_parted', NULL, 2, true) p,
       LATERAL pg_temp.members(d, 'am_parted', NULL, 0, false) e,
       LATERAL pg_temp.members(d, 'am_heap_events', NULL, 0, true) h
 WHERE NOT (d::jsonb::text ~ 'level|attribute')
 ORDER BY id;
COMMIT;

-- Row-level security on the slot path, as an ordinary role: a policy on the row's ctid and
-- tableoid and a restrictive one on a setting. Members equal the executor path and the role's own
-- plain SQL over the rows it sees, serially and with two workers.
CREATE ROLE regress_cohort_am;
GRANT SELECT ON am_events, am_customers TO regress_cohort_am;
GRANT SELECT ON am_defs TO regress_cohort_am;
ALTER TABLE am_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY am_even_lines ON am_events TO regress_cohort_am
  USING (tableoid = 'am_events'::regclass AND (ctid::text::point)[1]::int % 2 = 0);
CREATE POLICY am_hidden ON am_events AS RESTRICTIVE TO regress_cohort_am
  USING (user_id % 10 <> current_setting('am.hidden')::int);
-- The rows those policies let through, by plain SQL as the superuser with the predicate written out.
CREATE TABLE am_visible AS
SELECT * FROM am_events WHERE (ctid::text::point)[1]::int % 2 = 0 AND user_id % 10 <> 4;
GRANT SELECT ON am_visible TO regress_cohort_am;
SET am.hidden = '4';
SET ROLE regress_cohort_am;
BEGIN;
SELECT id, (s).path AS slot_path, (p).path AS parallel_path, (p).launched,
       (s).m IS NOT DISTINCT FROM (e).m AS slot_as_executor,
       (p).m IS NOT DISTINCT FROM (e).m AS parallel_as_executor,
       (v).m IS NOT DISTINCT FROM (e).m AS as_visible_rows
  FROM am_defs,
       LATERAL pg_temp.members(d, 'am_events', 'am_customers', 0, true) s,
       LATERAL pg_temp.members(d, 'am_events', 'am_customers', 2, true) p,
       LATERAL pg_temp.members(d, 'am_events', 'am_customers', 0, false) e,
       LATERAL pg_temp.members(d, 'am_visible', 'am_customers', 0, true) v
 ORDER BY id;
COMMIT;
-- The role's own plain SQL for the first definition, over the rows the policies show it.
SELECT (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate((SELECT d FROM am_defs WHERE id = 1), 'am_events', NULL, '2026-06-01'))
       IS NOT DISTINCT FROM (SELECT array_agg(user_id ORDER BY user_id) FROM (
            SELECT user_id FROM am_events WHERE user_id IS NOT NULL AND ts <= '2026-06-01'
             GROUP BY user_id
            HAVING coalesce(sum(price::float8) FILTER (WHERE event = 'payment_successful' AND ts >= timestamptz '2026-06-01' - interval '60 days'), 0) >= 40000
               AND NOT count(*) FILTER (WHERE event = 'payment_successful' AND ts >= timestamptz '2026-06-01' - interval '7 days') >= 1) s)
       AS first_as_own_sql,
       (SELECT count(*) FROM am_events) = (SELECT count(*) FROM am_visible) AS sees_visible_rows;
-- The setting the restrictive policy reads, reset to empty: the policy's own error, on the slot path too.
RESET am.hidden;
SELECT count(*) FROM cohort.evaluate((SELECT d FROM am_defs WHERE id = 2), 'am_events', NULL, '2026-06-01');
RESET ROLE;

DROP TABLE am_events, am_customers, am_heap_events, am_heap_customers, am_visible, am_defs, am_temp_events, am_parted;
DROP ACCESS METHOD heap_copy;
DROP FUNCTION heap_copy_am_handler(internal);
DROP OWNED BY regress_cohort_am;
DROP ROLE regress_cohort_am;
