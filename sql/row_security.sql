-- Row-level security on the direct scan. Where policies apply to the caller, the direct scan
-- checks the quals the rewriter would add for them (restrictive ones ANDed, permissive ones ORed)
-- on each row it keeps, and gives exactly what the caller's own SQL and the executor path give.
-- Policies it cannot check row by row (a subquery, a whole-row reference) send the relation to the
-- executor. Checked against the executor path, the role's own SQL, and a copy of the visible rows
-- made with the policies' predicates written out in plain SQL.
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.25);
CREATE ROLE regress_cohort_rs;
CREATE ROLE regress_cohort_rs_bypass BYPASSRLS;
GRANT USAGE ON SCHEMA cohort TO regress_cohort_rs, regress_cohort_rs_bypass;
CREATE TABLE rs_events (user_id bigint, event text, ts timestamptz, price numeric, tenant text, category text);
INSERT INTO rs_events
SELECT 1 + (random() * 300)::int,
       (ARRAY['payment_successful', 'cart_added', 'product_viewed'])[1 + (random() * 2)::int],
       '2026-01-01 00:00+00'::timestamptz + random() * interval '150 days',
       round((random() * 500)::numeric, 2),
       (ARRAY['a', 'b', 'c'])[1 + (random() * 2)::int],
       (ARRAY['public', 'books', NULL])[1 + (random() * 2)::int]
FROM generate_series(1, 12000);
CREATE TABLE rs_customers AS
SELECT u AS user_id, (18 + random() * 60)::int AS age, (random() * 40)::int AS email_opens,
       (random() * 40)::int AS website_visits, (random() * 30)::int AS total_purchases,
       round(random()::numeric, 3)::float8 AS churn_score,
       (ARRAY['high', 'medium', 'low'])[1 + (random() * 2)::int] AS risk_level,
       (ARRAY['a', 'b', 'c'])[1 + (random() * 2)::int] AS tenant
FROM generate_series(1, 320) u;
GRANT SELECT ON rs_events, rs_customers TO regress_cohort_rs, regress_cohort_rs_bypass;
ALTER TABLE rs_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE rs_customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE rs_events SET (parallel_workers = 2);  -- workers wherever cohort may start them
-- Two permissive policies (ORed), one of them reading a setting, and a restrictive one (ANDed).
CREATE POLICY rs_tenant ON rs_events TO regress_cohort_rs USING (tenant = current_setting('rs.tenant'));
CREATE POLICY rs_public ON rs_events TO regress_cohort_rs USING (category = 'public');
CREATE POLICY rs_not_hidden ON rs_events AS RESTRICTIVE TO regress_cohort_rs USING (user_id % 11 <> 0);
CREATE POLICY rs_tenant ON rs_customers TO regress_cohort_rs USING (tenant = current_setting('rs.tenant'));
-- The rows those policies show tenant a and tenant b, copied by plain SQL (no row-level security).
CREATE TABLE rs_visible_events AS
SELECT t.tenant AS viewer, e.* FROM rs_events e, (VALUES ('a'), ('b')) t(tenant)
 WHERE (e.tenant = t.tenant OR e.category = 'public') AND e.user_id % 11 <> 0;
CREATE TABLE rs_visible_customers AS
SELECT t.tenant AS viewer, c.* FROM rs_customers c, (VALUES ('a'), ('b')) t(tenant) WHERE c.tenant = t.tenant;
CREATE TABLE rs_copy_events (LIKE rs_events);
CREATE TABLE rs_copy_customers (LIKE rs_customers);
GRANT SELECT ON rs_copy_events, rs_copy_customers TO regress_cohort_rs;

CREATE TABLE rs_defs (id int, d cohort.definition);
INSERT INTO rs_defs VALUES
 (1, '[{"action": "payment_successful", "operation": "sum", "property": "price", "condition": ">=", "value": 1500, "timeframe": 60}]'),
 (2, '{"performed": {"event": "cart_added", "op": ">=", "value": 3}}'),
 (3, '{"not": {"performed": {"event": "product_viewed", "op": ">=", "value": 2, "days": 30}}}'),
 (4, '{"all": [{"attribute": {"name": "age", "min": 30}}, {"performed": {"event": "payment_successful", "aggregate": "avg", "property": "price", "op": ">", "value": 200}}]}'),
 (5, '{"any": [{"churn_risk_level": "high"}, {"performed": {"event": "cart_added", "op": ">=", "value": 6, "where": {"category": "public"}}}]}');
