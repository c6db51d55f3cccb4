-- Hostile input: for every SQL-callable function of the extension, the bad inputs users will send.
-- Each attempt prints its SQLSTATE and message (or "ok: <first row>" where the input is legal and
-- the answer is defined); long digit runs (OIDs) are masked. The count of attempts is printed at
-- the end, after a query proving the server is still up.
SET TimeZone = 'UTC';
\set SHOW_CONTEXT never

CREATE TEMP TABLE tried (q text, sqlstate text);
GRANT INSERT ON tried TO PUBLIC;
-- Runs q; returns "ok: <first row>" or "SQLSTATE: message".
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  BEGIN
    EXECUTE q INTO r;
    INSERT INTO tried VALUES (q, NULL);
    RETURN 'ok: ' || coalesce(left(r::text, 60), '(no row)');
  EXCEPTION WHEN OTHERS THEN
    INSERT INTO tried VALUES (q, SQLSTATE);
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '[0-9]{5,}', 'N', 'g');
  END;
END $$;

-- Sources: good ones, and relations without the needed columns or with the wrong types.
CREATE TABLE h_events (user_id bigint, event text, ts timestamptz, price numeric, label text);
CREATE TABLE h_customers (user_id bigint, age int, churn_score float8, risk_level text,
                          email_opens int, website_visits int, total_purchases int, nickname text);
INSERT INTO h_events SELECT u, 'buy', '2026-01-01 00:00+00', u * 10, 'x' FROM generate_series(1, 5) u;
INSERT INTO h_customers SELECT u, 20 + u, 0.5, 'high', u, u, u, 'n' FROM generate_series(1, 5) u;
CREATE TABLE h_no_user (uid bigint, event text, ts timestamptz);
CREATE TABLE h_no_event (user_id bigint, ts timestamptz);
CREATE TABLE h_no_ts (user_id bigint, event text);
CREATE TABLE h_text_user (user_id text, event text, ts timestamptz);
CREATE TABLE h_numeric_user (user_id numeric, event text, ts timestamptz);
CREATE TABLE h_int_event (user_id bigint, event int, ts timestamptz);
CREATE TABLE h_date_ts (user_id bigint, event text, ts date);
CREATE TABLE h_text_customers (user_id bigint, age text, risk_level int, churn_score text);
INSERT INTO h_text_customers VALUES (1, 'old', 3, 'very likely');
CREATE TABLE h_bare_customers (user_id bigint);
CREATE TABLE h_age_customers (user_id bigint, age int);  -- no churn_score or risk_level for statistics
INSERT INTO h_age_customers VALUES (1, 30);
CREATE SEQUENCE h_seq;
CREATE INDEX h_events_idx ON h_events (user_id);
CREATE TYPE h_composite AS (user_id bigint, event text, ts timestamptz);
-- A dropped table whose regclass value was kept, and a table renamed after set_sources.
CREATE TABLE h_doomed (user_id bigint, event text, ts timestamptz);
CREATE TEMP TABLE kept AS SELECT 'h_doomed'::regclass AS r;
GRANT SELECT ON kept TO PUBLIC;
DROP TABLE h_doomed;

