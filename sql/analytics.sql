-- ClickHouse-style analytics aggregates: window_funnel, sequence_match, sequence_count, retention.
-- Every expected value below is checked by hand; the comment next to it says why.
SET timezone = 'UTC';

-- Hand-made events: case c, minute m after 2024-01-01 00:00 UTC, event text e. The steps are
-- "e contains a", "e contains b", "e contains c", so one row may satisfy several steps ('ab').
CREATE TABLE fe (c text, m int, e text);
INSERT INTO fe VALUES
  ('basic', 0, 'a'), ('basic', 5, 'b'), ('basic', 20, 'c'),
  ('out_of_order', 0, 'b'), ('out_of_order', 1, 'a'), ('out_of_order', 2, 'c'), ('out_of_order', 3, 'b'),
  ('restart', 0, 'a'), ('restart', 5, 'b'), ('restart', 50, 'a'), ('restart', 55, 'b'), ('restart', 60, 'c'),
  ('equal_ts', 0, 'c'), ('equal_ts', 0, 'b'), ('equal_ts', 0, 'a'),
  ('one_row', 0, 'abc'),
  ('shared_row', 0, 'ab'), ('shared_row', 1, 'c'),
  ('two_rows', 0, 'ab'), ('two_rows', 0, 'b'), ('two_rows', 1, 'c'),
  ('repeat_b', 0, 'a'), ('repeat_b', 1, 'b'), ('repeat_b', 2, 'b'), ('repeat_b', 3, 'c'),
  ('repeat_a', 0, 'a'), ('repeat_a', 1, 'a'), ('repeat_a', 2, 'b'), ('repeat_a', 3, 'c'),
  ('other_event', 0, 'a'), ('other_event', 1, 'x'), ('other_event', 2, 'b'), ('other_event', 3, 'c'),
  ('early_step', 0, 'a'), ('early_step', 1, 'c'), ('early_step', 2, 'b'), ('early_step', 3, 'c'),
  ('lead_other', 0, 'x'), ('lead_other', 1, 'a'), ('lead_other', 2, 'b'),
  ('null_ts', 0, 'a'), ('null_ts', NULL, 'b'), ('null_ts', 2, 'c'),
  ('null_cond', 0, 'a'), ('null_cond', 1, NULL), ('null_cond', 2, 'b'),
  ('none', 0, 'x'), ('none', 1, 'c');
CREATE VIEW fev AS
  SELECT c, timestamptz '2024-01-01 00:00+00' + m * interval '1 minute' AS ts,
         position('a' in e) > 0 AS sa, position('b' in e) > 0 AS sb, position('c' in e) > 0 AS sc
  FROM fe;

-- Default mode, windows 30, 20 and 19 minutes:
--  basic        a@0 b@5 c@20: 3 within 30 and 20 (the window end is inclusive), 2 within 19.
--  out_of_order b@0 a@1 c@2 b@3: b@0 precedes any a; a@1 b@3 is a chain; c@2 is before b@3: 2.
--  restart      a@0 b@5 a@50 b@55 c@60: c@60 is 60 min after a@0 but 10 after a@50: 3 everywhere.
--  equal_ts     c, b, a all at 0: equal timestamps order by step number: 3.
--  one_row      one row 'abc': a row may serve several steps: 3.
--  shared_row   'ab'@0 c@1: 3.    two_rows 'ab'@0 b@0 c@1: 3.
--  repeat_b, repeat_a, other_event, early_step: a chain a, b, c exists within 3 minutes: 3.
--  lead_other   x@0 a@1 b@2: 2.
--  null_ts      the NULL-timestamp b row is ignored, c@2 needs a b first: 1.
--  null_cond    a NULL condition is false; a@0 b@2: 2.
--  none         c without a: 0.
SELECT c,
       cohort.window_funnel('30 minutes', ts, sa, sb, sc) AS w30,
       cohort.window_funnel('20 minutes', ts, sa, sb, sc) AS w20,
       cohort.window_funnel('19 minutes', ts, sa, sb, sc) AS w19
FROM fev GROUP BY c ORDER BY c;

