-- Adversarial row-level security on the catalog: Mallory tries to read or change Alice's cohorts
-- through every catalog function, the overview, EXPLAIN, error messages, leaky functions and
-- shadowing functions on her search_path. BYPASSRLS roles and superusers are documented.
SET TimeZone = 'UTC';
\set SHOW_CONTEXT never
\set VERBOSITY default
CREATE ROLE regress_cohort_alice2 LOGIN;
CREATE ROLE regress_cohort_mallory LOGIN;
CREATE ROLE regress_cohort_bypass LOGIN BYPASSRLS;
CREATE SCHEMA rls_data;
GRANT USAGE ON SCHEMA rls_data TO PUBLIC;
CREATE TABLE rls_data.events (user_id bigint, event text, ts timestamptz, price numeric);
CREATE TABLE rls_data.customers (user_id bigint, age int, churn_score float8, risk_level text);
INSERT INTO rls_data.events SELECT u, 'buy', '2026-01-01 00:00+00', u FROM generate_series(1, 10) u;
INSERT INTO rls_data.customers SELECT u, 20 + u, u / 10.0, 'high' FROM generate_series(1, 10) u;
GRANT SELECT ON rls_data.events, rls_data.customers TO PUBLIC;

-- Runs q; returns the SQLSTATE and message, or "ok: <first row>".
CREATE FUNCTION pg_temp.outcome(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  EXECUTE q INTO r;
  RETURN 'ok: ' || coalesce(r::text, '(no row)');
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, 'cohort [0-9]+ ', 'cohort N ');
END $$;

-- Alice saves two cohorts with secrets in their names, descriptions and definitions.
SET ROLE regress_cohort_alice2;
SELECT cohort.set_sources('rls_data.events', 'rls_data.customers');
SELECT cohort.create('TopSecret launch list', '[{"action": "secret_event_x", "condition": ">=", "value": 1}]',
                     'codename BLUEBIRD') AS alice_id \gset
SELECT cohort.create('TopSecret deleted', '{"min_age": 21}', 'codename REDWING') AS alice_deleted \gset
SELECT cohort.delete(:alice_deleted);
SELECT count(*) AS alice_sees FROM cohort.cohorts;
RESET ROLE;
-- An id that has never existed, with as many digits as Alice's.
SELECT (SELECT max(id) FROM cohort.cohorts) + 1000 AS missing_id \gset