-- 1. The definition type: text input, jsonb cast, binary input.
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT ''::cohort.definition$$),
  ($$SELECT '   '::cohort.definition$$),
  ($$SELECT 'null'::cohort.definition$$),
  ($$SELECT 'true'::cohort.definition$$),
  ($$SELECT '"all"'::cohort.definition$$),
  ($$SELECT '{} x'::cohort.definition$$),
  ($$SELECT '{}{}'::cohort.definition$$),
  ($$SELECT E'\xEF\xBB\xBF{}'::cohort.definition$$),
  ($$SELECT '{"min_age": 1,}'::cohort.definition$$),
  ($$SELECT '{min_age: 1}'::cohort.definition$$),
  ($$SELECT '{"min_age": 01}'::cohort.definition$$),
  ($$SELECT '{"min_age": .5}'::cohort.definition$$),
  ($$SELECT '{"min_age": 1e400}'::cohort.definition$$),
  ($$SELECT '{"min_age": -1e400}'::cohort.definition$$),
  ($$SELECT '{"min_age": 1e-400}'::cohort.definition$$),
  ($$SELECT '{"min_age": NaN}'::cohort.definition$$),
  ($$SELECT '{"min_age": "NaN"}'::cohort.definition$$),
  ($$SELECT '{"min_age": "Infinity"}'::cohort.definition$$),
  ($$SELECT '{"min_age": Infinity}'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1e400}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": "-Infinity"}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": "between", "value": [1, 1e400]}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": "between", "value": [1, 2, 3]}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": "between", "value": ["1", "2"]}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "timeframe": 1e400}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "timeframe": 36601}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "timeframe": -1}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "timeframe": "30"}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "timeframe": 9223372036854775808}]'::cohort.definition$$),
  ($$SELECT '[{"action": 5, "condition": ">=", "value": 1}]'::cohort.definition$$),
  ($$SELECT '[{"action": "", "condition": ">=", "value": 1}]'::cohort.definition$$),
  ($$SELECT '[{"action": null, "condition": ">=", "value": 1}]'::cohort.definition$$),
  ($$SELECT '[{"condition": ">=", "value": 1}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "include": "yes"}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "logic": 1}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "where": ["category"]}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "where": {"category": {"x": 1}}}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "where": {"category": [null]}}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "where": {"": "x"}}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1}, 7]'::cohort.definition$$),
  ($$SELECT '[[]]'::cohort.definition$$),
  ($$SELECT '{"all": [], "any": []}'::cohort.definition$$),
  ($$SELECT '{"not": []}'::cohort.definition$$),
  ($$SELECT '{"not": null}'::cohort.definition$$),
  ($$SELECT '{"performed": {"event": "a", "op": ">=", "value": 1, "extra": 1}}'::cohort.definition$$),
  ($$SELECT '{"performed": {"event": "a", "op": ">=", "value": 1, "aggregate": "median", "property": "p"}}'::cohort.definition$$),
  ($$SELECT '{"attribute": {"name": "", "min": 1}}'::cohort.definition$$),
  ($$SELECT '{"attribute": {"name": "age", "min": "1"}}'::cohort.definition$$),
  ($$SELECT '{"attribute": {"name": "age", "min": 1e400}}'::cohort.definition$$),
  ($$SELECT '{"engagement_level": 1}'::cohort.definition$$),
  ($$SELECT '{"churn_risk_level": "HIGHEST"}'::cohort.definition$$),
  ($$SELECT '{"age_range": [1, 2]}'::cohort.definition$$),
  ($$SELECT '{"age_range": {"min": 1, "avg": 2}}'::cohort.definition$$),
  ($$SELECT '{"min_height": 180}'::cohort.definition$$),
  ($$SELECT '{"__proto__": {}}'::cohort.definition$$),
  ($$SELECT '{"min_age": 1, "MIN_AGE": 2}'::cohort.definition$$),
  ($$SELECT '{"performed": {"event": "\ud800", "op": ">=", "value": 1}}'::cohort.definition$$),
  ($$SELECT '{"performed": {"event": "\u0000", "op": ">=", "value": 1}}'::cohort.definition$$),
  ($$SELECT E'{"performed": {"event": "a\tb", "op": ">=", "value": 1}}'::cohort.definition$$),
  ($$SELECT '{"performed": {"event": "\x", "op": ">=", "value": 1}}'::cohort.definition$$),
  ($$SELECT '{"performed": {"event": "a", "op": ">=", "value": 1}'::cohort.definition$$),
  -- Huge and deep.
  ($$SELECT (repeat('[', 100000) || repeat(']', 100000))::cohort.definition$$),
  ($$SELECT (repeat('{"all":[', 40) || '{}' || repeat(']}', 40))::cohort.definition$$),
  ($$SELECT (repeat('{"not":', 33) || '{"min_age":1}' || repeat('}', 33))::cohort.definition$$),
  ($$SELECT ('{"performed":{"event":"a","op":">=","value":1,"where":{"c":[' || string_agg(i::text, ',') || ']}}}')::cohort.definition FROM generate_series(1, 1001) i$$),
  ($$SELECT ('{"performed":{"event":"a","op":">=","value":1,"where":{"c":"' || repeat('v', 1001) || '"}}}')::cohort.definition$$),
  ($$SELECT ('[' || repeat('{"action":"a","condition":">=","value":1},', 1000) || '{"action":"b","condition":">=","value":1}]')::cohort.definition$$),
  ($$SELECT ('{"min_age": 1' || repeat(' ', 2000000) || '}')::cohort.definition$$),
  ($$SELECT ('{"min_age": 1' || repeat('0', 400) || '}')::cohort.definition$$),
  -- The jsonb cast: jsonb's numeric holds what float8 cannot.
  ($$SELECT 'null'::jsonb::cohort.definition$$),
  ($$SELECT '"{}"'::jsonb::cohort.definition$$),
  ($$SELECT '{"min_age": 1e400}'::jsonb::cohort.definition$$),
  ($$SELECT '{"min_age": 1e-400}'::jsonb::cohort.definition$$),
  ($$SELECT jsonb_build_object('min_age', 'NaN'::numeric)::cohort.definition$$),
  ($$SELECT jsonb_build_object('min_age', 'Infinity'::float8)::cohort.definition$$),
  ($$SELECT jsonb_build_object('performed', jsonb_build_object('event', 'a', 'op', '>=', 'value', 1, 'days', 1e30))::cohort.definition$$),
  ($$SELECT NULL::jsonb::cohort.definition$$),
  -- Functions on definitions.
  ($$SELECT cohort.describe(NULL)$$),
  ($$SELECT cohort.describe('{"min_age": 1e400}')$$),
  ($$SELECT cohort.definition_cmp(NULL, '{}')$$),
  ($$SELECT cohort.definition_hash(NULL)$$),
  ($$SELECT cohort.definition_in(NULL)$$),
  ($$SELECT cohort.definition_in('{"all": 1}')$$),
  ($$SELECT cohort.definition_send(NULL)$$),
  ($$SELECT cohort.definition_from_jsonb('[1]')$$)
) v(q);

