-- window_funnel rows wait in a buffer of their call site and reach their groups' states in
-- batches (src/pg/funnel_agg.hpp). Every plan shape that feeds, finalizes, resets or restarts the
-- states in its own way gives the levels of cohort.funnel_levels, which reads the table itself.
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.77);
CREATE TABLE fb_events AS
  SELECT i AS id, (random() * 300)::int AS user_id,
         timestamptz '2026-01-01' + (random() * 20000)::int * interval '1 minute' AS ts,
         (ARRAY['a', 'b', 'c', 'd', 'x'])[1 + (random() * 4.999)::int] AS event
  FROM generate_series(1, 60000) i;   -- several times the 8192 rows a buffer holds
CREATE INDEX ON fb_events (user_id);
ANALYZE fb_events;
CREATE TABLE fb_reference AS
  SELECT w, user_id, level
    FROM (VALUES (interval '6 hours'), (interval '1 day')) v(w),
         LATERAL cohort.funnel_levels('fb_events', w, ARRAY['a', 'b', 'c', 'd'], '2026-12-31');
SELECT w, count(*) AS users, count(DISTINCT level) AS levels FROM fb_reference GROUP BY w ORDER BY w;

-- Rows of a query's (user_id, level) result that differ from the reference for window `w`, both
-- ways, over the users that satisfy `users`.
CREATE FUNCTION pg_temp.differing(q text, w interval, users text DEFAULT 'true') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((SELECT user_id, level FROM (%s) q EXCEPT ALL SELECT user_id, level FROM fb_reference WHERE w = %L AND %s)
                  UNION ALL (SELECT user_id, level FROM fb_reference WHERE w = %L AND %s EXCEPT ALL SELECT user_id, level FROM (%s) q)) d',
                 q, w, users, w, users, q) INTO n;
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
CREATE TEMP TABLE fb_query AS SELECT $$
  SELECT user_id, cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS level
    FROM fb_events GROUP BY user_id$$ AS q;

-- Hash aggregation: all rows first, then the finals.
SELECT pg_temp.plan_of(q) ~ 'HashAggregate' AS hashed, pg_temp.differing(q, '6 hours') AS differing FROM fb_query;
-- Sorted grouping: each group finalized, and its memory reset, before the next one starts.
SET enable_hashagg = off;
SELECT pg_temp.plan_of(q) ~ 'GroupAggregate' AS sorted, pg_temp.differing(q, '6 hours') AS differing FROM fb_query;
RESET enable_hashagg;
-- Hash aggregation over its memory: batches spilled to disk, the hash memory reset between them.
SET work_mem = '64kB';
SET enable_sort = off;
SET enable_indexscan = off;
SELECT substring(pg_temp.plan_of(q, true) from 'Batches: (\d+)')::int > 1 AS spilled,
       pg_temp.differing(q, '6 hours') AS differing FROM fb_query;