SET ROLE regress_cohort_mallory;
SELECT cohort.set_sources('rls_data.events', 'rls_data.customers');
SELECT cohort.create('Mallory''s', '{"min_age": 1}') AS mallory_id \gset
-- Every catalog function: Alice's id and a missing id give the same SQLSTATE and the same text
-- (up to the number itself), for active and soft-deleted cohorts alike.
CREATE TEMP TABLE probes (f text);
INSERT INTO probes VALUES
  ('SELECT * FROM cohort.get(%s)'), ('SELECT cohort.update(%s, name => ''mine'')'),
  ('SELECT cohort.update(%s, definition => ''{}'')'), ('SELECT cohort.update(%s, description => '''')'),
  ('SELECT cohort.delete(%s)'), ('SELECT cohort.restore(%s)'), ('SELECT cohort.purge(%s)'),
  ('SELECT * FROM cohort.members(%s)'), ('SELECT * FROM cohort.recalculate(%s)'),
  ('SELECT cohort.store_statistics(%s)');
SELECT p.f, pg_temp.outcome(format(p.f, :alice_id)) AS alice_active,
       pg_temp.outcome(format(p.f, :alice_deleted)) = pg_temp.outcome(format(p.f, :alice_id)) AS same_for_deleted,
       pg_temp.outcome(format(p.f, :missing_id)) = pg_temp.outcome(format(p.f, :alice_id)) AS same_for_missing
  FROM probes p;
-- Listing, searching and filtering find nothing of Alice's, deleted or not.
SELECT count(*) AS listed FROM cohort.list(include_deleted => true) WHERE name LIKE 'TopSecret%';
SELECT count(*) AS found FROM cohort.list(search => 'BLUEBIRD', include_deleted => true);
SELECT count(*) AS found FROM cohort.list(search => 'topsecret', include_deleted => true);
SELECT name FROM cohort.overview;
SELECT count(*) AS direct_rows, count(*) FILTER (WHERE owner <> current_user) AS foreign_rows FROM cohort.cohorts;
SELECT count(*) AS sources_rows FROM cohort.sources;
-- recalculate_all touches only her own cohort.
SELECT name FROM cohort.recalculate_all();
-- A leaky function in a WHERE clause runs only on rows the policy already let through
-- (policies are security barriers), directly and through the security_barrier overview.
CREATE TEMP TABLE seen (v text);
CREATE FUNCTION pg_temp.leak(v text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
  INSERT INTO seen VALUES (v);
  RETURN true;
END $$;
SELECT count(*) FROM cohort.cohorts WHERE pg_temp.leak(name || ' / ' || coalesce(description, ''));
SELECT count(*) FROM cohort.overview WHERE pg_temp.leak(name || ' / ' || coalesce(description, '') || ' / ' || criteria);
SELECT count(*) FROM cohort.cohorts WHERE pg_temp.leak(definition::text);
SELECT DISTINCT v FROM seen ORDER BY v;
-- EXPLAIN VERBOSE shows the policy's filter and no row of Alice's. With ANALYZE it shows how many
-- rows the filter removed: the number of other roles' cohorts is visible (a PostgreSQL property
-- of row-level security), their content is not.
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM cohort.cohorts WHERE name LIKE 'Top%';
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  line text;
  plan text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    plan := plan || line || E'\n';
  END LOOP;
  RETURN plan;
END $$;
SELECT q, plan_of ~ '(TopSecret|BLUEBIRD|REDWING|secret_event_x)' AS plan_shows_secret,
       substring(plan_of FROM 'Rows Removed by Filter: (\d+)') AS rows_removed
  FROM (VALUES ($$SELECT * FROM cohort.cohorts WHERE name LIKE 'Top%'$$),
               ($$SELECT * FROM cohort.cohorts WHERE definition::text LIKE '%event%'$$),
               ($$SELECT * FROM cohort.overview WHERE criteria LIKE '%e%'$$),
               ($$SELECT * FROM cohort.list(search => 'Top', include_deleted => true)$$)) v(q),
       LATERAL pg_temp.plan_of(q);
-- Planner statistics: pg_stats hides the columns of a table whose row-level security applies.
RESET ROLE;
ANALYZE cohort.cohorts;
SET ROLE regress_cohort_mallory;
SELECT count(*) AS stats_rows_visible FROM pg_stats WHERE schemaname = 'cohort' AND tablename = 'cohorts';
-- Writing: direct DML on Alice's rows finds nothing, planting a row for her is refused.
UPDATE cohort.cohorts SET description = 'pwned' WHERE id = :alice_id;
DELETE FROM cohort.cohorts WHERE id IN (:alice_id, :alice_deleted);
INSERT INTO cohort.cohorts (owner, name, definition) VALUES ('regress_cohort_alice2', 'planted', '{}');
INSERT INTO cohort.sources (owner, events) VALUES ('regress_cohort_alice2', 'rls_data.events');
-- row_security = off does not switch the policy off for her: the query is refused instead.
SET row_security = off;
SELECT count(*) FROM cohort.cohorts;
RESET row_security;
-- Known side channels, documented: a unique index reports a clash with an explicit id that
-- exists (ids are a visible sequence anyway), and the sequence shows how many cohorts exist.
INSERT INTO cohort.cohorts (id, name, definition) VALUES (:alice_id, 'probe', '{}');
RESET ROLE;

-- Shadowing: Mallory puts functions and operators named like ours (and like the pg_catalog
-- functions our SQL uses) first on her search_path. None of them may ever be called.
CREATE SCHEMA mallory AUTHORIZATION regress_cohort_mallory;
SET ROLE regress_cohort_mallory;
CREATE TABLE mallory.calls (f text);
CREATE FUNCTION mallory.note(f text) RETURNS void LANGUAGE sql AS $$ INSERT INTO mallory.calls VALUES (f) $$;
CREATE FUNCTION mallory.evaluate(cohort.definition, regclass, regclass, timestamptz)
  RETURNS TABLE (user_id bigint) LANGUAGE sql AS $$ SELECT mallory.note('evaluate'); SELECT -1::bigint $$;
CREATE FUNCTION mallory.get(bigint) RETURNS cohort.cohorts LANGUAGE sql
  AS $$ SELECT mallory.note('get'); SELECT c FROM cohort.cohorts c LIMIT 1 $$;
CREATE FUNCTION mallory.raise_no_cohort(bigint) RETURNS void LANGUAGE sql AS $$ SELECT mallory.note('raise_no_cohort') $$;
CREATE FUNCTION mallory.caller_sources(OUT events regclass, OUT customers regclass) LANGUAGE sql
  AS $$ SELECT mallory.note('caller_sources'); SELECT 'mallory.calls'::regclass, NULL::regclass $$;
CREATE FUNCTION mallory.store_statistics(bigint) RETURNS cohort.statistics LANGUAGE sql
  AS $$ SELECT mallory.note('store_statistics'); SELECT NULL::cohort.statistics $$;
CREATE FUNCTION mallory.compute_statistics(cohort.definition, regclass, regclass, timestamptz) RETURNS cohort.statistics
  LANGUAGE sql AS $$ SELECT mallory.note('compute_statistics'); SELECT NULL::cohort.statistics $$;
CREATE FUNCTION mallory.check_columns(regclass, text, text[]) RETURNS void LANGUAGE sql AS $$ SELECT mallory.note('check_columns') $$;
CREATE FUNCTION mallory.checked_name(text) RETURNS text LANGUAGE sql AS $$ SELECT mallory.note('checked_name'); SELECT 'x' $$;
CREATE FUNCTION mallory.describe(cohort.definition) RETURNS text[] LANGUAGE sql AS $$ SELECT mallory.note('describe'); SELECT '{}'::text[] $$;
CREATE FUNCTION mallory.risk_bar(bigint, bigint, bigint, integer DEFAULT 20) RETURNS text LANGUAGE sql AS $$ SELECT mallory.note('risk_bar'); SELECT '' $$;
CREATE FUNCTION mallory.risk_counts_final(float8[]) RETURNS cohort.statistics LANGUAGE sql AS $$ SELECT mallory.note('risk_counts_final'); SELECT NULL::cohort.statistics $$;
CREATE FUNCTION mallory.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT mallory.note('now'); SELECT '1999-01-01'::timestamptz $$;
CREATE FUNCTION mallory.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT mallory.note('lower'); SELECT $1 $$;
CREATE FUNCTION mallory.btrim(text) RETURNS text LANGUAGE sql AS $$ SELECT mallory.note('btrim'); SELECT $1 $$;
CREATE FUNCTION mallory.length(text) RETURNS integer LANGUAGE sql AS $$ SELECT mallory.note('length'); SELECT 1 $$;
CREATE FUNCTION mallory.to_regclass(text) RETURNS regclass LANGUAGE sql AS $$ SELECT mallory.note('to_regclass'); SELECT 'mallory.calls'::regclass $$;
CREATE FUNCTION mallory.nullif(text, text) RETURNS text LANGUAGE sql AS $$ SELECT mallory.note('nullif'); SELECT $1 $$;
CREATE FUNCTION mallory.name_eq(name, name) RETURNS boolean LANGUAGE sql AS $$ SELECT mallory.note('='); SELECT true $$;
CREATE OPERATOR mallory.= (LEFTARG = name, RIGHTARG = name, FUNCTION = mallory.name_eq);
CREATE FUNCTION mallory.int8_eq(bigint, bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT mallory.note('int8='); SELECT true $$;
CREATE OPERATOR mallory.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = mallory.int8_eq);
CREATE FUNCTION mallory.def_ne(cohort.definition, cohort.definition) RETURNS boolean LANGUAGE sql AS $$ SELECT mallory.note('<>'); SELECT true $$;
CREATE OPERATOR mallory.<> (LEFTARG = cohort.definition, RIGHTARG = cohort.definition, FUNCTION = mallory.def_ne);
SET search_path = mallory, cohort, public;
-- Her own cohort works as usual, and she can still not reach Alice's.
SELECT cohort.create('Shadowed', '[{"action": "buy", "condition": ">=", "value": 1}]') AS shadowed \gset
SELECT name, total_customers, definition FROM cohort.get(:shadowed);
SELECT name, total_customers FROM cohort.update(:shadowed, name => ' Shadowed 2 ', definition => '{"min_age": 25}');
SELECT count(*) FROM cohort.members(:shadowed);
SELECT total_customers FROM cohort.recalculate(:shadowed);
SELECT name FROM cohort.recalculate_all() ORDER BY name;
SELECT name FROM cohort.list(search => 'shadowed');
SELECT name, tags, risk_distribution FROM cohort.overview ORDER BY name;
SELECT total_customers FROM cohort.compute_statistics('{"min_age": 25}', 'rls_data.events', 'rls_data.customers');
SELECT cohort.delete(:shadowed), cohort.restore(:shadowed), cohort.purge(:shadowed);
SELECT cohort.set_sources('rls_data.events', 'rls_data.customers');
SELECT pg_temp.outcome(format('SELECT * FROM cohort.get(%s)', :alice_id));
SELECT pg_temp.outcome(format('SELECT cohort.update(%s, name => ''x'')', :alice_id));
RESET search_path;
SELECT count(*) AS shadow_calls, string_agg(DISTINCT f, ', ') AS called FROM mallory.calls;
RESET ROLE;

-- No function of the extension is SECURITY DEFINER or LEAKPROOF, and every SQL or PL/pgSQL
-- function pins its search_path.
SELECT count(*) FILTER (WHERE p.prosecdef) AS security_definer,
       count(*) FILTER (WHERE p.proleakproof) AS leakproof,
       count(*) FILTER (WHERE l.lanname IN ('sql', 'plpgsql')) AS sql_functions,
       count(*) FILTER (WHERE l.lanname IN ('sql', 'plpgsql')
                          AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)) AS unpinned
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
  JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cohort';

-- BYPASSRLS: direct reads see every role's rows (PostgreSQL's rule), but the catalog functions
-- and the overview filter on owner = current_user, so they still show only the caller's own.
SET ROLE regress_cohort_bypass;
SELECT count(*) AS direct_rows, count(DISTINCT owner) AS owners FROM cohort.cohorts WHERE name LIKE 'TopSecret%';
SELECT count(*) AS listed FROM cohort.list(include_deleted => true);
SELECT count(*) AS overview_rows FROM cohort.overview;
SELECT pg_temp.outcome(format('SELECT * FROM cohort.get(%s)', :alice_id)) AS get;
SELECT pg_temp.outcome(format('SELECT cohort.delete(%s)', :alice_id)) AS delete;
SELECT pg_temp.outcome('SELECT * FROM cohort.recalculate_all()') AS recalculate_all;
-- Its direct writes bypass the policy too (the tables are granted to PUBLIC): BYPASSRLS is as
-- powerful over the catalog as over any table. Shown in a rolled-back transaction.
BEGIN;
WITH changed AS (UPDATE cohort.cohorts SET description = 'changed' WHERE name LIKE 'TopSecret%' RETURNING 1)
SELECT count(*) AS changed_rows FROM changed;
ROLLBACK;
RESET ROLE;
-- The superuser owns the tables (FORCE ROW LEVEL SECURITY binds a non-superuser owner; superusers
-- always bypass): direct reads see everything, the functions only the superuser's own cohorts.
SELECT pg_get_userbyid(relowner) = current_user AS owner_is_me, relforcerowsecurity
  FROM pg_class WHERE oid = 'cohort.cohorts'::regclass;
SELECT count(*) AS direct_rows FROM cohort.cohorts WHERE name LIKE 'TopSecret%';
SELECT count(*) AS listed FROM cohort.list(include_deleted => true);
SELECT pg_temp.outcome(format('SELECT * FROM cohort.get(%s)', :alice_id)) AS get;

-- Alice's cohorts are exactly as she left them.
SET ROLE regress_cohort_alice2;
SELECT name, description, is_active, definition FROM cohort.cohorts ORDER BY id;
RESET ROLE;

DELETE FROM cohort.cohorts;
DELETE FROM cohort.sources;
DROP SCHEMA rls_data CASCADE;
DROP SCHEMA mallory CASCADE;
DROP OWNED BY regress_cohort_alice2, regress_cohort_mallory, regress_cohort_bypass;
DROP ROLE regress_cohort_alice2, regress_cohort_mallory, regress_cohort_bypass;