-- Modes, window 30 minutes.
--  strict_increase: timestamps strictly increase along the chain.
--    equal_ts and one_row: everything at minute 0: 1. shared_row: a@0 (the 'ab' row), c@1 needs a
--    b after minute 0: 1. two_rows: 1 for the same reason. Others as the default mode.
--  strict_once: a row serves at most one step.
--    one_row: 1. shared_row: 'ab' is a or b, not both: 1. two_rows: a from 'ab', b from the
--    other row at the same minute, c@1: 3. equal_ts: three rows: 3.
--  strict_deduplication: a step already reached occurring again ends the search.
--    repeat_b a@0 b@1 b@2: stops at the second b with level 2. repeat_a: a repeated first step
--    restarts the chain (as in ClickHouse), a@1 b@2 c@3: 3. out_of_order b@0 (step 2 not reached
--    yet), a@1, c@2 (not reached), b@3: 2. two_rows: 'ab' gives a and b, the second b@0 repeats
--    step 2: stop at 2. restart a@0 b@5 a@50 b@55: b@55 repeats step 2: stop at 2. equal_ts: 3.
SELECT c,
       cohort.window_funnel('30 minutes', '{strict_increase}', ts, sa, sb, sc) AS increase,
       cohort.window_funnel('30 minutes', '{strict_once}', ts, sa, sb, sc) AS once,
       cohort.window_funnel('30 minutes', '{strict_deduplication}', ts, sa, sb, sc) AS dedup,
       cohort.window_funnel('30 minutes', '{}', ts, sa, sb, sc) AS no_modes
FROM fev GROUP BY c ORDER BY c;

-- strict_order: after the first step, a row satisfying no step, or a later step before its
-- predecessor was reached, ends the search.
--    other_event a@0 x@1: 1. early_step a@0 c@1 (step 2 not reached): 1; with allow_reentry c@1
--    is skipped and a@0 b@2 c@3 gives 3. lead_other: x@0 before the first step is ignored: 2.
--    null_cond: the NULL row satisfies nothing: 1. out_of_order: b@0 before any a is ignored,
--    a@1, c@2 out of turn: 1 (allow_reentry: skips c@2, b@3: 2). repeat_b: 3. basic: 3.
--    none: x then c, no first step: 0.
SELECT c,
       cohort.window_funnel('30 minutes', '{strict_order}', ts, sa, sb, sc) AS strict_order,
       cohort.window_funnel('30 minutes', '{strict_order,allow_reentry}', ts, sa, sb, sc) AS reentry
FROM fev GROUP BY c ORDER BY c;

-- One step; zero rows; only NULL timestamps.
SELECT cohort.window_funnel('1 hour', ts, sa) AS one_step FROM fev WHERE c = 'basic';
SELECT cohort.window_funnel('1 hour', ts, sa, sb) AS no_rows FROM fev WHERE false;
SELECT cohort.window_funnel('1 hour', NULL::timestamptz, true, true) AS null_ts_only;
-- A day counts 24 hours and a month 30 days: b 30 days after a is inside '1 month'.
SELECT cohort.window_funnel('1 month', ts, a, b) AS month_window
FROM (VALUES (timestamptz '2024-01-01', true, false), (timestamptz '2024-01-31', false, true)) v(ts, a, b);
SELECT cohort.window_funnel('29 days 23:59:59', ts, a, b) AS just_under
FROM (VALUES (timestamptz '2024-01-01', true, false), (timestamptz '2024-01-31', false, true)) v(ts, a, b);

-- sequence_match / sequence_count on hand-made events (minutes; conditions e = 'a', 'b', 'c').
CREATE TABLE se (c text, m int, e text);
INSERT INTO se VALUES
  ('abc', 0, 'a'), ('abc', 1, 'b'), ('abc', 2, 'c'),
  ('skip', 0, 'a'), ('skip', 1, 'x'), ('skip', 2, 'b'),
  ('ababab', 0, 'a'), ('ababab', 1, 'b'), ('ababab', 2, 'a'), ('ababab', 3, 'b'), ('ababab', 4, 'a'), ('ababab', 5, 'b'),
  ('aabb', 0, 'a'), ('aabb', 1, 'a'), ('aabb', 2, 'b'), ('aabb', 3, 'b'),
  ('tie', 7, 'b'), ('tie', 7, 'a');
