-- Cases 1, 2 and 6 of bench.sql again, with the events' pages scattered over shared buffers:
-- run.sh restarts the server and reads the table by a parallel count(*) five times, as a server's
-- pool holds a table after parallel queries or eviction, where bench.sql ran with the pages in
-- the consecutive buffers the data load left them in. Alternating, medians; the members checked.
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
CREATE EXTENSION IF NOT EXISTS pg_buffercache;

\echo
\echo '== the events pages in shared buffers after the restart and the parallel reads'
-- How the pages lie: the share of pages whose buffer follows the previous page's (the layout
-- bench.sql ran with has nearly all of them so).
SELECT count(*) AS pages_cached, pg_relation_size('events') / 8192 AS pages,
       round(100.0 * count(*) FILTER (WHERE bufferid = previous + 1) / count(*), 1) AS pct_in_the_next_buffer,
       round(avg(usagecount), 2) AS avg_usage_count
  FROM (SELECT bufferid, usagecount, lag(bufferid) OVER (ORDER BY relblocknumber) AS previous
          FROM pg_buffercache
         WHERE relfilenode = pg_relation_filenode('events') AND relforknumber = 0
           AND reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())) b;

INSERT INTO public.bench_cases SELECT 0, 'cohort''s own direct scan with no row kept (floor)',
  $$SELECT user_id FROM cohort.evaluate('{"performed": {"event": "no such event", "op": ">=", "value": 1, "days": 30}}', 'events', NULL, '2026-06-30 12:00+00')$$,
  -- materialized: count(*) over a one-row aggregate subquery would let the planner skip the scan
  'WITH s AS MATERIALIZED (SELECT count(user_id), count(event), count(ts), count(price) FROM events) SELECT * FROM s', 5, NULL;

\ir functions.sql
CREATE TEMP TABLE timings (id int, who text, seconds float8, pages_guessed bigint);
DO $$
DECLARE c record; s float8;
BEGIN
  FOR c IN SELECT * FROM public.bench_cases ORDER BY id LOOP
    FOR i IN 1..c.reps LOOP
      s := pg_temp.time_once(c.cohort_sql);
      INSERT INTO timings SELECT c.id, 'cohort', s, pages_guessed FROM cohort.last_evaluation();
      s := pg_temp.time_once(c.hand_sql);
      INSERT INTO timings VALUES (c.id, 'hand', s, NULL);
    END LOOP;
  END LOOP;
END $$;
CREATE TEMP TABLE scattered_report AS
SELECT c.id, c.name,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.seconds) FILTER (WHERE t.who = 'cohort')::numeric AS cohort_s,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.seconds) FILTER (WHERE t.who = 'hand')::numeric AS hand_s,
       min(t.pages_guessed) AS pages_guessed,
       CASE WHEN c.id > 0 THEN pg_temp.differences(c.cohort_sql, c.hand_sql) END AS differing_rows
  FROM public.bench_cases c JOIN timings t USING (id)
 GROUP BY c.id, c.name, c.cohort_sql, c.hand_sql;
-- Case 0's "hand" column is the executor scan of the events columns case 1 reads.
SELECT id, name, round(cohort_s, 3) AS cohort_s, round(hand_s, 3) AS hand_s, round(hand_s / cohort_s, 1) AS speedup,
       pages_guessed, differing_rows
  FROM scattered_report ORDER BY id;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM scattered_report WHERE id > 0 AND differing_rows IS DISTINCT FROM 0) THEN
    RAISE EXCEPTION 'benchmark: cohort gave a different answer with the pages scattered';
  END IF;
END $$;
DROP TABLE public.bench_cases;
