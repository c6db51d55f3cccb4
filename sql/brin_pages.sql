-- The direct scan leaves unread the pages a BRIN index on ts rules out, when rows before some
-- bound cannot matter (every accumulator has a window, and the universe does not depend on which
-- rows are read). Members are always those of the executor path and of plain SQL; pages_skipped
-- in last_evaluation() says how many pages went unread.
SET TimeZone = 'UTC';
CREATE TABLE bp_events (user_id bigint, event text, ts timestamptz, price numeric) WITH (autovacuum_enabled = off);
-- 400 days of rows in time order, as an append-only events table fills.
INSERT INTO bp_events
SELECT i % 301, (ARRAY['buy', 'view', 'cart'])[1 + i % 3],
       timestamptz '2026-05-01' - interval '400 days' + i * (interval '400 days' / 40000), (i % 50) * 10
FROM generate_series(1, 40000) i;
CREATE INDEX bp_events_ts ON bp_events USING brin (ts) WITH (pages_per_range = 2);
VACUUM ANALYZE bp_events;
CREATE TABLE bp_customers AS SELECT u AS user_id, 20 + u % 50 AS age FROM generate_series(0, 320) u;
-- An index expression that is ts itself, but an expression.
CREATE FUNCTION bp_same(t timestamptz) RETURNS timestamptz IMMUTABLE LANGUAGE sql AS 'SELECT t';

-- The definitions and their members by plain SQL (recomputed after every change of the data).
CREATE TABLE bp_defs (id int PRIMARY KEY, d text, customers regclass, plain_sql text);
INSERT INTO bp_defs VALUES
(1, '{"performed": {"event": "buy", "op": ">=", "value": 4, "days": 30}}', NULL,
 $$SELECT user_id FROM bp_events WHERE event = 'buy' AND ts >= timestamptz '2026-05-01' - interval '30 days'
      AND ts <= '2026-05-01' AND user_id IS NOT NULL GROUP BY user_id HAVING count(*) >= 4$$),
(2, '{"all": [{"performed": {"event": "cart", "aggregate": "sum", "property": "price", "op": ">=", "value": 200, "days": 60}},
              {"not": {"performed": {"event": "view", "op": ">=", "value": 2, "days": 10}}},
              {"attribute": {"name": "age", "min": 25, "max": 60}}]}', 'bp_customers',
 $$SELECT c.user_id FROM bp_customers c LEFT JOIN (
     SELECT user_id,
            coalesce(sum(price) FILTER (WHERE event = 'cart' AND ts >= timestamptz '2026-05-01' - interval '60 days'), 0) AS cart,
            count(*) FILTER (WHERE event = 'view' AND ts >= timestamptz '2026-05-01' - interval '10 days') AS views
       FROM bp_events WHERE ts <= '2026-05-01' GROUP BY user_id) e USING (user_id)
    WHERE coalesce(e.cart, 0) >= 200 AND coalesce(e.views, 0) < 2 AND c.age BETWEEN 25 AND 60$$),
-- an accumulator over all time: every page is read
(3, '{"any": [{"performed": {"event": "buy", "op": ">=", "value": 4, "days": 30}},
              {"performed": {"event": "cart", "op": ">=", "value": 25}}]}', NULL,
 $$SELECT user_id FROM bp_events WHERE ts <= '2026-05-01' AND user_id IS NOT NULL GROUP BY user_id
    HAVING count(*) FILTER (WHERE event = 'buy' AND ts >= timestamptz '2026-05-01' - interval '30 days') >= 4
        OR count(*) FILTER (WHERE event = 'cart') >= 25$$),
-- a NOT over no customers: the universe is every user with events, so every page is read
(4, '{"not": {"performed": {"event": "buy", "op": ">=", "value": 4, "days": 30}}}', NULL,
 $$SELECT user_id FROM bp_events WHERE ts <= '2026-05-01' AND user_id IS NOT NULL GROUP BY user_id
    HAVING count(*) FILTER (WHERE event = 'buy' AND ts >= timestamptz '2026-05-01' - interval '30 days') < 4$$);