CREATE VIEW sev AS
  SELECT c, timestamptz '2024-01-01 00:00+00' + m * interval '1 minute' AS ts,
         e = 'a' AS ca, e = 'b' AS cb, e = 'c' AS cc
  FROM se;

-- Per pattern, case abc (a@0 b@60s c@120s), skip (a@0, x is no event, b@120s), ababab, aabb,
-- tie (a and b both at minute 7: equal timestamps order by lowest true condition, a first):
--  (?1)(?2)          adjacent a, b:            abc t, skip t (x skipped), ababab t, aabb t, tie t
--  (?1)(?3)          b lies between in abc:    f f f f f
--  (?1).(?3)         one event between:        t f f f f
--  (?1).*(?3)        any events between:       t f f f f
--  (?2)(?1)          b then a:                 f f t (b@1 a@2) f f (a sorts before b at minute 7)
--  (?1)(?t<=120)(?3) c 120 s after a:          t f f f f
--  (?1)(?t<120)(?3)                             f f f f f
--  (?1)(?t==60)(?2)  b 60 s after a:            t f t t f (tie: 0 s)
--  (?1)(?t!=60)(?2)                             f t (120 s) t (a@0 b@3) t (a@0 b@3) t
--  (?1)(?t>=120)(?2)                            f t t t f
SELECT p, string_agg(c || '=' || r::text, ' ' ORDER BY c) AS results
FROM (SELECT p, c, cohort.sequence_match(p, ts, ca, cb, cc) AS r
      FROM sev, (VALUES ('(?1)(?2)'), ('(?1)(?3)'), ('(?1).(?3)'), ('(?1).*(?3)'), ('(?2)(?1)'),
                        ('(?1)(?t<=120)(?3)'), ('(?1)(?t<120)(?3)'), ('(?1)(?t==60)(?2)'),
                        ('(?1)(?t!=60)(?2)'), ('(?1)(?t>=120)(?2)')) pats(p)
      GROUP BY p, c) s
GROUP BY p ORDER BY p;

-- sequence_count: non-overlapping matches, each starting after the previous one's last event.
--  ababab (?1)(?2): a0b1, a2b3, a4b5 = 3; (?1).*(?2): same 3; (?1)(?t>=120)(?2): a0..b3 then
--  a4 b5 is only 60 s: 1.  aabb (?1)(?2): a1b2 = 1 (b3 has no a before it after b2); (?1).*(?2): 1.
--  abc (?1)(?2)(?3): 1; (?1)(?3): 0.
SELECT c, p, cohort.sequence_count(p, ts, ca, cb, cc) AS n
FROM sev, (VALUES ('(?1)(?2)'), ('(?1).*(?2)'), ('(?1)(?t>=120)(?2)'), ('(?1)(?2)(?3)'), ('(?1)(?3)')) pats(p)
WHERE c IN ('ababab', 'aabb', 'abc')
GROUP BY c, p ORDER BY c, p;
SELECT cohort.sequence_match('(?1)', ts, ca) AS no_rows_match, cohort.sequence_count('(?1)', ts, ca) AS no_rows_count
FROM sev WHERE false;

-- retention: [c1, c1 and c2, c1 and c3] over each group.
--  u1: c1 and c2 on different rows, never c3: {1,1,0}. u2: c2 and c3 but never c1: {0,0,0}.
--  u3: c1 only, a NULL condition counts as false: {1,0,0}.
SELECT u, cohort.retention(c1, c2, c3)
FROM (VALUES (1, true, false, false), (1, false, true, false),
             (2, false, true, true),
             (3, true, NULL, false), (3, false, false, NULL)) v(u, c1, c2, c3)
GROUP BY u ORDER BY u;
SELECT cohort.retention(true) AS one, cohort.retention(x) IS NULL AS no_rows_is_null
FROM (VALUES (true)) v(x) WHERE true;
SELECT cohort.retention(x) IS NULL AS no_rows_is_null FROM (VALUES (true)) v(x) WHERE false;