-- Binary input (COPY FROM ... FORMAT binary) is untrusted too: a bytea column's binary form is
-- its raw bytes, so a crafted bytea written by COPY TO arrives unchanged at definition_recv.
CREATE TEMP TABLE recv_target (d cohort.definition);
CREATE FUNCTION pg_temp.try_recv(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT %L::bytea) TO %L WITH (FORMAT binary)', payload, '/tmp/cohort_hostile_recv.bin');
  RETURN pg_temp.try($q$COPY recv_target FROM '/tmp/cohort_hostile_recv.bin' WITH (FORMAT binary)$q$);
END $$;
SELECT payload, pg_temp.try_recv(payload) AS result FROM (VALUES
  (''::bytea),                                            -- no version byte
  ('\x00'::bytea),                                        -- unknown version
  ('\xff7b7d'::bytea),                                    -- unknown version, then {}
  (E'\\x01'::bytea),                                      -- version, no text
  (convert_to('x{"min_age": 1}', 'UTF8')),                -- version byte is 'x'
  ('\x017b226d696e5f616765223a20317d00'::bytea),          -- version 1, {"min_age": 1}, trailing NUL
  ('\x017bff7d'::bytea),                                  -- invalid UTF-8
  ('\x017b226d696e5f61676565223a20317d'::bytea),          -- unknown key min_agee
  ('\x017b226d696e5f616765223a20317d'::bytea)            -- valid: version 1, {"min_age": 1}
) v(payload);
SELECT substr(cohort.definition_send('{"min_age": 1}'), 1, 1) AS version_byte,
       count(*) AS rows_received FROM recv_target;

