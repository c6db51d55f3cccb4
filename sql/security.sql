-- Security: caller's rights, row-level security on the sources, privileges, hostile search_path.
SET timezone = 'UTC';
CREATE ROLE regress_cohort_alice LOGIN;
CREATE ROLE regress_cohort_bob LOGIN;
CREATE SCHEMA alice_data AUTHORIZATION regress_cohort_alice;

SET ROLE regress_cohort_alice;
CREATE TABLE alice_data.events (user_id bigint, event text, ts timestamptz, price numeric, region text);
CREATE TABLE alice_data.customers (user_id bigint, age int, region text, risk_level text, churn_score float8);
INSERT INTO alice_data.events
  SELECT u, 'payment_successful', '2026-06-01 00:00+00', 100 * u, CASE WHEN u % 2 = 0 THEN 'north' ELSE 'south' END
  FROM generate_series(1, 10) u;
INSERT INTO alice_data.customers
  SELECT u, 20 + u, CASE WHEN u % 2 = 0 THEN 'north' ELSE 'south' END, 'low', 0.1
  FROM generate_series(1, 10) u;
-- Alice sees all ten.
SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "payment_successful", "op": ">=", "value": 1}}',
                                     'alice_data.events', 'alice_data.customers', '2026-06-30');
-- A policy that hides the south from the table owner (FORCE applies it to her too).
ALTER TABLE alice_data.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE alice_data.events FORCE ROW LEVEL SECURITY;
ALTER TABLE alice_data.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE alice_data.customers FORCE ROW LEVEL SECURITY;
CREATE POLICY north_only ON alice_data.events USING (region = 'north');
CREATE POLICY north_only ON alice_data.customers USING (region = 'north');
-- Only the visible half is evaluated, with and without customers.
SELECT array_agg(user_id) FROM cohort.evaluate('{"performed": {"event": "payment_successful", "op": ">=", "value": 1}}',
                                               'alice_data.events', NULL, '2026-06-30');
SELECT array_agg(user_id) FROM cohort.evaluate('{"min_age": 0}', 'alice_data.events', 'alice_data.customers');
-- Negation over the visible universe only: hidden users are not "users who did not buy".
SELECT count(*) FROM cohort.evaluate('{"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1}}}',
                                     'alice_data.events', 'alice_data.customers', '2026-06-30');
-- Give Bob read access to a view of the events but not to the table.
CREATE VIEW alice_data.events_view AS SELECT user_id, event, ts FROM alice_data.events;
GRANT USAGE ON SCHEMA alice_data TO regress_cohort_bob;
GRANT SELECT ON alice_data.events_view TO regress_cohort_bob;
RESET ROLE;

SET ROLE regress_cohort_bob;
-- No privilege on the table: a clear 42501, nothing read.
\set VERBOSITY default
SELECT * FROM cohort.evaluate('{}', 'alice_data.events', NULL, '2026-06-30');
SELECT * FROM cohort.evaluate('{"min_age": 1}', 'alice_data.events_view', 'alice_data.customers', '2026-06-30');
-- Through the view he may read, the view owner's (Alice's) policies still apply: north only.
SELECT array_agg(user_id) FROM cohort.evaluate('{}', 'alice_data.events_view', NULL, '2026-06-30');
RESET ROLE;

-- Column privileges: Carol may read only user_id, event and ts.
CREATE ROLE regress_cohort_carol LOGIN;
GRANT USAGE ON SCHEMA alice_data TO regress_cohort_carol;
SET ROLE regress_cohort_alice;
ALTER TABLE alice_data.events DISABLE ROW LEVEL SECURITY;
GRANT SELECT (user_id, event, ts) ON alice_data.events TO regress_cohort_carol;
RESET ROLE;
SET ROLE regress_cohort_carol;
SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "payment_successful", "op": ">=", "value": 1}}',
                                     'alice_data.events', NULL, '2026-06-30');
SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "payment_successful", "aggregate": "sum", "property": "price", "op": ">=", "value": 1}}',
                                     'alice_data.events', NULL, '2026-06-30');
RESET ROLE;

-- Hostile search_path: a schema first on the path shadows int8, text, float8, = and <=.
CREATE SCHEMA evil;
CREATE FUNCTION evil.lie(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.lie);
CREATE FUNCTION evil.lie_ts(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.<= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = evil.lie_ts);
CREATE FUNCTION evil.evaluate(cohort.definition, regclass, regclass, timestamptz)
  RETURNS TABLE (user_id bigint) LANGUAGE sql AS 'SELECT -1::bigint';
GRANT USAGE ON SCHEMA evil TO PUBLIC;
SET ROLE regress_cohort_alice;
ALTER TABLE alice_data.events ENABLE ROW LEVEL SECURITY;
SET search_path = evil, alice_data, cohort, pg_catalog;
-- Events after as_of must still be excluded, and only payment_successful counted: with the
-- shadowing operators every user would have two events and every filter would match.
INSERT INTO alice_data.events VALUES (2, 'payment_successful', '2030-01-01', 1, 'north'), (4, 'other', '2026-01-01', 1, 'north');
SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(
  '{"performed": {"event": "payment_successful", "op": "=", "value": 1}}', 'events', NULL, '2026-06-30');
SELECT count(*) AS users_with_two FROM cohort.evaluate(
  '{"performed": {"event": "payment_successful", "op": ">=", "value": 2}}', 'events', NULL, '2026-06-30');
SELECT array_agg(user_id ORDER BY user_id) FROM cohort.evaluate(
  '{"performed": {"event": "payment_successful", "op": ">=", "value": 1, "where": {"region": "north"}}}', 'events', NULL, '2026-06-30');
SELECT count(*) AS south_matches FROM cohort.evaluate(
  '{"performed": {"event": "payment_successful", "op": ">=", "value": 1, "where": {"region": "south"}}}', 'events', NULL, '2026-06-30');
RESET search_path;
RESET ROLE;

-- Nothing in the extension is SECURITY DEFINER.
SELECT count(*) AS security_definer_functions
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cohort'
 WHERE p.prosecdef;

DROP SCHEMA evil CASCADE;
DROP SCHEMA alice_data CASCADE;
DROP ROLE regress_cohort_alice, regress_cohort_bob, regress_cohort_carol;
