-- cohort.funnel_levels against the window_funnel aggregate over the same rows: every user, every
-- level, for several windows, step lists (with a repeated step), as_of values and both scan paths
-- (direct, and the executor through a view or with cohort.direct_scan off); then its errors.
SET TimeZone = 'UTC';
SELECT setseed(0.4);
CREATE TABLE fl_events (user_id bigint, event text, ts timestamptz, note text);
INSERT INTO fl_events
SELECT (random() * 300)::int, (ARRAY['a', 'b', 'c', 'd', 'x'])[1 + (random() * 4)::int],
       '2026-01-01'::timestamptz + (random() * 200)::int * interval '1 hour',   -- many equal times
       repeat('n', (random() * 3000)::int)                                     -- some rows toasted
FROM generate_series(1, 20000);
INSERT INTO fl_events VALUES (NULL, 'a', '2026-01-02', NULL), (7, 'a', NULL, NULL), (8, NULL, '2026-01-02', NULL),
                             (-5, 'a', '2026-01-02', NULL), (-5, 'b', '2026-01-02', NULL);
CREATE VIEW fl_view AS SELECT * FROM fl_events;

-- Rows of funnel_levels that differ from the aggregate's, both ways. With `sorted`, funnel_levels
-- runs with cohort.state_memory_limit at `lim` and a 64 kB work_mem, so that its rows go to a
-- temporary file (and a bucket of users too large to hold goes through a sort within work_mem);
-- the aggregate's levels are computed first, at the default limit.
CREATE FUNCTION pg_temp.differing(rel regclass, win interval, steps text[], as_of timestamptz, direct boolean,
                                  sorted boolean DEFAULT false, lim text DEFAULT '64kB')
  RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  conditions text := (SELECT string_agg(format('event = %L', s), ', ' ORDER BY i) FROM unnest(steps) WITH ORDINALITY u(s, i));
  fast text := format('SELECT user_id, level FROM cohort.funnel_levels(%L, %L, %L, %L)', rel, win, steps, as_of);
  limit_before text;
  work_mem_before text;
  n bigint;
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  EXECUTE format('CREATE TEMP TABLE fl_expected AS SELECT user_id, cohort.window_funnel(%L, ts, %s) AS level FROM %s
                   WHERE ts <= %L AND event = ANY (%L) AND user_id IS NOT NULL GROUP BY user_id',
                 win, conditions, rel, as_of, steps);
  IF sorted THEN
    limit_before := current_setting('cohort.state_memory_limit');
    work_mem_before := current_setting('work_mem');
    PERFORM set_config('cohort.state_memory_limit', lim, true);
    PERFORM set_config('work_mem', '64kB', true);
  END IF;
  EXECUTE format('SELECT (SELECT count(*) FROM ((TABLE fl_expected) EXCEPT ALL (%s)) x) + (SELECT count(*) FROM ((%s) EXCEPT ALL (TABLE fl_expected)) y)',
                 fast, fast) INTO n;
  IF sorted THEN
    PERFORM set_config('cohort.state_memory_limit', limit_before, true);
    PERFORM set_config('work_mem', work_mem_before, true);
  END IF;
  DROP TABLE fl_expected;
  RETURN n;
END $$;
SELECT w AS window_size, s AS steps, t AS as_of,
       pg_temp.differing('fl_events', w, s, t, true) AS direct,
       pg_temp.differing('fl_events', w, s, t, false) AS executor,
       pg_temp.differing('fl_view', w, s, t, true) AS view
  FROM (VALUES (interval '1 hour'), (interval '1 day'), (interval '3 days')) a(w),
       (VALUES (ARRAY['a']), (ARRAY['a', 'b']), (ARRAY['a', 'b', 'c', 'd']), (ARRAY['b', 'a', 'a', 'c'])) b(s),
       (VALUES (timestamptz '2026-01-04'), (timestamptz '2026-02-01')) c(t)
 ORDER BY 1, 2, 3;
-- not vacuous: many users, every level
SELECT count(*) AS users, count(DISTINCT level) AS levels, min(user_id) AS min_user
  FROM cohort.funnel_levels('fl_events', '1 day', ARRAY['a', 'b', 'c', 'd'], '2026-02-01');

