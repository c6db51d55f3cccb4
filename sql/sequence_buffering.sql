-- sequence_match and sequence_count rows wait in a buffer of their call site and reach their
-- groups' states in batches (src/pg/pending_rows.hpp), as window_funnel's do. Every plan shape
-- that feeds, finalizes, resets or restarts the states in its own way gives the results of plain
-- SQL: with two conditions that never hold together (event 'a', event 'b'), '(?1)(?2)' matches
-- when some 'a' comes before some 'b' (an 'a' sorts first at equal times), and counts the 'a'
-- rows immediately followed by a 'b' among the user's 'a' and 'b' rows.
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.41);
CREATE TABLE sb_events AS
  SELECT i AS id, (random() * 300)::int AS user_id,
         timestamptz '2026-01-01' + (random() * 20000)::int * interval '1 minute' AS ts,
         (ARRAY['a', 'b', 'c', 'x'])[1 + (random() * 3.999)::int] AS event
  FROM generate_series(1, 60000) i;   -- several times the 8192 rows a buffer holds
INSERT INTO sb_events VALUES (60001, 1000, '2026-02-01', 'b'), (60002, 1000, '2026-02-01', 'a'),  -- tie: 'a' first
                             (60003, 1001, '2026-02-01', 'b'), (60004, 1002, '2026-02-01', 'x');  -- no match
CREATE INDEX ON sb_events (user_id);
ANALYZE sb_events;
CREATE TABLE sb_reference AS
  SELECT user_id,
         coalesce(min(ts) FILTER (WHERE event = 'a') <= max(ts) FILTER (WHERE event = 'b'), false) AS matched,
         (SELECT count(*) FROM (SELECT event, lag(event) OVER (ORDER BY ts, event) AS previous
                                  FROM sb_events e WHERE e.user_id = u.user_id AND e.event IN ('a', 'b')) p
           WHERE event = 'b' AND previous = 'a') AS times
    FROM sb_events u GROUP BY user_id;
SELECT count(*) AS users, count(*) FILTER (WHERE matched) AS matched, count(DISTINCT times) > 5 AS varied_counts
  FROM sb_reference;

-- Rows of a query's (user_id, matched, times) result that differ from the reference, both ways,
-- over the users that satisfy `users`.
CREATE FUNCTION pg_temp.differing(q text, users text DEFAULT 'true') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((SELECT user_id, matched, times FROM (%s) q EXCEPT ALL SELECT user_id, matched, times FROM sb_reference WHERE %s)
                  UNION ALL (SELECT user_id, matched, times FROM sb_reference WHERE %s EXCEPT ALL SELECT user_id, matched, times FROM (%s) q)) d',
                 q, users, users, q) INTO n;
  RETURN n;
END $$;
-- The plan of `q` as one line of text.
CREATE FUNCTION pg_temp.plan_of(q text, with_analyze boolean DEFAULT false) RETURNS text LANGUAGE plpgsql AS $$
DECLARE plan text := '';
        line text;
BEGIN
  FOR line IN EXECUTE format('EXPLAIN (COSTS OFF, ANALYZE %s, TIMING OFF, SUMMARY OFF) %s', with_analyze::text, q) LOOP
    plan := plan || line || ' | ';
  END LOOP;
  RETURN plan;
END $$;
CREATE TEMP TABLE sb_query AS SELECT $$
  SELECT user_id, cohort.sequence_match('(?1)(?2)', ts, event = 'a', event = 'b') AS matched,
         cohort.sequence_count('(?1)(?2)', ts, event = 'a', event = 'b') AS times
    FROM sb_events GROUP BY user_id$$ AS q;

-- Hash aggregation: all rows first, then the finals.
SELECT pg_temp.plan_of(q) ~ 'HashAggregate' AS hashed, pg_temp.differing(q) AS differing FROM sb_query;
-- Sorted grouping: each group finalized, and its memory reset, before the next one starts.
SET enable_hashagg = off;
SELECT pg_temp.plan_of(q) ~ 'GroupAggregate' AS sorted, pg_temp.differing(q) AS differing FROM sb_query;
RESET enable_hashagg;
-- Hash aggregation over its memory: batches spilled to disk, the hash memory reset between them.
SET work_mem = '64kB';
SET enable_sort = off;
SET enable_indexscan = off;
SELECT substring(pg_temp.plan_of(q, true) from 'Batches: (\d+)')::int > 1 AS spilled,
       pg_temp.differing(q) AS differing FROM sb_query;
RESET enable_indexscan;
RESET enable_sort;
RESET work_mem;
-- Partial aggregation in parallel workers: states serialized with their rows handed over.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.plan_of(q) ~ 'Partial HashAggregate' AS partial, pg_temp.differing(q) AS differing FROM sb_query;
SET max_parallel_workers_per_gather = 0;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Partitionwise partial aggregation in one process: PostgreSQL 15 serializes partial states even
-- here, so the serialize function must hand the waiting rows over first.
CREATE TABLE sb_parts (id int, user_id int, ts timestamptz, event text) PARTITION BY RANGE (id);
CREATE TABLE sb_parts_1 PARTITION OF sb_parts FOR VALUES FROM (MINVALUE) TO (30000);
CREATE TABLE sb_parts_2 PARTITION OF sb_parts FOR VALUES FROM (30000) TO (MAXVALUE);
INSERT INTO sb_parts SELECT * FROM sb_events;
ANALYZE sb_parts;
SET enable_partitionwise_aggregate = on;
SELECT pg_temp.plan_of(replace(q, 'sb_events', 'sb_parts')) ~ 'Finalize HashAggregate.*Partial HashAggregate' AS partitionwise,
       pg_temp.plan_of(replace(q, 'sb_events', 'sb_parts')) !~ 'Gather' AS one_process,
       pg_temp.differing(replace(q, 'sb_events', 'sb_parts')) AS differing FROM sb_query;