GRANT SELECT ON rs_defs TO regress_cohort_rs, regress_cohort_rs_bypass;

-- Members, the path, the events rows that fed the evaluation, and the workers planned.
CREATE FUNCTION pg_temp.rs_run(d cohort.definition, ev regclass, cu regclass, direct boolean,
                               OUT m bigint[], OUT path text, OUT event_rows bigint, OUT workers int)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  SELECT array_agg(user_id ORDER BY user_id) INTO m FROM cohort.evaluate(d, ev, cu, '2026-05-20');
  SELECT l.events_scan || '/' || coalesce(l.customers_scan, '-'), l.event_rows, l.workers_planned
    INTO path, event_rows, workers FROM cohort.last_evaluation() l;
END $$;
-- Every definition, with customers and without, for the role as tenant `viewing`: the direct scan
-- against the executor path and against the superuser's copy of the visible rows.
CREATE FUNCTION pg_temp.rs_check(viewing text)
RETURNS TABLE (id int, with_customers boolean, path text, members int, same_as_executor boolean,
               same_rows_fed boolean, same_as_visible_copy boolean)
LANGUAGE plpgsql AS $$
BEGIN
  RESET ROLE;
  TRUNCATE rs_copy_events, rs_copy_customers;
  INSERT INTO rs_copy_events SELECT user_id, event, ts, price, tenant, category FROM rs_visible_events v WHERE v.viewer = viewing;
  INSERT INTO rs_copy_customers SELECT user_id, age, email_opens, website_visits, total_purchases, churn_score, risk_level, tenant
    FROM rs_visible_customers v WHERE v.viewer = viewing;
  SET ROLE regress_cohort_rs;
  PERFORM set_config('rs.tenant', viewing, true);
  RETURN QUERY
  SELECT s.id, w.c, (r).path, coalesce(cardinality((r).m), 0), (r).m IS NOT DISTINCT FROM (e).m,
         (r).event_rows = (e).event_rows, (r).m IS NOT DISTINCT FROM (v).m
    FROM rs_defs s, (VALUES (true), (false)) w(c),
         LATERAL pg_temp.rs_run(s.d, 'rs_events', CASE WHEN w.c THEN 'rs_customers'::regclass END, true) r,
         LATERAL pg_temp.rs_run(s.d, 'rs_events', CASE WHEN w.c THEN 'rs_customers'::regclass END, false) e,
         LATERAL pg_temp.rs_run(s.d, 'rs_copy_events', CASE WHEN w.c THEN 'rs_copy_customers'::regclass END, true) v
   WHERE w.c OR NOT (s.d::jsonb::text ~ 'level|attribute')
   ORDER BY s.id, w.c;
  RESET ROLE;
END $$;

-- Each definition's statistics over (ev, cu) against those over (copy_ev, copy_cu).
CREATE FUNCTION pg_temp.rs_same_statistics(ev regclass, cu regclass, copy_ev regclass, copy_cu regclass)
RETURNS TABLE (definition_index int, total_customers bigint, same_statistics boolean) LANGUAGE sql AS $$
  SELECT s.definition_index, s.total_customers,
         (s.total_customers, round(s.avg_churn_score::numeric, 10), s.high_risk_count, s.medium_risk_count, s.low_risk_count)
         IS NOT DISTINCT FROM (c.total_customers, round(c.avg_churn_score::numeric, 10), c.high_risk_count, c.medium_risk_count,
                               c.low_risk_count)
    FROM cohort.statistics_many((SELECT array_agg(d ORDER BY id) FROM rs_defs), ev, cu, '2026-05-20') s
    JOIN cohort.statistics_many((SELECT array_agg(d ORDER BY id) FROM rs_defs), copy_ev, copy_cu, '2026-05-20') c
   USING (definition_index) ORDER BY 1
$$;