-- Errors.
\set VERBOSITY terse
SELECT * FROM cohort.funnel_levels(NULL, '1 day', ARRAY['a'], '2026-02-01');
SELECT * FROM cohort.funnel_levels('fl_events', NULL, ARRAY['a'], '2026-02-01');
SELECT * FROM cohort.funnel_levels('fl_events', '1 day', NULL, '2026-02-01');
SELECT * FROM cohort.funnel_levels('fl_events', '1 day', ARRAY['a'], NULL);
SELECT * FROM cohort.funnel_levels('fl_events', '1 day', ARRAY['a', NULL], '2026-02-01');
SELECT * FROM cohort.funnel_levels('fl_events', '1 day', '{}', '2026-02-01');
SELECT * FROM cohort.funnel_levels('fl_events', '1 day', array_fill('a'::text, ARRAY[33]), '2026-02-01');
SELECT * FROM cohort.funnel_levels('fl_events', '0 seconds', ARRAY['a'], '2026-02-01');
SELECT * FROM cohort.funnel_levels('fl_events', '-1 day', ARRAY['a'], '2026-02-01');
SELECT * FROM cohort.funnel_levels('pg_class', '1 day', ARRAY['a'], '2026-02-01');
\set VERBOSITY default

-- Beyond cohort.state_memory_limit (the 20,000 rows need about 200 kB in memory) the step rows go
-- to a temporary file in buckets of users and come back one bucket at a time: the same levels as
-- the aggregate's, on every scan path; DEBUG1 says so.
SELECT w AS window_size, s AS steps,
       pg_temp.differing('fl_events', w, s, '2026-02-01', true, sorted => true) AS direct,
       pg_temp.differing('fl_events', w, s, '2026-02-01', false, sorted => true) AS executor,
       pg_temp.differing('fl_view', w, s, '2026-02-01', true, sorted => true) AS view
  FROM (VALUES (interval '1 hour'), (interval '1 day'), (interval '3 days')) a(w),
       (VALUES (ARRAY['a']), (ARRAY['a', 'b']), (ARRAY['a', 'b', 'c', 'd']), (ARRAY['b', 'a', 'a', 'c'])) b(s)
 ORDER BY 1, 2;
-- Edge rows for the sorted path: the smallest and largest user ids, infinite times (the later
-- one past as_of), many ties, and step lists whose masks order differently from their tie keys
-- ({a,b,a}: masks 5 and 2) or reach the high bits (32 steps).
CREATE TABLE fl_edge (user_id bigint, event text, ts timestamptz);
INSERT INTO fl_edge
SELECT CASE i % 7 WHEN 0 THEN -9223372036854775808 WHEN 1 THEN 9223372036854775807 ELSE i % 97 - 48 END,
       (ARRAY['a', 'b', 'c'])[1 + (i * 7 / 3) % 3],
       CASE i % 50 WHEN 0 THEN '-infinity'::timestamptz WHEN 1 THEN 'infinity'
                   ELSE '2026-01-01'::timestamptz + (i * 7919 % 240) * interval '1 minute' END
  FROM generate_series(1, 20000) i;
SELECT s AS steps, pg_temp.differing('fl_edge', '20 minutes', s, '2026-02-01', true, sorted => true) AS direct,
       pg_temp.differing('fl_edge', '20 minutes', s, '2026-02-01', false, sorted => true) AS executor
  FROM (VALUES (ARRAY['a', 'b', 'a']), (array_fill('a'::text, ARRAY[32])),
               ((SELECT array_agg((ARRAY['a', 'b', 'c'])[1 + i % 3] ORDER BY i) FROM generate_series(0, 31) i))) v(s)
 ORDER BY 1;
-- not vacuous: the extreme users and several levels
SELECT count(*) AS users, count(DISTINCT level) AS levels, min(user_id), max(user_id)
  FROM cohort.funnel_levels('fl_edge', '20 minutes', (SELECT array_agg((ARRAY['a', 'b', 'c'])[1 + i % 3] ORDER BY i) FROM generate_series(0, 31) i), '2026-02-01');
-- A bucket too large to hold (the users with dense indexes 0 and 256, 3,000 rows each: 144 kB
-- with their regrouped copy) goes through a sort within work_mem, one user's run at a time; the
-- other buckets are read back into memory. DEBUG1 says so.
CREATE TABLE fl_shared (user_id bigint, event text, ts timestamptz);
INSERT INTO fl_shared VALUES (1000, 'a', '2026-01-01');
INSERT INTO fl_shared SELECT u, 'b', '2026-01-01' FROM generate_series(1, 255) u;
INSERT INTO fl_shared VALUES (2000, 'c', '2026-01-01');
INSERT INTO fl_shared
SELECT CASE WHEN i % 2 = 0 THEN 1000 ELSE 2000 END,
       CASE WHEN i % 2 = 0 THEN (ARRAY['a', 'b', 'c'])[1 + (i * 7 / 5) % 3]
            ELSE (ARRAY['a', 'b'])[1 + (i * 7 / 5) % 2] END,                -- user 2000 never has a 'c'
       '2026-01-01'::timestamptz + (i * 7919 % 3000) * interval '1 minute'
  FROM generate_series(1, 6000) i;