-- Errors, with their SQLSTATE.
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT q, pg_temp.sqlstate_of(q) FROM (VALUES
  ($$SELECT cohort.window_funnel('0 seconds', now(), true)$$),
  ($$SELECT cohort.window_funnel('-1 hour', now(), true)$$),
  ($$SELECT cohort.window_funnel('1 month -31 days', now(), true)$$),
  ($$SELECT cohort.window_funnel('178000000 years', now(), true)$$),
  ($$SELECT cohort.window_funnel(NULL, now(), true)$$),
  ($$SELECT cohort.window_funnel('1 hour', now(), VARIADIC '{}'::boolean[])$$),
  ($$SELECT cohort.window_funnel('1 hour', now(), VARIADIC NULL::boolean[])$$),
  ($$SELECT cohort.window_funnel('1 hour', now(), VARIADIC array_fill(true, ARRAY[33]))$$),
  ($$SELECT cohort.window_funnel('1 hour', now(), VARIADIC '{{true}}'::boolean[])$$),
  ($$SELECT cohort.window_funnel('1 hour', '{strict}', now(), true)$$),
  ($$SELECT cohort.window_funnel('1 hour', '{allow_reentry}', now(), true)$$),
  ($$SELECT cohort.window_funnel('1 hour', '{strict_order,NULL}', now(), true)$$),
  ($$SELECT cohort.window_funnel('1 hour', NULL, now(), true)$$),
  ($$SELECT cohort.window_funnel(w, now(), true) FROM (VALUES ('1 hour'::interval), ('2 hours')) v(w)$$),
  ($$SELECT cohort.window_funnel('1 hour', now(), VARIADIC s) FROM (VALUES ('{t}'::bool[]), ('{t,f}')) v(s)$$),
  ($$SELECT cohort.window_funnel('1 hour', m, now(), true) FROM (VALUES ('{}'::text[]), ('{strict_once}')) v(m)$$),
  ($$SELECT cohort.sequence_match('', now(), true)$$),
  ($$SELECT cohort.sequence_match('(?1)(?2', now(), true, true)$$),
  ($$SELECT cohort.sequence_match('(?1)(?3)', now(), true, true)$$),
  ($$SELECT cohort.sequence_match('(?0)', now(), true)$$),
  ($$SELECT cohort.sequence_match('(?1) (?1)', now(), true)$$),
  ($$SELECT cohort.sequence_match('(?t>5)(?1)', now(), true)$$),
  ($$SELECT cohort.sequence_match('(?1)(?t>5)', now(), true)$$),
  ($$SELECT cohort.sequence_match('(?1)(?t=5)(?1)', now(), true)$$),
  ($$SELECT cohort.sequence_match('(?1)(?t>x)(?1)', now(), true)$$),
  ($$SELECT cohort.sequence_match('(?1)(?t>99999999999999)(?1)', now(), true)$$),
  ($$SELECT cohort.sequence_match('.*', now(), true)$$),
  ($$SELECT cohort.sequence_match(repeat('.', 1001), now(), true)$$),
  ($$SELECT cohort.sequence_count(NULL, now(), true)$$),
  ($$SELECT cohort.sequence_count(p, now(), true) FROM (VALUES ('(?1)'), ('.')) v(p)$$),
  ($$SELECT cohort.retention(VARIADIC array_fill(true, ARRAY[33]))$$),
  ($$SELECT cohort.retention(VARIADIC '{}'::boolean[])$$),
  ($$SELECT cohort.retention(VARIADIC s) FROM (VALUES ('{t}'::bool[]), ('{t,f}')) v(s)$$),
  ($$SELECT cohort.retention_final(-1)$$)
) v(q);
-- The full text of a pattern error.
\set VERBOSITY default
SELECT cohort.sequence_match('(?1)(?t>5(?2)', now(), true, true);
SELECT cohort.window_funnel('1 hour', '{strict_order,sideways}', now(), true);

-- A parallel plan: partial states are serialized by the workers and combined by the leader.
SELECT setseed(0.42);
CREATE TABLE big_events AS
  SELECT (random() * 2000)::int AS user_id,
         CASE WHEN random() < 0.01 THEN NULL
              ELSE timestamptz '2024-01-01' + (random() * 1440)::int * interval '1 minute' END AS ts,
         (ARRAY['view', 'cart', 'buy', 'other'])[1 + (random() * 3.999)::int] AS event
  FROM generate_series(1, 100000);
