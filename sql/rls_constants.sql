-- Row-level security on the direct scan where a policy has parts that are the same for every row
-- of the statement (a setting, a stable function of it): each is computed once, the first time a
-- row's check reaches it, instead of on every row. What the executor gives must not change: the
-- same members, the same errors, and nothing computed that a row-by-row evaluation would have
-- skipped (the second argument of OR, a CASE branch, a COALESCE fallback). Then the ctid a policy
-- reads, for visible tuples whose t_ctid points at another version.
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
CREATE ROLE regress_cohort_rc;
GRANT USAGE ON SCHEMA cohort TO regress_cohort_rc;
CREATE TABLE rc_events (user_id bigint, event text, ts timestamptz, tenant int);
INSERT INTO rc_events
SELECT 1 + (i / 2) % 200, (ARRAY['cart_added', 'payment_successful'])[1 + i % 2],
       '2026-05-01'::timestamptz + (i % 30) * interval '1 day', (i / 7) % 3
FROM generate_series(1, 6000) i;
GRANT SELECT ON rc_events TO regress_cohort_rc;
ALTER TABLE rc_events ENABLE ROW LEVEL SECURITY;
-- The tenant from a setting, counting its calls in another setting.
CREATE FUNCTION rc_tenant() RETURNS int LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM set_config('rc.calls', (coalesce(nullif(current_setting('rc.calls', true), ''), '0')::int + 1)::text, false);
  RETURN current_setting('rc.tenant')::int;
END $$;
CREATE POLICY rc_tenant ON rc_events TO regress_cohort_rc USING (tenant = rc_tenant());