-- Members of a definition on one path, with the scan taken and the pages it skipped.
CREATE FUNCTION pg_temp.run(def text, customers regclass, direct boolean,
                            OUT path text, OUT skipped bigint, OUT m bigint[], OUT workers int)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id ORDER BY user_id) INTO m FROM cohort.evaluate(def::cohort.definition, 'bp_events', customers, '2026-05-01');
  SELECT l.events_scan, l.pages_skipped, l.workers_planned INTO path, skipped, workers FROM cohort.last_evaluation() l;
END $$;
-- Every definition on both paths: the pages the direct scan skipped, of the table's pages, and
-- whether both paths' members are plain SQL's.
CREATE FUNCTION pg_temp.check_all(OUT id int, OUT direct_path text, OUT skipped bigint, OUT pages bigint,
                                  OUT members int, OUT direct_as_plain_sql boolean, OUT executor_as_plain_sql boolean)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE r record; a record; b record; plain bigint[];
BEGIN
  pages := pg_relation_size('bp_events') / current_setting('block_size')::int;
  FOR r IN SELECT * FROM bp_defs ORDER BY bp_defs.id LOOP
    EXECUTE 'SELECT array_agg(user_id::bigint ORDER BY user_id) FROM (' || r.plain_sql || ') q' INTO plain;
    a := pg_temp.run(r.d, r.customers, true);
    b := pg_temp.run(r.d, r.customers, false);
    id := r.id;
    direct_path := a.path;
    skipped := a.skipped;
    members := coalesce(cardinality(a.m), 0);
    direct_as_plain_sql := a.m IS NOT DISTINCT FROM plain;
    executor_as_plain_sql := b.m IS NOT DISTINCT FROM plain;
    RETURN NEXT;
  END LOOP;
END $$;
SELECT * FROM pg_temp.check_all();

-- Rows appended after the index was summarized: their ranges are unsummarized and always read.
INSERT INTO bp_events SELECT 7000 + i % 40, 'buy', timestamptz '2026-04-30' - i * interval '1 hour', 10
  FROM generate_series(1, 600) i;
SELECT * FROM pg_temp.check_all();
-- Old rows deleted and vacuumed away leave room in early pages; new recent rows fill it, and the
-- index widens those ranges' summaries, so the pages are read again.
DELETE FROM bp_events WHERE ts < timestamptz '2026-05-01' - interval '300 days' AND user_id % 2 = 0;
VACUUM bp_events;
INSERT INTO bp_events SELECT 8000 + i % 30, 'buy', timestamptz '2026-04-29' - i * interval '1 minute', 10
  FROM generate_series(1, 3000) i;
SELECT count(*) > 0 AS recent_rows_in_early_pages FROM bp_events
 WHERE user_id >= 8000 AND ctid < '(100,0)'::tid;
SELECT * FROM pg_temp.check_all();
-- An old row moved to a recent time by UPDATE.
UPDATE bp_events SET ts = '2026-04-30', user_id = 9001 WHERE ts < timestamptz '2026-05-01' - interval '390 days' AND event = 'buy';
SELECT * FROM pg_temp.check_all();
-- The transaction's own uncommitted rows, rolled back.
BEGIN;
UPDATE bp_events SET ts = '2026-04-28', user_id = 9002 WHERE ts < timestamptz '2026-05-01' - interval '380 days' AND event = 'buy';
SELECT * FROM pg_temp.check_all();
ROLLBACK;
-- A range the index has not summarized is read whole: user 7100's only rows, all in one range
-- that is then desummarized, make it a member.
INSERT INTO bp_events SELECT 7100, 'buy', timestamptz '2026-04-30' - i * interval '1 minute', 10 FROM generate_series(1, 5) i;
CREATE TEMP TABLE bp_range AS SELECT min((ctid::text::point)[0]::bigint) AS page, count(DISTINCT (ctid::text::point)[0]::int / 2) AS ranges
  FROM bp_events WHERE user_id = 7100;