-- 2. cohort.evaluate: NULL in every argument, bad as_of values, bad sources.
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT * FROM cohort.evaluate(NULL, 'h_events', 'h_customers', '2026-06-01')$$),
  ($$SELECT * FROM cohort.evaluate('{}', NULL, 'h_customers', '2026-06-01')$$),
  ($$SELECT count(*) FROM cohort.evaluate('{"min_age": 1}', 'h_events', NULL, '2026-06-01')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events', 'h_customers', NULL)$$),
  ($$SELECT * FROM cohort.evaluate(NULL, NULL, NULL, NULL)$$),
  ($$SELECT count(*) FROM cohort.evaluate('{}', 'h_events', NULL, 'infinity')$$),
  ($$SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 1, "days": 36600}}', 'h_events', NULL, '-infinity')$$),
  ($$SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 1, "days": 36600}}', 'h_events', NULL, '4714-11-24 00:00:00+00 BC')$$),
  ($$SELECT count(*) FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 1, "days": 1}}', 'h_events', NULL, 'infinity')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events', NULL, '2026-06-01 00:00 Mars/Olympus_Mons')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events', NULL, '2026-06-01 00:00+99')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events', NULL, '2026-02-30')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events', NULL, '294277-01-01')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events', NULL, 'yesterday-ish')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events', NULL, now() + '1 fortnight')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events', NULL, 'infinity'::timestamptz - '1 day'::interval)$$),
  ($$SELECT * FROM cohort.evaluate('{"min_agee": 1}', 'h_events')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_nowhere')$$),
  ($$SELECT * FROM cohort.evaluate('{}', '')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'a.b.c.d')$$),
  ($$SELECT * FROM cohort.evaluate('{}', (SELECT r FROM kept))$$),
  ($$SELECT * FROM cohort.evaluate('{}', 0::oid::regclass)$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_no_user')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_no_event')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_no_ts')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_text_user')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_numeric_user')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_int_event')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_date_ts')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_seq')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events_idx')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_composite')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'pg_class')$$),
  ($$SELECT * FROM cohort.evaluate('{"min_age": 1}', 'h_events', 'h_bare_customers')$$),
  ($$SELECT * FROM cohort.evaluate('{"min_age": 1}', 'h_events', 'h_text_customers')$$),
  ($$SELECT * FROM cohort.evaluate('{"churn_risk_level": "high"}', 'h_events', 'h_text_customers')$$),
  ($$SELECT * FROM cohort.evaluate('{"engagement_level": "high"}', 'h_events', 'h_bare_customers')$$),
  ($$SELECT * FROM cohort.evaluate('{"attribute": {"name": "nickname", "min": 1}}', 'h_events', 'h_customers')$$),
  ($$SELECT * FROM cohort.evaluate('{"attribute": {"name": "xmin", "min": 1}}', 'h_events', 'h_customers')$$),
  ($$SELECT * FROM cohort.evaluate('{"performed": {"event": "buy", "aggregate": "sum", "property": "label", "op": ">=", "value": 1}}', 'h_events')$$),
  ($$SELECT * FROM cohort.evaluate('{"performed": {"event": "buy", "aggregate": "sum", "property": "ctid", "op": ">=", "value": 1}}', 'h_events')$$),
  ($$SELECT * FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 1, "where": {"nope": "x"}}}', 'h_events')$$),
  ($$SELECT * FROM cohort.evaluate('{"min_age": 1}', 'h_events', 'h_no_event')$$),
  ($$SELECT * FROM cohort.evaluate('{}', 'h_events', 'h_seq')$$)
) v(q);