ANALYZE big_events;
CREATE VIEW big_query AS
  SELECT user_id,
         cohort.window_funnel('2 hours', ts, event = 'view', event = 'cart', event = 'buy') AS funnel,
         cohort.window_funnel('2 hours', '{strict_order,allow_reentry}', ts, event = 'view', event = 'cart', event = 'buy') AS funnel_strict,
         cohort.window_funnel('2 hours', '{strict_once,strict_increase}', ts, event = 'view', event = 'cart', event = 'buy') AS funnel_once,
         cohort.sequence_count('(?1).*(?2)(?t<=600)(?3)', ts, event = 'view', event = 'cart', event = 'buy') AS seq_count,
         cohort.sequence_match('(?1)(?2)(?3)', ts, event = 'view', event = 'cart', event = 'buy') AS seq_match,
         cohort.retention(event = 'view', event = 'cart', event = 'buy') AS retention
  FROM big_events GROUP BY user_id;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE serial_results AS SELECT * FROM big_query;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
-- The aggregates run partially in the workers (hash or sorted grouping: the planner's choice).
CREATE FUNCTION pg_temp.plan_shape(q text) RETURNS TABLE (gather boolean, partial_aggregate boolean)
LANGUAGE plpgsql AS $$
DECLARE plan text := '';
        line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    plan := plan || line || E'\n';
  END LOOP;
  RETURN QUERY SELECT plan ~ 'Gather', plan ~ 'Partial (Hash|Group)Aggregate';
END $$;
SELECT * FROM pg_temp.plan_shape('SELECT * FROM big_query');
CREATE TABLE parallel_results AS SELECT * FROM big_query;
SELECT (SELECT count(*) FROM serial_results) AS users,
       (SELECT count(*) FROM (SELECT * FROM serial_results EXCEPT SELECT * FROM parallel_results) d) AS only_serial,
       (SELECT count(*) FROM (SELECT * FROM parallel_results EXCEPT SELECT * FROM serial_results) d) AS only_parallel,
       (SELECT count(DISTINCT funnel) FROM serial_results) AS distinct_levels,
       (SELECT count(*) FILTER (WHERE seq_count > 0) FROM serial_results) > 0 AS some_sequences;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Differential check: window_funnel (default mode) against plain SQL on generated data with ties
-- (whole minutes), NULL timestamps and NULL events. Level >= k iff rows r1..rk exist with step i
-- true on ri, ts(r1) <= ts(r2) <= ... <= ts(rk) <= ts(r1) + window (a row may serve several steps).
SELECT setseed(0.17);
CREATE TABLE diff_events AS
  SELECT (random() * 300)::int AS user_id,
         CASE WHEN random() < 0.02 THEN NULL
              ELSE timestamptz '2024-01-01' + (random() * 600)::int * interval '1 minute' END AS ts,
         CASE WHEN random() < 0.02 THEN NULL
              ELSE (ARRAY['a', 'b', 'c', 'ab', 'x'])[1 + (random() * 4.999)::int] END AS e
  FROM generate_series(1, 3000);
CREATE TEMP VIEW d AS
  SELECT user_id, ts, coalesce(position('a' in e) > 0, false) AS s1,
         coalesce(position('b' in e) > 0, false) AS s2, coalesce(e IN ('c', 'x'), false) AS s3
  FROM diff_events WHERE ts IS NOT NULL;
CREATE TEMP TABLE reference AS
  SELECT u.user_id,
         CASE WHEN EXISTS (SELECT 1 FROM d r1 JOIN d r2 ON r2.user_id = r1.user_id AND r2.s2
                                    AND r2.ts >= r1.ts AND r2.ts <= r1.ts + interval '45 minutes'
                                  JOIN d r3 ON r3.user_id = r1.user_id AND r3.s3
                                    AND r3.ts >= r2.ts AND r3.ts <= r1.ts + interval '45 minutes'
                           WHERE r1.user_id = u.user_id AND r1.s1) THEN 3
              WHEN EXISTS (SELECT 1 FROM d r1 JOIN d r2 ON r2.user_id = r1.user_id AND r2.s2
                                    AND r2.ts >= r1.ts AND r2.ts <= r1.ts + interval '45 minutes'
                           WHERE r1.user_id = u.user_id AND r1.s1) THEN 2
              WHEN EXISTS (SELECT 1 FROM d r1 WHERE r1.user_id = u.user_id AND r1.s1) THEN 1
              ELSE 0 END AS level
  FROM (SELECT DISTINCT user_id FROM diff_events) u;
CREATE TEMP TABLE computed AS
  SELECT user_id, cohort.window_funnel('45 minutes', ts, position('a' in e) > 0, position('b' in e) > 0,
                                       e IN ('c', 'x')) AS level
  FROM diff_events GROUP BY user_id;
SELECT count(*) AS users, count(*) FILTER (WHERE r.level IS DISTINCT FROM c.level) AS mismatches,
       count(DISTINCT r.level) AS distinct_levels
FROM reference r FULL JOIN computed c USING (user_id);

-- Non-variadic overloads: with 2 to 8 plain boolean steps, window_funnel resolves to an aggregate
-- taking them as separate arguments (no boolean[] built per row); `VARIADIC ARRAY[...]` still
-- reaches the variadic one. Both must give the same level for every user, in default mode and
-- with modes, serial and parallel. Step i is `e = i`, and e = 9 is steps 1 and 2 at once, e = 0
-- no step, NULL e every step NULL (false); whole minutes give ties, and users' events spread over
-- 1 to 10 hours, so levels vary.
SELECT setseed(0.31);
CREATE TABLE arity_events AS
  SELECT u AS user_id,
         CASE WHEN random() < 0.02 THEN NULL
              ELSE timestamptz '2024-01-01' + (random() * 60 * (1 + u % 10))::int * interval '1 minute' END AS ts,
         CASE WHEN random() < 0.02 THEN NULL ELSE floor(random() * 10)::int END AS e
  FROM (SELECT (random() * 400)::int AS u FROM generate_series(1, 20000)) g;
ANALYZE arity_events;
-- arity_query: per user, arity n (2..8) and modes, the level from the plain call (plain) and from
-- the VARIADIC ARRAY[...] call of the same steps (via_array).
DO $$
BEGIN
  EXECUTE (
    SELECT format($q$CREATE VIEW arity_query AS
      SELECT a.user_id, k.n, k.modes, k.plain, k.via_array
      FROM (SELECT user_id, %s FROM arity_events GROUP BY user_id) a,
      LATERAL (VALUES %s) k(n, modes, plain, via_array)$q$,
      string_agg(format('cohort.window_funnel(''90 minutes'', %1$s ts, %2$s) AS p%3$s_%4$s, '
                        'cohort.window_funnel(''90 minutes'', %1$s ts, VARIADIC ARRAY[%2$s]) AS v%3$s_%4$s',
                        coalesce(quote_literal(c.modes) || ', ', ''), c.steps, c.n, c.i), ', '),
      string_agg(format('(%1$s, %2$L, a.p%1$s_%3$s, a.v%1$s_%3$s)', c.n, coalesce(c.modes, 'default'), c.i), ', '))
    FROM (SELECT n, m.i, m.modes,
                 (SELECT string_agg(format(CASE WHEN s <= 2 THEN 'e IN (%s, 9)' ELSE 'e = %s' END, s), ', ' ORDER BY s) FROM generate_series(1, n) s) AS steps
          FROM generate_series(2, 8) n,
               (VALUES (0, NULL), (1, '{strict_order,allow_reentry}'), (2, '{strict_once,strict_increase}'),
                       (3, '{strict_deduplication}'), (4, '{strict_order}')) m(i, modes)) c);
END $$;
-- What the plain and VARIADIC calls resolved to (the view's dependencies): a non-variadic
-- aggregate per arity and form, all with the variadic aggregates' state, combine, serialize,
-- deserialize and final functions.
SELECT d.refobjid::regprocedure AS aggregate, p.provariadic <> 0 AS is_variadic, a.aggtransfn,
       (a.aggtranstype, a.aggtransspace, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn) =
         (v.aggtranstype, v.aggtransspace, v.aggfinalfn, v.aggcombinefn, v.aggserialfn, v.aggdeserialfn)
         AS same_support, p.proparallel
  FROM pg_depend d JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
  JOIN pg_proc p ON p.oid = d.refobjid AND d.refclassid = 'pg_proc'::regclass
  JOIN pg_aggregate a ON a.aggfnoid = p.oid,
  pg_aggregate v
 WHERE r.ev_class = 'arity_query'::regclass
   AND v.aggfnoid = 'cohort.window_funnel(interval, timestamptz, boolean[])'::regprocedure
 ORDER BY is_variadic, p.proargtypes[1] = 'text[]'::regtype, p.pronargs;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE arity_serial AS SELECT * FROM arity_query;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT * FROM pg_temp.plan_shape('SELECT * FROM arity_query');
CREATE TABLE arity_parallel AS SELECT * FROM arity_query;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
-- Per arity and modes: users, plain/variadic mismatches (serial, parallel), rows differing between
-- the serial and parallel runs, and the levels seen (the data is not trivial).
SELECT n, modes, count(*) AS users,
       count(*) FILTER (WHERE s.plain IS DISTINCT FROM s.via_array) AS serial_mismatches,
       count(*) FILTER (WHERE p.plain IS DISTINCT FROM p.via_array) AS parallel_mismatches,
       count(*) FILTER (WHERE (s.plain, s.via_array) IS DISTINCT FROM (p.plain, p.via_array)) AS serial_vs_parallel,
       count(DISTINCT s.plain) AS distinct_levels, max(s.plain) AS max_level
  FROM arity_serial s FULL JOIN arity_parallel p USING (user_id, n, modes)
 GROUP BY n, modes ORDER BY n, modes;

-- Aggregate states are bounded: when the states of one aggregate call outgrow
-- cohort.state_memory_limit, the statement stops with 53200 (one big group, or many groups in
-- hash aggregation), and the same query runs under the default limit.
SET cohort.state_memory_limit = '1MB';
\set VERBOSITY terse
SELECT cohort.window_funnel(interval '1 day', ts, true, false)
  FROM (SELECT timestamptz '2026-01-01' + g * interval '1 second' AS ts FROM generate_series(1, 200000) g) s;
SET cohort.state_memory_limit = '256kB';
SELECT count(*), sum(f) FROM (
  SELECT g % 5000 AS u, cohort.window_funnel(interval '1 day', timestamptz '2026-01-01' + g * interval '1 second', true, false) AS f
    FROM generate_series(1, 200000) g GROUP BY 1) x;
SELECT cohort.sequence_match('(?1)(?2)', ts, true, false)
  FROM (SELECT timestamptz '2026-01-01' + g * interval '1 second' AS ts FROM generate_series(1, 200000) g) s;
\set VERBOSITY default
RESET cohort.state_memory_limit;
SELECT cohort.window_funnel(interval '1 day', ts, true, false)
  FROM (SELECT timestamptz '2026-01-01' + g * interval '1 second' AS ts FROM generate_series(1, 200000) g) s;
SELECT count(*), sum(f) FROM (
  SELECT g % 5000 AS u, cohort.window_funnel(interval '1 day', timestamptz '2026-01-01' + g * interval '1 second', true, false) AS f
    FROM generate_series(1, 200000) g GROUP BY 1) x;

-- The final functions' sorted copy of a group's rows (a group held in more than one chunk) counts
-- against the limit too: 20,000 rows in one group fit 600 kB while they are added, but not with
-- their copy (the DETAIL names it), and fit 1 MB with it.
CREATE FUNCTION pg_temp.stopped_by_final(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN out_of_memory THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN CASE WHEN detail LIKE '%final function needs%sorted copy%' THEN '53200 in the final function' ELSE detail END;
END $$;
SET cohort.state_memory_limit = '600kB';
SELECT f, pg_temp.stopped_by_final(format($q$SELECT cohort.%s
  FROM (SELECT timestamptz '2026-01-01' + g * interval '1 second' AS ts FROM generate_series(1, 20000) g) s$q$, a)) AS outcome
  FROM (VALUES ('window_funnel', $a$window_funnel(interval '1 day', ts, true, false)$a$),
               ('sequence_match', $a$sequence_match('(?1)', ts, true, false)$a$),
               ('sequence_count', $a$sequence_count('(?1)', ts, true, false)$a$)) v(f, a);
SET cohort.state_memory_limit = '1MB';
SELECT cohort.window_funnel(interval '1 day', ts, true, false), cohort.sequence_count('(?1)', ts, true, false)
  FROM (SELECT timestamptz '2026-01-01' + g * interval '1 second' AS ts FROM generate_series(1, 20000) g) s;
RESET cohort.state_memory_limit;