SELECT pg_temp.differing('fl_shared', '1 hour', ARRAY['a', 'b', 'c'], '2026-02-01', true, sorted => true) AS direct,
       pg_temp.differing('fl_shared', '1 hour', ARRAY['a', 'b', 'c'], '2026-02-01', false, sorted => true) AS executor;
-- Buckets of several thousand rows (50 users of 3,000 rows each, 1.8 MB) past a 1 MB limit: each
-- bucket fills several blocks of the file and comes back into memory whole.
CREATE TABLE fl_wide AS
SELECT i % 50 AS user_id, (ARRAY['a', 'b', 'c'])[1 + (i * 7 / 5) % (1 + i % 50 % 3)] AS event,  -- 1 to 3 event names
       '2026-01-01'::timestamptz + (i * 7919 % 150000) * interval '1 minute' AS ts
  FROM generate_series(1, 150000) i;
SELECT pg_temp.differing('fl_wide', '1 hour', ARRAY['a', 'b', 'c'], '2026-12-01', true, sorted => true, lim => '1MB') AS direct,
       pg_temp.differing('fl_wide', '20 minutes', ARRAY['c', 'a', 'b'], '2026-12-01', false, sorted => true, lim => '1MB') AS executor;
-- not vacuous: several levels
SELECT count(DISTINCT level) AS levels FROM cohort.funnel_levels('fl_wide', '20 minutes', ARRAY['c', 'a', 'b'], '2026-12-01');
-- Users beyond the limit too (one user's 4,000 rows go to the file first, then 20,000 more users
-- arrive, their ids in descending order, unlike their dense indexes): every row goes to a sort by
-- user id within work_mem.
CREATE TABLE fl_many AS
SELECT 0::bigint AS user_id, (ARRAY['a', 'b'])[1 + i % 2] AS event, '2026-01-01'::timestamptz + i * interval '1 minute' AS ts
  FROM generate_series(1, 4000) i;
INSERT INTO fl_many
SELECT 100000 - i / 2, (ARRAY['a', 'b', 'a'])[1 + i % 3], '2026-01-01'::timestamptz + (i % 7) * interval '10 minutes'
  FROM generate_series(1, 40000) i;
SELECT pg_temp.differing('fl_many', '15 minutes', ARRAY['a', 'b'], '2026-02-01', true, sorted => true) AS direct,
       pg_temp.differing('fl_many', '15 minutes', ARRAY['a', 'b'], '2026-02-01', false, sorted => true) AS executor;
SET cohort.state_memory_limit = '64kB';
SET work_mem = '64kB';
SET client_min_messages = debug1;
SELECT user_id, level FROM cohort.funnel_levels('fl_shared', '1 hour', ARRAY['a', 'b', 'c'], '2026-02-01')
 WHERE user_id IN (1, 255, 1000, 2000) ORDER BY user_id;
SELECT count(*) AS users, count(DISTINCT level) AS levels FROM cohort.funnel_levels('fl_many', '15 minutes', ARRAY['a', 'b'], '2026-02-01');
SET cohort.state_memory_limit = '1MB';
SELECT count(*) AS users, count(DISTINCT level) AS levels FROM cohort.funnel_levels('fl_wide', '20 minutes', ARRAY['c', 'a', 'b'], '2026-12-01');
SET cohort.state_memory_limit = '64kB';
RESET client_min_messages;
-- One user's rows are held together: more of them than the limit holds is a clean 53200.
\set VERBOSITY terse
CREATE TABLE fl_one AS
SELECT 1::bigint AS user_id, (ARRAY['a', 'b'])[1 + i % 2] AS event, '2026-01-01'::timestamptz + i * interval '1 second' AS ts
  FROM generate_series(1, 20000) i;
SELECT count(*) FROM cohort.funnel_levels('fl_one', '2 hours', ARRAY['a', 'b'], '2026-02-01');
\set VERBOSITY default
SET client_min_messages = debug1;
SELECT count(*) AS users, count(DISTINCT level) AS levels FROM cohort.funnel_levels('fl_events', '1 day', ARRAY['a', 'b', 'c', 'd'], '2026-02-01');
RESET client_min_messages;
RESET work_mem;
RESET cohort.state_memory_limit;
DROP VIEW fl_view;
DROP TABLE fl_events, fl_edge, fl_one, fl_shared, fl_many, fl_wide;