-- 3. Statistics and engagement functions and aggregates.
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT * FROM cohort.compute_statistics(NULL, 'h_events', 'h_customers', '2026-06-01')$$),
  ($$SELECT * FROM cohort.compute_statistics('{}', NULL, 'h_customers', '2026-06-01')$$),
  ($$SELECT * FROM cohort.compute_statistics('{}', 'h_events', 'h_customers', NULL)$$),
  ($$SELECT * FROM cohort.compute_statistics('{}', 'h_events', 'h_bare_customers', '2026-06-01')$$),
  ($$SELECT * FROM cohort.compute_statistics('{}', 'h_events', 'h_text_customers', '2026-06-01')$$),
  ($$SELECT * FROM cohort.compute_statistics('{"min_age": 1}', 'h_events', 'h_age_customers', '2026-06-01')$$),
  ($$SELECT * FROM cohort.compute_statistics('{}', 'h_events', 'h_nowhere')$$),
  ($$SELECT * FROM cohort.compute_statistics('{}', 'h_events', (SELECT r FROM kept))$$),
  ($$SELECT * FROM cohort.compute_statistics('{}', 'h_events', 'h_customers', 'not a time')$$),
  ($$SELECT * FROM cohort.member_statistics(NULL, 'h_events', 'h_customers', '2026-06-01')$$),
  ($$SELECT * FROM cohort.member_statistics(ARRAY[NULL]::cohort.definition[], 'h_events', NULL, '2026-06-01')$$),
  ($$SELECT * FROM cohort.member_statistics(ARRAY['{}']::cohort.definition[], 'h_events', 'h_bare_customers', '2026-06-01')$$),
  ($$SELECT * FROM cohort.member_statistics(ARRAY['{}']::cohort.definition[], 'h_events', 'h_text_customers', '2026-06-01')$$),
  ($$SELECT cohort.engagement_score(NULL, NULL, NULL)$$),
  ($$SELECT cohort.engagement_score(1e400, 0, 0)$$),
  ($$SELECT cohort.engagement_score('NaN', 0, 0)$$),
  ($$SELECT cohort.engagement_score('Infinity', '-Infinity', 0)$$),
  ($$SELECT cohort.engagement_score(1e308, 1e308, 1e308)$$),
  ($$SELECT cohort.engagement_score('one', 0, 0)$$),
  ($$SELECT cohort.engagement_level(NULL)$$),
  ($$SELECT cohort.engagement_level('NaN')$$),
  ($$SELECT cohort.engagement_level('-Infinity')$$),
  ($$SELECT cohort.engagement_level(1e400)$$),
  ($$SELECT (cohort.risk_counts(r, s)).* FROM (VALUES (NULL::text, NULL::float8), ('HIGH', 'NaN'), (' low ', 'Infinity')) v(r, s)$$),
  ($$SELECT (cohort.risk_counts(r, s)).* FROM (VALUES ('high', 1e400::float8)) v(r, s)$$),
  ($$SELECT (cohort.engagement_stats(a, b, c)).* FROM (VALUES (NULL::float8, 'NaN'::float8, 1::float8)) v(a, b, c)$$),
  -- The aggregates' support functions are callable: malformed states must be refused, not read.
  ($$SELECT cohort.risk_counts_accum('{1}', 'high', 1)$$),
  ($$SELECT cohort.risk_counts_accum('{0,0,0,0,0,NULL}', 'high', 1)$$),
  ($$SELECT cohort.risk_counts_combine('{1}', '{0,0,0,0,0,0}')$$),
  ($$SELECT cohort.risk_counts_combine('{{0,0,0},{0,0,0}}', '{0,0,0,0,0,0}')$$),
  ($$SELECT cohort.risk_counts_final('{}')$$),
  ($$SELECT cohort.risk_counts_final('{-1,0,0,0,0,0}')$$),
  ($$SELECT cohort.engagement_accum('{0,0}', 1, 1, 1)$$),
  ($$SELECT cohort.engagement_combine('{0,0,0,0,0}', '{0,0,0,0,0,0,0}')$$),
  ($$SELECT cohort.engagement_final('{1,2,3}')$$),
  ($$SELECT cohort.engagement_final('[5:9]={0,0,0,0,0}')$$),
  ($$SELECT cohort.retention_transition(NULL, '{t}')$$),
  ($$SELECT cohort.retention_transition(0, NULL)$$),
  ($$SELECT cohort.retention_combine(-1, 0)$$),
  ($$SELECT cohort.last_evaluation()$$),
  -- Window arguments of the analytics aggregates: invalid intervals and time zones.
  ($$SELECT cohort.window_funnel('1 fortnight', now(), true)$$),
  ($$SELECT cohort.window_funnel('1e400 seconds', now(), true)$$),
  ($$SELECT cohort.window_funnel('1 hour', '2026-01-01 00:00 Mars/Olympus_Mons', true)$$),
  ($$SELECT cohort.window_funnel('1 hour', 'infinity', true)$$),
  ($$SELECT cohort.window_funnel('1 hour', NULL::timestamptz, true)$$),
  ($$SELECT cohort.window_funnel('1 hour', now(), NULL::boolean)$$),
  ($$SELECT cohort.sequence_match('(?1)(?t>1e400)(?2)', now(), true, true)$$),
  ($$SELECT cohort.sequence_match('(?1)(?t>NaN)(?2)', now(), true, true)$$),
  ($$SELECT cohort.sequence_count('(?1)', 'infinity', true)$$),
  ($$SELECT cohort.retention(NULL::boolean)$$),
  -- Support functions over `internal` states cannot be called from SQL at all.
  ($$SELECT cohort.window_funnel_final(NULL)$$),
  ($$SELECT cohort.sequence_transition(NULL, '(?1)', now(), '{t}')$$)
) v(q);