RESET enable_indexscan;
RESET enable_sort;
RESET work_mem;
-- Partial aggregation in parallel workers: states serialized with their rows handed over.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.plan_of(q) ~ 'Partial HashAggregate' AS partial, pg_temp.differing(q, '6 hours') AS differing FROM fb_query;
SET max_parallel_workers_per_gather = 0;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Two call sites with different windows in one query, and an aggregate rescanned for every
-- outer row (its memory reset each time).
SELECT pg_temp.differing($$SELECT user_id, l6 AS level FROM (SELECT user_id,
         cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS l6,
         cohort.window_funnel(interval '1 day', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS l24
         FROM fb_events GROUP BY user_id) s$$, '6 hours') AS first_site,
       pg_temp.differing($$SELECT user_id, l24 AS level FROM (SELECT user_id,
         cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS l6,
         cohort.window_funnel(interval '1 day', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS l24
         FROM fb_events GROUP BY user_id) s$$, '1 day') AS second_site,
       pg_temp.differing($$SELECT u AS user_id, (SELECT cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd')
                                            FROM fb_events e WHERE e.user_id = u) AS level
                           FROM (SELECT DISTINCT user_id FROM fb_events) v(u)$$, '6 hours') AS rescanned;

-- A window that differs between groups: from the first row with another window on, rows go
-- straight to their states (the rows waiting until then are handed over first), and each group
-- keeps its own window. The rows come ordered by user, so thousands wait when the window changes.
CREATE TABLE fb_ordered AS SELECT * FROM fb_events ORDER BY user_id, id;
ANALYZE fb_ordered;
CREATE TEMP TABLE fb_mixed AS
  SELECT user_id, cohort.window_funnel(CASE WHEN user_id < 150 THEN interval '6 hours' ELSE interval '1 day' END,
                                       ts, event = 'a', event = 'b', event = 'c', event = 'd') AS level
    FROM fb_ordered GROUP BY user_id;
SELECT pg_temp.plan_of($$SELECT user_id, cohort.window_funnel(CASE WHEN user_id < 150 THEN interval '6 hours' ELSE interval '1 day' END,
                                       ts, event = 'a', event = 'b', event = 'c', event = 'd') AS level
                         FROM fb_ordered GROUP BY user_id$$) ~ 'HashAggregate' AS hashed,
       pg_temp.differing('SELECT * FROM fb_mixed WHERE user_id < 150', '6 hours', 'user_id < 150') AS early_groups,
       pg_temp.differing('SELECT * FROM fb_mixed WHERE user_id >= 150', '1 day', 'user_id >= 150') AS late_groups;
-- Within one group the window must not change, buffered or not.
SELECT cohort.window_funnel(CASE WHEN id < 30000 THEN interval '6 hours' ELSE interval '1 day' END,
                            ts, event = 'a', event = 'b')
  FROM fb_events WHERE user_id = 7;

-- Grouping sets over one sorted pass: the sets' states live in different memory, so rows go
-- straight to their states; the same levels per user, and the overall level of all rows.
SET enable_hashagg = off;
CREATE TEMP TABLE fb_sets AS
  SELECT user_id, cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS level,
         cohort.window_funnel(interval '6 hours', '{strict_order,allow_reentry}', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS strict_level,
         cohort.window_funnel(interval '6 hours', '{strict_increase,strict_once}', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS once_level
    FROM fb_events GROUP BY GROUPING SETS ((user_id), ());
RESET enable_hashagg;
SELECT pg_temp.differing('SELECT user_id, level FROM fb_sets WHERE user_id IS NOT NULL', '6 hours') AS per_user,
       (SELECT level FROM fb_sets WHERE user_id IS NULL)
         = (SELECT cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd') FROM fb_events) AS overall;
-- Hashed grouping sets share one memory context: rows of both sets wait in the same buffer.
SET enable_sort = off;
SELECT pg_temp.plan_of($$SELECT user_id, event, count(*) FROM fb_events GROUP BY GROUPING SETS ((user_id), (event))$$)
         ~ 'Hash Key: user_id.*Hash Key: event' AS hashed_sets;
CREATE TEMP TABLE fb_hashed_sets AS
  SELECT user_id, event, cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS level
    FROM fb_events GROUP BY GROUPING SETS ((user_id), (event));
RESET enable_sort;
SELECT pg_temp.differing('SELECT user_id, level FROM fb_hashed_sets WHERE user_id IS NOT NULL', '6 hours') AS per_user,
       (SELECT count(*) FROM fb_hashed_sets h WHERE user_id IS NULL AND event IS NOT NULL
           AND level IS DISTINCT FROM (SELECT cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd')
                                         FROM fb_events e WHERE e.event = h.event)) AS per_event_differing;
-- ORDER BY inside the call (sorted input per group).
SELECT pg_temp.differing($$SELECT user_id, cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd' ORDER BY ts) AS level
                           FROM fb_events GROUP BY user_id$$, '6 hours') AS ordered_input;
-- A scroll cursor read partly, rewound (the aggregation runs again) and read to the end.
DO $$
DECLARE c refcursor := 'fb_scroll';
        r record;
        n int := 0;
        bad int := 0;
BEGIN
  OPEN c SCROLL FOR SELECT user_id, cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS level
                      FROM fb_events GROUP BY user_id;
  FETCH c INTO r;
  FETCH c INTO r;
  MOVE ABSOLUTE 0 FROM c;
  LOOP
    FETCH c INTO r;
    EXIT WHEN NOT FOUND;
    n := n + 1;
    IF r.level IS DISTINCT FROM (SELECT level FROM fb_reference WHERE w = '6 hours' AND user_id = r.user_id) THEN bad := bad + 1; END IF;
  END LOOP;
  CLOSE c;
  RAISE NOTICE 'cursor: % rows, % differing', n, bad;
END $$;
-- The modes forms buffered (hash aggregation) against the same unbuffered (grouping sets above).
SELECT count(*) AS users,
       count(*) FILTER (WHERE h.strict_level IS DISTINCT FROM s.strict_level) AS strict_differing,
       count(*) FILTER (WHERE h.once_level IS DISTINCT FROM s.once_level) AS once_differing,
       count(DISTINCT h.strict_level) > 1 AND count(DISTINCT h.once_level) > 1 AS varied
  FROM (SELECT user_id,
               cohort.window_funnel(interval '6 hours', '{strict_order,allow_reentry}', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS strict_level,
               cohort.window_funnel(interval '6 hours', '{strict_increase,strict_once}', ts, event = 'a', event = 'b', event = 'c', event = 'd') AS once_level
          FROM fb_events GROUP BY user_id) h
  FULL JOIN (SELECT * FROM fb_sets WHERE user_id IS NOT NULL) s USING (user_id);

-- As a window function: the level of each row's running frame, and of a moving frame (which
-- restarts the aggregation), against the aggregate over the same rows as a subquery.
CREATE TEMP TABLE fb_small AS SELECT * FROM fb_events WHERE user_id < 6;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE running IS DISTINCT FROM (
         SELECT cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd')
           FROM fb_small p WHERE p.user_id = w.user_id AND (p.ts, p.id) <= (w.ts, w.id))) AS running_differing,
       count(*) FILTER (WHERE moving IS DISTINCT FROM (
         SELECT cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd')
           FROM (SELECT * FROM fb_small p WHERE p.user_id = w.user_id AND (p.ts, p.id) <= (w.ts, w.id)
                  ORDER BY p.ts DESC, p.id DESC LIMIT 4) last4)) AS moving_differing,
       count(DISTINCT moving) > 1 AS varied
  FROM (SELECT *,
               cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd')
                 OVER (PARTITION BY user_id ORDER BY ts, id ROWS UNBOUNDED PRECEDING) AS running,
               cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b', event = 'c', event = 'd')
                 OVER (PARTITION BY user_id ORDER BY ts, id ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS moving
          FROM fb_small) w;

-- A query stopped early (LIMIT) finalizes only some groups; the next query is not affected.
SELECT count(*) FROM (SELECT user_id, cohort.window_funnel(interval '6 hours', ts, event = 'a', event = 'b') AS level
                        FROM fb_events GROUP BY user_id LIMIT 3) s;
SELECT pg_temp.differing(q, '6 hours') AS differing_after FROM fb_query;
DROP TABLE fb_events, fb_ordered, fb_reference;