-- Members, path, rows fed and the calls of rc_tenant() of one evaluation as the role (direct scan
-- or executor path), or the error it raised.
CREATE FUNCTION pg_temp.rc_run(d cohort.definition, direct boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  m bigint[];
  l record;
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  PERFORM set_config('rc.calls', '0', false);
  SET LOCAL ROLE regress_cohort_rc;
  SELECT array_agg(user_id ORDER BY user_id) INTO m FROM cohort.evaluate(d, 'rc_events', NULL, '2026-06-01');
  RESET ROLE;
  SELECT * INTO l FROM cohort.last_evaluation();
  RETURN format('%s members (%s), %s, %s rows, %s calls', coalesce(array_length(m, 1), 0), md5(m::text), l.events_scan,
                l.event_rows, current_setting('rc.calls'));
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- The members by plain SQL as the superuser, with the policy's predicate written out.
CREATE FUNCTION pg_temp.rc_expected(tenant_visible int) RETURNS text LANGUAGE sql AS $$
  SELECT format('%s members (%s)', count(*), md5(array_agg(user_id ORDER BY user_id)::text))
    FROM (SELECT DISTINCT user_id FROM rc_events
           WHERE event = 'cart_added' AND ts <= '2026-06-01' AND tenant = tenant_visible) q
$$;
SET rc.tenant = '1';
-- The direct scan calls rc_tenant() once; the executor on each row it checks.
SELECT pg_temp.rc_run('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', true) AS direct;
SELECT d = pg_temp.rc_expected(1) || ', direct, ' || (SELECT count(*) FROM rc_events WHERE event = 'cart_added' AND tenant = 1)
           || ' rows, 1 calls' AS direct_as_expected,
       split_part(e, ', ', 1) = pg_temp.rc_expected(1) AS executor_as_expected,
       (regexp_match(e, '(\d+) calls'))[1]::int > 1000 AS executor_calls_per_row
  FROM pg_temp.rc_run('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', true) d,
       pg_temp.rc_run('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', false) e;
-- A restrictive policy before it: the permissive qual is reached only on rows the restrictive one
-- lets through.
CREATE POLICY rc_even ON rc_events AS RESTRICTIVE TO regress_cohort_rc USING (user_id % 2 = 0);
SELECT pg_temp.rc_run('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', true) AS direct_with_restrictive;
DROP POLICY rc_even ON rc_events;

-- Parts a row-by-row evaluation never reaches here (every user_id is positive, every tenant set)
-- read a setting that does not exist: they must stay unevaluated, while rc_tenant() beside them
-- is still called once (1 to 4). A part every check reaches raises its error on the first row
-- checked, and none where no row is checked (5), also as the argument of a SQL function that
-- the executor path calls rather than inlines (6: inlined around a precomputed argument, the
-- function would skip it). A volatile set_config() before a current_setting() of the same name
-- changes it within the statement: nothing is precomputed then (7). Constants passed by
-- reference: a text and a name (8, 9).
CREATE FUNCTION rc_absent() RETURNS int LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN current_setting('rc.absent')::int; END $$;
CREATE FUNCTION rc_ok(t int, a int) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT t <= 5 OR t = a OR t = a + 10';
CREATE TABLE rc_policies (n int, policy text);
INSERT INTO rc_policies VALUES
 (1, $$user_id > 0 OR current_setting('rc.absent')::int = 1$$),
 (2, $$CASE WHEN user_id < 0 THEN current_setting('rc.absent') = 'x' ELSE tenant = rc_tenant() END$$),
 (3, $$coalesce(tenant, current_setting('rc.absent')::int) = rc_tenant()$$),
 (4, $$NOT (user_id <= 0 AND current_setting('rc.absent') = 'x') AND tenant = rc_tenant()$$),
 (5, $$tenant = current_setting('rc.absent')::int$$),
 (6, $$rc_ok(tenant, rc_absent())$$),
 (7, $$set_config('rc.user', user_id::text, true) IS NOT NULL AND current_setting('rc.user')::bigint = user_id$$),
 (8, $$event = current_setting('rc.event')$$),
 (9, $$(CASE WHEN tenant = 1 THEN 'regress_cohort_rc' ELSE 'nobody' END)::name = current_user$$);
SET rc.event = 'cart_added';
CREATE TABLE rc_outcomes (n int, direct text, executor text, nothing_checked text);
DO $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT * FROM rc_policies ORDER BY n LOOP
    EXECUTE format('ALTER POLICY rc_tenant ON rc_events USING (%s)', p.policy);
    INSERT INTO rc_outcomes VALUES (p.n,
      pg_temp.rc_run('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', true),
      pg_temp.rc_run('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', false),
      pg_temp.rc_run('{"performed": {"event": "no_such_event", "op": ">=", "value": 1}}', true));
  END LOOP;
END $$;
SELECT n, direct, split_part(direct, ', ', 1) = split_part(executor, ', ', 1) AS same_as_executor, nothing_checked
  FROM rc_outcomes ORDER BY n;
-- Policies 1, 7 and 8 let every row through, 2 to 4 and 9 tenant 1's.
SELECT n, split_part(direct, ', ', 1) = CASE WHEN n IN (1, 7, 8)
                                             THEN (SELECT format('%s members (%s)', count(*), md5(array_agg(user_id ORDER BY user_id)::text))
                                                     FROM (SELECT DISTINCT user_id FROM rc_events WHERE event = 'cart_added') q)
                                             ELSE pg_temp.rc_expected(1) END AS as_expected
  FROM rc_outcomes WHERE n NOT IN (5, 6) ORDER BY n;

-- Two workers without the leader (a parallel-safe policy), each computing the constant itself.
ALTER POLICY rc_tenant ON rc_events USING (tenant = current_setting('rc.tenant')::int);
ALTER TABLE rc_events SET (parallel_workers = 2);
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT split_part(r, ', ', 1) = pg_temp.rc_expected(1) AS as_expected, split_part(r, ', ', 2) AS path,
       (SELECT workers_launched FROM cohort.last_evaluation()) AS workers
  FROM pg_temp.rc_run('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', true) r;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;

-- A policy on ctid, after an update rolled back: the old versions stay visible, their t_ctid
-- pointing at the aborted ones, so their line pointer numbers are found by looking, not read
-- from t_ctid.
CREATE EXTENSION IF NOT EXISTS pageinspect;
CREATE TABLE rc_lines (user_id bigint, event text, ts timestamptz);
INSERT INTO rc_lines SELECT u, 'cart_added', '2026-05-01' FROM generate_series(1, 400) u;
BEGIN;
UPDATE rc_lines SET user_id = user_id WHERE user_id % 3 = 0;
ROLLBACK;
SELECT count(*) > 100 AS visible_tuples_pointing_elsewhere
  FROM generate_series(0, pg_relation_size('rc_lines') / 8192 - 1) b,
       LATERAL heap_page_items(get_raw_page('rc_lines', b::int)) i
 WHERE i.lp_len > 0 AND i.t_ctid <> ('(' || b || ',' || i.lp || ')')::tid AND i.t_xmax <> '0'::xid
   AND ('(' || b || ',' || i.lp || ')')::tid IN (SELECT ctid FROM rc_lines);
GRANT SELECT ON rc_lines TO regress_cohort_rc;
ALTER TABLE rc_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY rc_some_lines ON rc_lines TO regress_cohort_rc USING ((ctid::text::point)[1]::int % 4 IN (1, 2));
SET ROLE regress_cohort_rc;
SELECT array_agg(user_id ORDER BY user_id) AS m INTO TEMP rc_lines_direct
  FROM cohort.evaluate('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', 'rc_lines', NULL, '2026-06-01');
SELECT events_scan FROM cohort.last_evaluation();
RESET ROLE;
SELECT m = (SELECT array_agg(user_id ORDER BY user_id) FROM rc_lines WHERE (ctid::text::point)[1]::int % 4 IN (1, 2)) AS same_as_plain_sql,
       array_length(m, 1) AS members
  FROM rc_lines_direct;

DROP TABLE rc_events, rc_policies, rc_outcomes, rc_lines, rc_lines_direct;
DROP FUNCTION rc_tenant(), rc_absent(), rc_ok(int, int);
DROP EXTENSION pageinspect;
DROP OWNED BY regress_cohort_rc;
DROP ROLE regress_cohort_rc;