-- 4. The catalog, as an ordinary role.
CREATE ROLE regress_cohort_hostile LOGIN;
CREATE ROLE regress_cohort_other LOGIN;
CREATE ROLE regress_cohort_data_owner;
GRANT SELECT ON h_events, h_customers, h_no_user, h_bare_customers, h_text_user TO regress_cohort_hostile;
-- Sources that are views over a table with row-level security, all owned by an ordinary role whose
-- policy (FORCEd on the owner too) shows only the east: a plain view reads with the owner's rights
-- and policies, a security_invoker view with the caller's.
CREATE TABLE h_secret_events (user_id bigint, event text, ts timestamptz, region text);
INSERT INTO h_secret_events SELECT u, 'buy', '2026-01-01 00:00+00', CASE WHEN u <= 3 THEN 'east' ELSE 'west' END
  FROM generate_series(1, 6) u;
ALTER TABLE h_secret_events OWNER TO regress_cohort_data_owner;
ALTER TABLE h_secret_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE h_secret_events FORCE ROW LEVEL SECURITY;
CREATE POLICY east_only ON h_secret_events USING (region = 'east');
-- The other role may read the table, but its restrictive policy divides by zero.
CREATE POLICY crash_policy ON h_secret_events AS RESTRICTIVE TO regress_cohort_other USING (1 / (user_id - user_id) = 0);
GRANT SELECT ON h_secret_events TO regress_cohort_other;
CREATE VIEW h_plain_view AS SELECT user_id, event, ts FROM h_secret_events;
CREATE VIEW h_invoker_view WITH (security_invoker = true) AS SELECT user_id, event, ts FROM h_secret_events;
CREATE VIEW h_invoker_bad_types WITH (security_invoker = true) AS SELECT user_id::text AS user_id, event, ts::date AS ts FROM h_secret_events;
ALTER VIEW h_plain_view OWNER TO regress_cohort_data_owner;
ALTER VIEW h_invoker_view OWNER TO regress_cohort_data_owner;
ALTER VIEW h_invoker_bad_types OWNER TO regress_cohort_data_owner;
GRANT SELECT ON h_plain_view, h_invoker_view, h_invoker_bad_types TO regress_cohort_hostile, regress_cohort_other;
CREATE TABLE h_renamed_customers (user_id bigint, churn_score float8, risk_level text);
INSERT INTO h_renamed_customers VALUES (1, 0.2, 'low'), (2, 0.9, ' HIGH'), (3, NULL, 'high');
GRANT SELECT ON h_renamed_customers TO regress_cohort_hostile;