SELECT ranges AS ranges_holding_user_7100 FROM bp_range;
SELECT brin_desummarize_range('bp_events_ts', page) FROM bp_range;
SELECT * FROM pg_temp.check_all();
SELECT brin_summarize_range('bp_events_ts', page) AS ranges_summarized_again FROM bp_range;
-- Desummarizing a range of old rows only, which was skipped, makes exactly its 2 pages read.
SELECT bool_and(ts < timestamptz '2026-05-01' - interval '30 days') AS old_rows_only
  FROM bp_events WHERE (ctid::text::point)[0] IN (150, 151);
CREATE TEMP TABLE bp_before AS SELECT (pg_temp.run(d, customers, true)).* FROM bp_defs WHERE id = 1;
SELECT brin_desummarize_range('bp_events_ts', 150);
SELECT b.skipped - a.skipped AS fewer_pages_skipped, a.m IS NOT DISTINCT FROM b.m AS same_members
  FROM bp_before b, bp_defs, LATERAL pg_temp.run(d, customers, true) a WHERE id = 1;
SELECT brin_summarize_new_values('bp_events_ts') AS ranges_summarized_again;

-- Only a plain BRIN index with a minmax operator class on ts itself serves; each of these leaves
-- every page to be read (and the members unchanged).
DROP INDEX bp_events_ts;
CREATE FUNCTION pg_temp.skipped_with(index_sql text, invalid boolean, OUT skipped bigint, OUT as_plain_sql boolean)
LANGUAGE plpgsql AS $$
DECLARE a record; plain bigint[];
BEGIN
  EXECUTE index_sql;
  IF invalid THEN
    UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'bp_probe'::regclass;
  END IF;
  SELECT array_agg(user_id ORDER BY user_id) INTO plain FROM (
    SELECT user_id FROM bp_events WHERE event = 'buy' AND ts >= timestamptz '2026-05-01' - interval '30 days'
       AND ts <= '2026-05-01' AND user_id IS NOT NULL GROUP BY user_id HAVING count(*) >= 4) q;
  a := pg_temp.run((SELECT d FROM bp_defs WHERE id = 1), NULL, true);
  skipped := a.skipped;
  as_plain_sql := a.m IS NOT DISTINCT FROM plain;
  EXECUTE 'DROP INDEX bp_probe';
END $$;
SELECT v.kind, s.skipped > 0 AS pages_skipped, s.as_plain_sql
  FROM (VALUES
    ('minmax', 'CREATE INDEX bp_probe ON bp_events USING brin (ts) WITH (pages_per_range = 2)'),
    ('ts first of two columns', 'CREATE INDEX bp_probe ON bp_events USING brin (ts, price) WITH (pages_per_range = 2)'),
    ('minmax-multi', 'CREATE INDEX bp_probe ON bp_events USING brin (ts timestamptz_minmax_multi_ops) WITH (pages_per_range = 2)'),
    ('partial', $$CREATE INDEX bp_probe ON bp_events USING brin (ts) WITH (pages_per_range = 2) WHERE event = 'buy'$$),
    ('expression', $$CREATE INDEX bp_probe ON bp_events USING brin (bp_same(ts)) WITH (pages_per_range = 2)$$),
    ('second column', 'CREATE INDEX bp_probe ON bp_events USING brin (price, ts) WITH (pages_per_range = 2)'),
    ('bloom', 'CREATE INDEX bp_probe ON bp_events USING brin (ts timestamptz_bloom_ops) WITH (pages_per_range = 2)'),
    ('btree', 'CREATE INDEX bp_probe ON bp_events (ts)'),
    ('invalid', 'CREATE INDEX bp_probe ON bp_events USING brin (ts) WITH (pages_per_range = 2)')) v(kind, index_sql),
  LATERAL pg_temp.skipped_with(v.index_sql, v.kind = 'invalid') s;