RESET enable_partitionwise_aggregate;
DROP TABLE sb_parts;

-- An aggregate rescanned for every outer row (its memory reset each time).
SELECT pg_temp.differing($$SELECT u AS user_id,
                                  (SELECT cohort.sequence_match('(?1)(?2)', ts, event = 'a', event = 'b') FROM sb_events e WHERE e.user_id = u) AS matched,
                                  (SELECT cohort.sequence_count('(?1)(?2)', ts, event = 'a', event = 'b') FROM sb_events e WHERE e.user_id = u) AS times
                             FROM (SELECT DISTINCT user_id FROM sb_events) v(u)$$) AS rescanned;

-- A condition count that differs between groups (a third condition, never true, for the later
-- users): from the first such row on, rows go straight to their states (the rows waiting until
-- then are handed over first). The rows come ordered by user, so thousands wait at the switch.
CREATE TABLE sb_ordered AS SELECT * FROM sb_events ORDER BY user_id, id;
ANALYZE sb_ordered;
SELECT pg_temp.differing($$SELECT user_id,
         cohort.sequence_match('(?1)(?2)', ts, VARIADIC CASE WHEN user_id < 150 THEN ARRAY[event = 'a', event = 'b']
                                                             ELSE ARRAY[event = 'a', event = 'b', false] END) AS matched,
         cohort.sequence_count('(?1)(?2)', ts, VARIADIC CASE WHEN user_id < 150 THEN ARRAY[event = 'a', event = 'b']
                                                             ELSE ARRAY[event = 'a', event = 'b', false] END) AS times
       FROM sb_ordered GROUP BY user_id$$) AS mixed_counts;
-- Within one group the pattern must not change, buffered or not.
SELECT cohort.sequence_count(CASE WHEN id < 30000 THEN '(?1)(?2)' ELSE '(?1).*(?2)' END, ts, event = 'a', event = 'b')
  FROM sb_events WHERE user_id = 7;

-- Grouping sets over one sorted pass (the sets' states in different memory: rows go straight to
-- their states), and hashed grouping sets (one memory: rows of both sets in the same buffer).
SET enable_hashagg = off;
CREATE TEMP TABLE sb_sets AS
  SELECT user_id, cohort.sequence_match('(?1)(?2)', ts, event = 'a', event = 'b') AS matched,
         cohort.sequence_count('(?1)(?2)', ts, event = 'a', event = 'b') AS times
    FROM sb_events GROUP BY GROUPING SETS ((user_id), ());
RESET enable_hashagg;
SELECT pg_temp.differing('SELECT * FROM sb_sets WHERE user_id IS NOT NULL') AS sorted_sets_per_user,
       (SELECT times FROM sb_sets WHERE user_id IS NULL)
         = (SELECT cohort.sequence_count('(?1)(?2)', ts, event = 'a', event = 'b') FROM sb_events) AS overall;
SET enable_sort = off;
SELECT pg_temp.plan_of($$SELECT user_id, event, cohort.sequence_match('(?1)(?2)', ts, event = 'a', event = 'b') AS matched,
                                 cohort.sequence_count('(?1)(?2)', ts, event = 'a', event = 'b') AS times
                            FROM sb_events GROUP BY GROUPING SETS ((user_id), (event))$$)
         ~ 'Hash Key: user_id.*Hash Key: event' AS hashed_sets;
CREATE TEMP TABLE sb_hashed_sets AS
  SELECT user_id, event, cohort.sequence_match('(?1)(?2)', ts, event = 'a', event = 'b') AS matched,
         cohort.sequence_count('(?1)(?2)', ts, event = 'a', event = 'b') AS times
    FROM sb_events GROUP BY GROUPING SETS ((user_id), (event));
RESET enable_sort;
SELECT pg_temp.differing('SELECT user_id, matched, times FROM sb_hashed_sets WHERE user_id IS NOT NULL') AS hashed_sets_per_user,
       (SELECT count(*) FROM sb_hashed_sets WHERE event IS NOT NULL AND (matched OR times <> 0)) AS per_event_matches;

-- As a window function: each row's running frame against the aggregate over the same rows.
CREATE TEMP TABLE sb_small AS SELECT * FROM sb_events WHERE user_id < 6;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE running IS DISTINCT FROM (
         SELECT cohort.sequence_count('(?1)(?2)', ts, event = 'a', event = 'b')
           FROM sb_small p WHERE p.user_id = w.user_id AND (p.ts, p.id) <= (w.ts, w.id))) AS running_differing,
       count(DISTINCT running) > 1 AS varied
  FROM (SELECT *, cohort.sequence_count('(?1)(?2)', ts, event = 'a', event = 'b')
                    OVER (PARTITION BY user_id ORDER BY ts, id ROWS UNBOUNDED PRECEDING) AS running
          FROM sb_small) w;

-- A query stopped early (LIMIT) finalizes only some groups; the next query is not affected.
SELECT count(*) FROM (SELECT user_id, cohort.sequence_count('(?1)(?2)', ts, event = 'a', event = 'b') AS times
                        FROM sb_events GROUP BY user_id LIMIT 3) s;
SELECT pg_temp.differing(q) AS differing_after FROM sb_query;
DROP TABLE sb_events, sb_ordered, sb_reference;