-- The id of the hostile role's one cohort.
CREATE FUNCTION pg_temp.mine() RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM cohort.cohorts WHERE name = 'Mine' $$;
SET ROLE regress_cohort_hostile;
SELECT cohort.create('Mine', '{"churn_risk_level": "high"}') > 0 AS created;
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT cohort.create(NULL, '{}')$$),
  ($$SELECT cohort.create('x', NULL)$$),
  ($$SELECT cohort.create(NULL, NULL, NULL)$$),
  ($$SELECT cohort.create('', '{}')$$),
  ($$SELECT cohort.create(repeat(' ', 300), '{}')$$),
  ($$SELECT cohort.create(repeat('n', 201), '{}')$$),
  ($$SELECT cohort.create(' ' || repeat('n', 200) || ' ', '{}') > 0$$),
  ($$SELECT cohort.create(repeat('é', 201), '{}')$$),
  ($$SELECT cohort.create('x', '{"min_age": 1e400}')$$),
  ($$SELECT cohort.create('x', '{"min_age": "NaN"}')$$),
  ($$SELECT cohort.create('x', (repeat('[', 100) || repeat(']', 100))::cohort.definition)$$),
  ($$SELECT cohort.create('x', repeat('[', 100) || repeat(']', 100))$$),
  ($$SELECT cohort.create('MINE', '{}')$$),
  ($$SELECT cohort.create('  mine  ', '{}')$$),
  ($$SELECT cohort.update(NULL)$$),
  ($$SELECT cohort.update(NULL, 'x', '{}', 'd')$$),
  ($$SELECT cohort.update(-1, 'x')$$),
  ($$SELECT cohort.update(9223372036854775807, 'x')$$),
  ($$SELECT cohort.update(1e400, 'x')$$),
  ($$SELECT cohort.update('NaN', 'x')$$),
  ($$SELECT cohort.update(pg_temp.mine(), name => '')$$),
  ($$SELECT cohort.update(pg_temp.mine(), name => repeat('n', 201))$$),
  ($$SELECT cohort.update(pg_temp.mine(), definition => '{"not": [}')$$),
  ($$SELECT cohort.delete(NULL)$$),
  ($$SELECT cohort.delete(0)$$),
  ($$SELECT cohort.restore(NULL)$$),
  ($$SELECT cohort.purge(NULL)$$),
  ($$SELECT cohort.purge('1; DROP TABLE cohort.cohorts')$$),
  ($$SELECT cohort.get(NULL)$$),
  ($$SELECT cohort.get(-9223372036854775808)$$),
  ($$SELECT cohort.get(9223372036854775808)$$),
  ($$SELECT cohort.get(1e400::bigint)$$),
  ($$SELECT cohort.get('Infinity')$$),
  ($$SELECT count(*) FROM cohort.list(NULL, NULL, NULL, NULL)$$),
  ($$SELECT count(*) FROM cohort.list(search => repeat('%_\', 10000))$$),
  ($$SELECT count(*) FROM cohort.list(engagement_level => 'HIGH ')$$),
  ($$SELECT count(*) FROM cohort.list(churn_risk_level => 'extreme')$$),
  ($$SELECT count(*) FROM cohort.list(engagement_level => E'high\n')$$),
  -- Without sources.
  ($$SELECT * FROM cohort.members(pg_temp.mine())$$),
  ($$SELECT * FROM cohort.recalculate(pg_temp.mine())$$),
  ($$SELECT * FROM cohort.recalculate_all()$$),
  ($$SELECT * FROM cohort.members(NULL)$$),
  ($$SELECT * FROM cohort.recalculate(NULL)$$),
  -- Bad sources.
  ($$SELECT cohort.set_sources(NULL, 'h_customers')$$),
  ($$SELECT cohort.set_sources(NULL, NULL)$$),
  ($$SELECT cohort.set_sources('h_nowhere')$$),
  ($$SELECT cohort.set_sources((SELECT r FROM kept))$$),
  ($$SELECT cohort.set_sources(0::oid::regclass)$$),
  ($$SELECT cohort.set_sources('h_no_user')$$),
  ($$SELECT cohort.set_sources('h_no_ts')$$),
  ($$SELECT cohort.set_sources('h_events', 'h_no_user')$$),
  ($$SELECT cohort.set_sources('h_seq')$$),
  ($$SELECT cohort.set_sources('h_secret_events')$$),
  ($$SELECT cohort.set_sources('pg_authid')$$),
  ($$SELECT count(*) FROM cohort.sources$$),
  -- The internal helpers are callable by anyone: they must be harmless.
  ($$SELECT cohort.raise_no_cohort(NULL)$$),
  ($$SELECT cohort.check_columns(NULL, NULL, NULL)$$),
  ($$SELECT cohort.check_columns('h_events', 'events', ARRAY[NULL, 'ts'])$$),
  ($$SELECT cohort.check_columns('h_customers', 'x', '{}')$$),
  ($$SELECT * FROM cohort.caller_sources()$$),
  ($$SELECT cohort.store_statistics(NULL)$$),
  ($$SELECT cohort.checked_name(E'\t')$$),
  ($$SELECT cohort.checked_level('x', NULL)$$),
  ($$SELECT cohort.caller_has_sources()$$),
  ($$SELECT cohort.risk_bar(NULL, NULL, NULL, NULL)$$),
  ($$SELECT cohort.risk_bar(-1, 0, 0)$$),
  ($$SELECT cohort.risk_bar(1, -1, 1)$$),
  ($$SELECT cohort.risk_bar(9223372036854775807, 1, 0)$$),
  ($$SELECT cohort.risk_bar(1, 0, 0, 2147483647)$$),
  ($$SELECT cohort.risk_bar(1, 0, 0, -5)$$)
) v(q);

-- set_sources checks column names only: the types are checked when a cohort reads the column
-- (an attribute-only cohort over a customers relation does not read the events at all).
SELECT cohort.set_sources('h_text_user', 'h_customers');
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT count(*) FROM cohort.members(pg_temp.mine())$$),
  ($$SELECT name, total_customers FROM cohort.recalculate_all()$$),
  ($$SELECT cohort.create('Typed', '[{"action": "buy", "condition": ">=", "value": 1}]')$$)
) v(q);
-- Sources that disappear: the customers table renamed, then a column dropped, then the table dropped.
SELECT cohort.set_sources('h_events', 'h_renamed_customers');
SELECT * FROM cohort.recalculate(pg_temp.mine());
RESET ROLE;
ALTER TABLE h_renamed_customers RENAME TO h_renamed_customers_2;
SET ROLE regress_cohort_hostile;
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT * FROM cohort.members(pg_temp.mine())$$),
  ($$SELECT * FROM cohort.recalculate(pg_temp.mine())$$),
  ($$SELECT * FROM cohort.recalculate_all()$$),
  ($$SELECT cohort.update(pg_temp.mine(), definition => '{"min_age": 2}') IS NOT NULL$$),
  ($$SELECT cohort.create('Another', '{}')$$)
) v(q);
RESET ROLE;
ALTER TABLE h_renamed_customers_2 RENAME TO h_renamed_customers;
ALTER TABLE h_renamed_customers DROP COLUMN churn_score;
SET ROLE regress_cohort_hostile;
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT * FROM cohort.recalculate(pg_temp.mine())$$),
  ($$SELECT count(*) FROM cohort.members(pg_temp.mine())$$)
) v(q);
RESET ROLE;
DROP TABLE h_renamed_customers;
SET ROLE regress_cohort_hostile;
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT * FROM cohort.members(pg_temp.mine())$$),
  ($$SELECT * FROM cohort.recalculate_all()$$)
) v(q);
-- Every failed call changed nothing: Mine keeps its definition and the statistics of its one
-- successful recalculation; the only other cohort is the legal 200-character name.
SELECT name, definition, total_customers, avg_churn_score, high_risk_count FROM cohort.cohorts WHERE name = 'Mine';
SELECT count(*) AS cohorts, count(*) FILTER (WHERE name = repeat('n', 200)) AS long_name FROM cohort.cohorts;