-- Parallel workers each skip the pages of their share (here the workers take every page): as
-- many pages in all as one serial scan skips, and the same members.
CREATE INDEX bp_events_ts ON bp_events USING brin (ts) WITH (pages_per_range = 2);
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE bp_serial AS SELECT (pg_temp.run(d, customers, true)).* FROM bp_defs WHERE id = 1;
ALTER TABLE bp_events SET (parallel_workers = 2);
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT a.path, s.skipped > 0 AS serial_skipped, a.skipped = s.skipped AS same_pages_skipped,
       a.m IS NOT DISTINCT FROM s.m AS same_members
  FROM bp_serial s, bp_defs, LATERAL pg_temp.run(d, customers, true) a WHERE id = 1;
SELECT workers_launched > 0 AS workers_ran FROM cohort.last_evaluation();
RESET parallel_leader_participation;
ALTER TABLE bp_events RESET (parallel_workers);
-- Without the storage parameter, workers are sized by the pages the scan will read, as the
-- planner sizes a parallel scan (one worker for min_parallel_table_scan_size, 4 pages here, one
-- more for every tripling), and only once those pages reach 32 times that (128 pages): definition
-- 1 reads more than 4 pages but fewer than 128 (serial), definition 3, over all time, reads every
-- page (two workers, the most allowed).
SET min_parallel_table_scan_size = '32kB';
SELECT id, pg_relation_size('bp_events') / current_setting('block_size')::int - a.skipped AS pages_read,
       a.path, a.workers AS workers_planned
  FROM bp_defs, LATERAL pg_temp.run(d, customers, true) a WHERE id IN (1, 3) ORDER BY id;
-- Sized by those pages (1 page each here: definition 1's pages give two workers) with a page set
-- that skips some, the leader taking pages too: every participant reads the set the leader
-- decided once (the same pages skipped as serially, the same members).
SET min_parallel_table_scan_size = '8kB';
SELECT a.path, a.workers AS workers_planned, a.skipped = s.skipped AS same_pages_skipped,
       a.m IS NOT DISTINCT FROM s.m AS same_members
  FROM bp_serial s, bp_defs, LATERAL pg_temp.run(d, customers, true) a WHERE id = 1;
SELECT workers_launched > 0 AS workers_ran FROM cohort.last_evaluation();
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- An ordinary role with SELECT: the same skipping; under a row-level security policy too (the
-- direct scan checks the policy on each row it keeps).
CREATE ROLE regress_cohort_brin;
GRANT USAGE ON SCHEMA cohort TO regress_cohort_brin;
GRANT SELECT ON bp_events, bp_customers, bp_defs TO regress_cohort_brin;
SET ROLE regress_cohort_brin;
SELECT * FROM pg_temp.check_all() WHERE id <= 2;
RESET ROLE;
ALTER TABLE bp_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY bp_even ON bp_events FOR SELECT TO regress_cohort_brin USING (user_id % 2 = 0);
SET ROLE regress_cohort_brin;
SELECT a.path, cardinality(a.m) AS members, a.m IS NOT DISTINCT FROM (
         SELECT array_agg(user_id ORDER BY user_id) FROM (
           SELECT user_id FROM bp_events WHERE event = 'buy' AND ts >= timestamptz '2026-05-01' - interval '30 days'
              AND ts <= '2026-05-01' AND user_id IS NOT NULL GROUP BY user_id HAVING count(*) >= 4) q) AS as_plain_sql,
       a.m IS NOT DISTINCT FROM (SELECT array_agg(u) FROM unnest(a.m) u WHERE u % 2 = 0) AS only_visible_rows
  FROM bp_defs, LATERAL pg_temp.run(d, customers, true) a WHERE id = 1;
RESET ROLE;
DROP TABLE bp_events, bp_customers, bp_defs;
DROP FUNCTION bp_same;
DROP OWNED BY regress_cohort_brin;
DROP ROLE regress_cohort_brin;