-- Pages not yet all-visible (each tuple's visibility decided on its own).
SELECT * FROM pg_temp.rs_check('a');
SELECT * FROM pg_temp.rs_check('b');
-- The role's own SQL sees what the direct scan saw.
SET ROLE regress_cohort_rs;
SET rs.tenant = 'a';
SELECT (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate((SELECT d FROM rs_defs WHERE id = 1), 'rs_events', NULL, '2026-05-20'))
       = (SELECT array_agg(user_id ORDER BY user_id) FROM (
            SELECT user_id FROM rs_events
             WHERE event = 'payment_successful' AND ts <= '2026-05-20' AND ts >= timestamptz '2026-05-20' - interval '60 days'
               AND user_id IS NOT NULL GROUP BY user_id HAVING sum(price) >= 1500) q) AS same_as_own_sql,
       (SELECT events_scan FROM cohort.last_evaluation()) AS path;
-- Workers (the table asks for 2) check the leader's policies: with the leader taking no pages,
-- the same members and rows as serially. A policy calling a function that is not parallel safe
-- keeps the scan in the leader.
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
CREATE FUNCTION pg_temp.rs_run_with(d cohort.definition, workers int, OUT m bigint[], OUT path text, OUT event_rows bigint,
                                    OUT planned int) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
  SELECT r.m, r.path, r.event_rows, r.workers INTO m, path, event_rows, planned
    FROM pg_temp.rs_run(d, 'rs_events', 'rs_customers', true) r;
END $$;
SELECT s.id, (p).path, (p).planned, (p).m IS NOT DISTINCT FROM (q).m AS same_as_serial, (p).event_rows = (q).event_rows AS same_rows_fed
  FROM rs_defs s, LATERAL pg_temp.rs_run_with(s.d, 2) p, LATERAL pg_temp.rs_run_with(s.d, 0) q ORDER BY s.id;
RESET ROLE;
CREATE FUNCTION rs_restricted_true(bigint) RETURNS boolean LANGUAGE sql PARALLEL RESTRICTED AS 'SELECT true';
CREATE POLICY rs_restricted ON rs_events AS RESTRICTIVE TO regress_cohort_rs USING (rs_restricted_true(user_id));
SET ROLE regress_cohort_rs;
SELECT (p).path, (p).planned FROM pg_temp.rs_run_with((SELECT d FROM rs_defs WHERE id = 2), 2) p;
RESET ROLE;
DROP POLICY rs_restricted ON rs_events;
DROP FUNCTION rs_restricted_true(bigint);
RESET parallel_leader_participation;
SELECT count(*) > 0 AS some FROM cohort.evaluate((SELECT d FROM rs_defs WHERE id = 2), 'rs_events', NULL, '2026-05-20');
SELECT events_scan, workers_planned FROM cohort.last_evaluation();
-- A BYPASSRLS role reads every row, with workers, as the owner does.
SET ROLE regress_cohort_rs_bypass;
SELECT (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate((SELECT d FROM rs_defs WHERE id = 2), 'rs_events', NULL, '2026-05-20'))
       = (SELECT array_agg(user_id ORDER BY user_id) FROM (SELECT user_id FROM rs_events WHERE event = 'cart_added' AND ts <= '2026-05-20'
             AND user_id IS NOT NULL GROUP BY user_id HAVING count(*) >= 3) q) AS every_row,
       (SELECT events_scan FROM cohort.last_evaluation()) AS path;
RESET ROLE;
SET max_parallel_workers_per_gather = 0;

-- All-visible pages (their tuples listed in one loop), then a serializable transaction (each
-- tuple checked for conflicts).
VACUUM rs_events;
SELECT * FROM pg_temp.rs_check('a');
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT * FROM pg_temp.rs_check('b') WHERE id IN (1, 5);
COMMIT;

-- Statistics and funnel levels under the same policies, against the visible copy (tenant b's, as
-- rs_check('b') left it; the average churn score to 10 decimals: its float sum follows the rows'
-- order).
SET ROLE regress_cohort_rs;
SET rs.tenant = 'b';
SELECT * FROM pg_temp.rs_same_statistics('rs_events', 'rs_customers', 'rs_copy_events', 'rs_copy_customers');
SELECT count(*) FROM cohort.statistics_many((SELECT array_agg(d ORDER BY id) FROM rs_defs), 'rs_events', 'rs_customers', '2026-05-20');
SELECT events_scan, customers_scan FROM cohort.last_evaluation();
SELECT count(*) AS users, count(*) FILTER (WHERE r.level IS NOT DISTINCT FROM c.level) AS same_level
  FROM cohort.funnel_levels('rs_events', '3 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-05-20') r
  FULL JOIN cohort.funnel_levels('rs_copy_events', '3 days', ARRAY['product_viewed', 'cart_added', 'payment_successful'], '2026-05-20') c
 USING (user_id);
RESET ROLE;

-- Errors raised by a policy are the executor's: a policy function failing on one row, a policy
-- function the role may not execute, row_security off where policies apply. Nothing is left
-- behind, and the session goes on.
CREATE FUNCTION rs_fails_on_7(u bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF u = 7 THEN RAISE EXCEPTION 'policy check failed for user %', u; END IF;
  RETURN true;
END $$;
CREATE FUNCTION rs_secret_check(u bigint) RETURNS boolean LANGUAGE sql AS 'SELECT true';
REVOKE EXECUTE ON FUNCTION rs_secret_check(bigint) FROM PUBLIC;
CREATE FUNCTION pg_temp.rs_outcome(q text, direct boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  PERFORM set_config('cohort.direct_scan', direct::text, true);
  EXECUTE q INTO r;
  RETURN 'ok: ' || r::text || ' ' || (SELECT events_scan FROM cohort.last_evaluation());
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE TABLE rs_cases (policy text, q text);
INSERT INTO rs_cases VALUES
 ('rs_fails_on_7(user_id)', 'SELECT count(*) FROM cohort.evaluate(''{"performed": {"event": "cart_added", "op": ">=", "value": 1}}'', ''rs_events'', NULL, ''2026-05-20'')'),
 ('rs_secret_check(user_id)', 'SELECT count(*) FROM cohort.evaluate(''{"performed": {"event": "cart_added", "op": ">=", "value": 1}}'', ''rs_events'', NULL, ''2026-05-20'')');
CREATE POLICY rs_extra ON rs_events AS RESTRICTIVE TO regress_cohort_rs USING (true);
CREATE TABLE rs_outcomes (policy text, direct text, executor text);
GRANT INSERT ON rs_outcomes TO regress_cohort_rs;
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT * FROM rs_cases LOOP
    EXECUTE format('ALTER POLICY rs_extra ON rs_events USING (%s)', c.policy);
    SET LOCAL ROLE regress_cohort_rs;
    PERFORM set_config('rs.tenant', 'a', true);
    INSERT INTO rs_outcomes VALUES (c.policy, pg_temp.rs_outcome(c.q, true), pg_temp.rs_outcome(c.q, false));
    RESET ROLE;
  END LOOP;
END $$;
SELECT policy, direct, direct = executor AS same_as_executor FROM rs_outcomes;
DROP POLICY rs_extra ON rs_events;
SET ROLE regress_cohort_rs;
SET rs.tenant = 'a';
SET row_security = off;
SELECT pg_temp.rs_outcome('SELECT count(*) FROM cohort.evaluate(''{"all": []}'', ''rs_events'')', true) AS direct,
       pg_temp.rs_outcome('SELECT count(*) FROM cohort.evaluate(''{"all": []}'', ''rs_events'')', false) AS executor;
RESET row_security;
SELECT count(*) > 0 AS works_again FROM cohort.evaluate('{"all": []}', 'rs_events', NULL, '2026-05-20');
RESET ROLE;

-- Policies the direct scan leaves to the executor: one reading another table, one taking the
-- whole row. The executor applies them; the members are the role's own SQL's.
CREATE FUNCTION pg_temp.rs_own_sql() RETURNS bigint[] LANGUAGE sql AS $$
  SELECT array_agg(user_id ORDER BY user_id) FROM (SELECT user_id FROM rs_events WHERE event = 'cart_added' AND ts <= '2026-05-20'
     AND user_id IS NOT NULL GROUP BY user_id HAVING count(*) >= 3) q $$;
CREATE POLICY rs_sub ON rs_events AS RESTRICTIVE TO regress_cohort_rs
  USING (user_id IN (SELECT c.user_id FROM rs_customers c WHERE c.age < 50));
SET ROLE regress_cohort_rs;
SELECT (r).path, (r).m = pg_temp.rs_own_sql() AS same_as_own_sql, cardinality((r).m) AS members
  FROM pg_temp.rs_run((SELECT d FROM rs_defs WHERE id = 2), 'rs_events', NULL, true) r;
RESET ROLE;
DROP POLICY rs_sub ON rs_events;
CREATE POLICY rs_whole ON rs_events AS RESTRICTIVE TO regress_cohort_rs USING (length(rs_events::text) > 40);
SET ROLE regress_cohort_rs;
SELECT (r).path, (r).m = pg_temp.rs_own_sql() AS same_as_own_sql, cardinality((r).m) AS members
  FROM pg_temp.rs_run((SELECT d FROM rs_defs WHERE id = 2), 'rs_events', NULL, true) r;
RESET ROLE;
DROP POLICY rs_whole ON rs_events;

-- System columns in a policy, on a partitioned table whose partitions hold their columns in
-- other orders (one with a dropped column, one created apart and attached): the policy is the
-- parent's, its columns found by name in each partition. tableoid hides one partition; ctid keeps
-- the rows at even line pointer numbers, after updates moved some rows within their pages.
CREATE TABLE rs_parted (user_id bigint, event text, ts timestamptz, price numeric) PARTITION BY RANGE (ts);
CREATE TABLE rs_p1 PARTITION OF rs_parted FOR VALUES FROM ('2026-01-01') TO ('2026-03-01');
CREATE TABLE rs_p2 (spare int, price numeric, ts timestamptz, event text, user_id bigint);
ALTER TABLE rs_p2 DROP COLUMN spare;
ALTER TABLE rs_parted ATTACH PARTITION rs_p2 FOR VALUES FROM ('2026-03-01') TO ('2026-04-15');
CREATE TABLE rs_p3 PARTITION OF rs_parted FOR VALUES FROM ('2026-04-15') TO ('2026-07-01');
INSERT INTO rs_parted SELECT user_id, event, ts, price FROM rs_events;
UPDATE rs_parted SET price = price + 1 WHERE user_id % 5 = 0;
ALTER TABLE rs_parted ENABLE ROW LEVEL SECURITY;
CREATE POLICY rs_sys ON rs_parted TO regress_cohort_rs
  USING (tableoid <> 'rs_p2'::regclass AND (ctid::text::point)[1]::int % 2 = 0);
GRANT SELECT ON rs_parted TO regress_cohort_rs;
-- What the policy lets through, by plain SQL as the superuser with its predicate written out.
SELECT array_agg(user_id ORDER BY user_id)::text AS rs_expected_members FROM (
  SELECT user_id FROM rs_parted WHERE tableoid <> 'rs_p2'::regclass AND (ctid::text::point)[1]::int % 2 = 0
     AND event = 'cart_added' AND ts <= '2026-05-20' AND user_id IS NOT NULL GROUP BY user_id HAVING count(*) >= 3) q \gset
SELECT count(*) AS rs_expected_rows FROM rs_parted WHERE tableoid <> 'rs_p2'::regclass AND (ctid::text::point)[1]::int % 2 = 0
   AND event = 'cart_added' AND ts <= '2026-05-20' AND user_id IS NOT NULL \gset
SET ROLE regress_cohort_rs;
SELECT (r).path, (r).m = :'rs_expected_members'::bigint[] AS members_as_predicate, (r).event_rows = :rs_expected_rows AS rows_fed_as_predicate
  FROM pg_temp.rs_run((SELECT d FROM rs_defs WHERE id = 2), 'rs_parted', NULL, true) r;
-- The same with the partitions taken by two workers alone.
SET max_parallel_workers_per_gather = 2;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SELECT (r).path, (r).workers, (r).m = :'rs_expected_members'::bigint[] AS members_as_predicate,
       (r).event_rows = :rs_expected_rows AS rows_fed_as_predicate
  FROM pg_temp.rs_run((SELECT d FROM rs_defs WHERE id = 2), 'rs_parted', NULL, true) r;
RESET parallel_leader_participation;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;
SELECT s.id, (r).path, cardinality((r).m) AS members, (r).m IS NOT DISTINCT FROM (e).m AS same_as_executor,
       (r).event_rows = (e).event_rows AS same_rows_fed
  FROM rs_defs s, LATERAL pg_temp.rs_run(s.d, 'rs_parted', NULL, true) r, LATERAL pg_temp.rs_run(s.d, 'rs_parted', NULL, false) e
 WHERE s.id IN (1, 2, 3) ORDER BY s.id;
SELECT (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate((SELECT d FROM rs_defs WHERE id = 2), 'rs_parted', NULL, '2026-05-20'))
       = (SELECT array_agg(user_id ORDER BY user_id) FROM (SELECT user_id FROM rs_parted WHERE event = 'cart_added' AND ts <= '2026-05-20'
             AND user_id IS NOT NULL GROUP BY user_id HAVING count(*) >= 3) q) AS same_as_own_sql,
       (SELECT event_rows FROM cohort.last_evaluation())
       = (SELECT count(*) FROM rs_parted WHERE event = 'cart_added' AND ts <= '2026-05-20' AND user_id IS NOT NULL) AS rows_fed_as_own_sql,
       (SELECT count(*) FROM rs_parted WHERE tableoid = 'rs_p2'::regclass) AS rows_seen_of_hidden_partition;
RESET ROLE;

-- A partitioned customers table under its parent's policy, one partition holding the columns in
-- another order (and a dropped column): each partition's rows are checked against the parent's
-- policy mapped to it by name, in the customers pass of evaluations and of statistics. The policy
-- is the tenant's, and one partition shows only its customers under 50 (tableoid and a column).
CREATE TABLE rs_cust_parted (user_id bigint, age int, email_opens int, website_visits int, total_purchases int,
                             churn_score float8, risk_level text, tenant text) PARTITION BY HASH (user_id);
CREATE TABLE rs_cp0 PARTITION OF rs_cust_parted FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE rs_cp1 (tenant text, risk_level text, spare int, churn_score float8, total_purchases int, website_visits int,
                     email_opens int, age int, user_id bigint);
ALTER TABLE rs_cp1 DROP COLUMN spare;
ALTER TABLE rs_cust_parted ATTACH PARTITION rs_cp1 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO rs_cust_parted
SELECT user_id, age, email_opens, website_visits, total_purchases, churn_score, risk_level, tenant FROM rs_customers;
ALTER TABLE rs_cust_parted ENABLE ROW LEVEL SECURITY;
CREATE POLICY rs_cp_tenant ON rs_cust_parted TO regress_cohort_rs
  USING (tenant = current_setting('rs.tenant') AND (tableoid <> 'rs_cp1'::regclass OR age < 50));
GRANT SELECT ON rs_cust_parted TO regress_cohort_rs;
-- Tenant a's visible customers, by plain SQL as the superuser with the policy written out.
CREATE TABLE rs_cp_visible AS
SELECT * FROM rs_cust_parted WHERE tenant = 'a' AND (tableoid <> 'rs_cp1'::regclass OR age < 50);
GRANT SELECT ON rs_cp_visible TO regress_cohort_rs;
SELECT count(*) AS visible_customers, count(*) FILTER (WHERE user_id IN (SELECT user_id FROM rs_cp1)) AS of_rs_cp1
  FROM rs_cp_visible;
SET ROLE regress_cohort_rs;
SET rs.tenant = 'a';
-- The definitions reading customers, and a criteria object over customers alone: the direct scan
-- against the executor path and against the visible copy (the events as the role sees them).
SELECT s.id, (r).path, cardinality((r).m) AS members, (r).m IS NOT DISTINCT FROM (e).m AS same_as_executor,
       (r).m IS NOT DISTINCT FROM (v).m AS same_as_visible_copy
  FROM (SELECT id, d FROM rs_defs WHERE id IN (4, 5)
        UNION ALL SELECT 6, '{"engagement_level": "medium", "churn_risk_level": "low", "min_age": 25}') s,
       LATERAL pg_temp.rs_run(s.d, 'rs_events', 'rs_cust_parted', true) r,
       LATERAL pg_temp.rs_run(s.d, 'rs_events', 'rs_cust_parted', false) e,
       LATERAL pg_temp.rs_run(s.d, 'rs_events', 'rs_cp_visible', true) v
 ORDER BY s.id;
SELECT * FROM pg_temp.rs_same_statistics('rs_events', 'rs_cust_parted', 'rs_events', 'rs_cp_visible');
SELECT count(*) FROM cohort.statistics_many((SELECT array_agg(d ORDER BY id) FROM rs_defs), 'rs_events', 'rs_cust_parted', '2026-05-20');
SELECT customers_scan FROM cohort.last_evaluation();
RESET ROLE;

-- An inheritance child with its columns in another order: the parent's policy (tableoid and a
-- column) mapped to it by name.
CREATE TABLE rs_inh (user_id bigint, event text, ts timestamptz);
CREATE TABLE rs_inh_child (extra int, ts timestamptz, user_id bigint, event text);
ALTER TABLE rs_inh_child INHERIT rs_inh;
INSERT INTO rs_inh SELECT u, 'cart_added', '2026-05-01' FROM generate_series(1, 30) u;
INSERT INTO rs_inh_child SELECT 0, '2026-05-01', u, 'cart_added' FROM generate_series(31, 60) u;
ALTER TABLE rs_inh ENABLE ROW LEVEL SECURITY;
CREATE POLICY rs_inh_policy ON rs_inh TO regress_cohort_rs USING (tableoid = 'rs_inh_child'::regclass OR user_id <= 5);
GRANT SELECT ON rs_inh TO regress_cohort_rs;
-- A policy reading a column the role may not SELECT (it may read user_id, event and ts): it
-- applies, as in SQL, where a policy needs no column privilege.
CREATE TABLE rs_cols (user_id bigint, event text, ts timestamptz, secret int);
INSERT INTO rs_cols SELECT u, 'cart_added', '2026-05-01', u % 4 FROM generate_series(1, 40) u;
GRANT SELECT (user_id, event, ts) ON rs_cols TO regress_cohort_rs;
ALTER TABLE rs_cols ENABLE ROW LEVEL SECURITY;
CREATE POLICY rs_secret ON rs_cols TO regress_cohort_rs USING (secret = 0);
SET ROLE regress_cohort_rs;
SELECT t.tab, (r).path, (r).m = t.expected AS members_as_policy, (r).m IS NOT DISTINCT FROM (e).m AS same_as_executor
  FROM (VALUES ('rs_inh'::regclass, ARRAY(SELECT u::bigint FROM generate_series(1, 5) u UNION ALL SELECT u FROM generate_series(31, 60) u)),
               ('rs_cols'::regclass, ARRAY(SELECT u::bigint FROM generate_series(4, 40, 4) u))) t(tab, expected),
       LATERAL pg_temp.rs_run('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', t.tab, NULL, true) r,
       LATERAL pg_temp.rs_run('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', t.tab, NULL, false) e;
RESET ROLE;

-- FORCE ROW LEVEL SECURITY applies the policies to the table's owner too, on the direct scan.
CREATE TABLE rs_owned (user_id bigint, event text, ts timestamptz);
INSERT INTO rs_owned SELECT u % 50, 'cart_added', '2026-05-01' FROM generate_series(1, 500) u;
ALTER TABLE rs_owned OWNER TO regress_cohort_rs;
ALTER TABLE rs_owned ENABLE ROW LEVEL SECURITY;
ALTER TABLE rs_owned FORCE ROW LEVEL SECURITY;
CREATE POLICY rs_low ON rs_owned USING (user_id < 20);
SET ROLE regress_cohort_rs;
SELECT max(user_id) AS highest_member, count(*) AS members FROM cohort.evaluate('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', 'rs_owned', NULL, '2026-05-20');
SELECT events_scan FROM cohort.last_evaluation();
RESET ROLE;

DROP TABLE rs_events, rs_customers, rs_visible_events, rs_visible_customers, rs_copy_events, rs_copy_customers,
           rs_defs, rs_cases, rs_outcomes, rs_parted, rs_cust_parted, rs_cp_visible, rs_owned, rs_inh_child, rs_inh, rs_cols;
DROP FUNCTION rs_fails_on_7(bigint), rs_secret_check(bigint);
DROP OWNED BY regress_cohort_rs, regress_cohort_rs_bypass;
DROP ROLE regress_cohort_rs, regress_cohort_rs_bypass;