-- Views over a table with row-level security, read by a role without rights on the table:
-- the plain view shows the east (its owner's policy), the security_invoker view needs the
-- caller's own right to read the table.
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT array_agg(user_id) FROM cohort.evaluate('{}', 'h_plain_view', NULL, '2026-06-01')$$),
  ($$SELECT array_agg(user_id) FROM cohort.evaluate('{}', 'h_invoker_view', NULL, '2026-06-01')$$),
  ($$SELECT array_agg(user_id) FROM cohort.evaluate('{}', 'h_invoker_bad_types', NULL, '2026-06-01')$$),
  ($$SELECT array_agg(user_id) FROM cohort.evaluate('{}', 'h_secret_events', NULL, '2026-06-01')$$),
  ($$SELECT cohort.set_sources('h_invoker_view', 'h_customers')$$),
  ($$SELECT * FROM cohort.recalculate(pg_temp.mine())$$)
) v(q);
RESET ROLE;
-- A role with rights on the table, whose restrictive policy divides by zero.
SET ROLE regress_cohort_other;
SELECT q, pg_temp.try(q) AS result FROM (VALUES
  ($$SELECT array_agg(user_id) FROM cohort.evaluate('{}', 'h_invoker_view', NULL, '2026-06-01')$$),
  ($$SELECT array_agg(user_id) FROM cohort.evaluate('{}', 'h_secret_events', NULL, '2026-06-01')$$),
  ($$SELECT array_agg(user_id) FROM cohort.evaluate('{}', 'h_plain_view', NULL, '2026-06-01')$$)
) v(q);
RESET ROLE;

-- The server is still up, and the session still evaluates.
SELECT count(*) AS still_works FROM cohort.evaluate('{"performed": {"event": "buy", "op": ">=", "value": 1}}',
                                                    'h_events', 'h_customers', '2026-06-01');
-- Inputs tried, how many ended in an error, and that none was an internal error (XX000) or crash.
SELECT count(*) AS bad_inputs_tried, count(sqlstate) AS errors, count(DISTINCT sqlstate) AS distinct_sqlstates,
       count(*) FILTER (WHERE sqlstate LIKE 'XX%') AS internal_errors FROM tried;

DELETE FROM cohort.cohorts;
DELETE FROM cohort.sources;
DROP OWNED BY regress_cohort_hostile, regress_cohort_other;
DROP TABLE h_secret_events CASCADE;
DROP ROLE regress_cohort_hostile, regress_cohort_other, regress_cohort_data_owner;
