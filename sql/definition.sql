-- The cohort.definition type: the three input forms, canonical output, casts, comparison, errors.

-- The seed's behavioural condition list (High-Value Win-Back).
SELECT '[{"include": true, "action": "payment_successful", "operation": "sum", "property": "price",
          "condition": ">=", "value": 10000, "timeframe": 365, "logic": "AND"},
         {"include": false, "action": "payment_successful", "operation": "count", "property": "events",
          "condition": ">=", "value": 1, "timeframe": 90, "logic": null}]'::cohort.definition;

-- OR binds looser than AND: a AND b OR c.
SELECT '[{"action": "a", "condition": ">=", "value": 1, "logic": "and"},
         {"action": "b", "condition": "==", "value": 2, "logic": "OR"},
         {"action": "c", "condition": "<>", "value": 3}]'::cohort.definition;

-- between takes [low, high].
SELECT '[{"action": "cart_added", "operation": "avg", "property": "price", "condition": "between",
          "value": [100, 250.5], "timeframe": 30}]'::cohort.definition;

-- The customers app's criteria object, with min_/max_ pairs and X_range objects.
SELECT '{"engagement_level": "high", "churn_risk_level": "low", "min_age": 25, "max_age": 65,
         "total_purchases_range": {"min": 10, "max": 100}, "min_avg_order_value": 50.0,
         "max_days_since_last_purchase": null, "email_opens_range": null}'::cohort.definition;
-- "" and null levels mean any level; the empty object matches everyone.
SELECT '{"engagement_level": "", "churn_risk_level": null}'::cohort.definition;
SELECT '{}'::cohort.definition;

-- The canonical form, with an event-property filter and a mixture of seed forms inside it.
SELECT '{"any": [
          {"performed": {"event": "payment_successful", "aggregate": "sum", "property": "price",
                         "op": ">=", "value": 3000, "days": 30,
                         "where": {"category": ["electronics", "books", "electronics"], "brand": "Apple"}}},
          {"not": {"not": {"attribute": {"name": "churn_score", "min": 0.7}}}},
          {"min_age": 18, "max_age": 30},
          [{"action": "checkout_started", "condition": ">", "value": 0}]
        ]}'::cohort.definition;

-- Same meaning, same text: order, duplicates, nesting, spelling and white space do not matter.
-- (The operators live in schema cohort: qualify them, or put cohort on the search_path.)
SELECT '{"all": [{"engagement_level": "high"}, {"all": [{"min_age": 20}]}, {"engagement_level": "high"}]}'::cohort.definition
     OPERATOR(cohort.=) '{ "min_age" : 20.0, "engagement_level" : "high" }'::cohort.definition AS same_meaning_same_value;
SELECT '[{"action": "x", "condition": "==", "value": 1e2}]'::cohort.definition::text
     = '{"performed": {"op": "=", "value": 100, "event": "x"}}'::cohort.definition::text AS same_text;

-- Casts to and from jsonb round-trip.
SELECT '{"min_age": 25, "max_age": 65}'::cohort.definition::jsonb;
SELECT ('{"min_age": 25, "max_age": 65}'::cohort.definition::jsonb)::cohort.definition;
SELECT '[{"action": "a", "condition": ">=", "value": 1}]'::jsonb::cohort.definition;

-- Binary send/receive round trip through COPY BINARY.
CREATE TEMP TABLE defs (d cohort.definition);
INSERT INTO defs VALUES ('{"min_age": 25}'), ('[{"action": "a", "condition": ">=", "value": 1, "timeframe": 7}]');
COPY defs TO '/tmp/cohort_regress_defs.bin' WITH (FORMAT binary);
CREATE TEMP TABLE defs2 (d cohort.definition);
COPY defs2 FROM '/tmp/cohort_regress_defs.bin' WITH (FORMAT binary);
SELECT count(*) AS rows_back, bool_and(d OPERATOR(cohort.=) ANY (SELECT d FROM defs)) AS identical FROM defs2;
SELECT substr(cohort.definition_send('{"min_age": 1}'), 1, 1) AS version_byte;

-- btree and hash indexes, DISTINCT and GROUP BY work on definitions.
CREATE TEMP TABLE saved (d cohort.definition);
INSERT INTO saved VALUES ('{"min_age": 1}'), ('{"min_age": 1.0}'), ('{"max_age": 9}');
CREATE INDEX ON saved USING btree (d);
CREATE INDEX ON saved USING hash (d);
SELECT d, count(*) FROM saved GROUP BY d ORDER BY d;
SET search_path = public, cohort;
SET enable_seqscan = off;
SELECT count(*) FROM saved WHERE d = '{"min_age": 1.00}';
SELECT count(*) FROM saved WHERE d < '{"attribute":{"name":"age","min":1}}';
RESET enable_seqscan;
RESET search_path;

-- Errors: malformed JSON is 22P02.
\set VERBOSITY default
SELECT '{"min_age": 25'::cohort.definition;
SELECT ''::cohort.definition;
-- Bad keys and values are 22023, naming the key and its position.
SELECT '{"min_agee": 25}'::cohort.definition;
SELECT '[{"action": "a", "operation": "summ", "property": "price", "condition": ">=", "value": 1}]'::cohort.definition;
SELECT '[{"action": "a", "condition": "=>", "value": 1}]'::cohort.definition;
SELECT '[{"action": "a", "condition": ">=", "value": 1}, {"action": "b", "condition": ">=", "value": "1"}]'::cohort.definition;
SELECT '[{"action": "a", "condition": ">=", "value": 1, "timeframe": 0}]'::cohort.definition;
SELECT '[{"action": "a", "condition": ">=", "value": 1, "timeframe": 1.5}]'::cohort.definition;
SELECT '[{"action": "a", "condition": ">=", "value": 1, "logic": "XOR"}]'::cohort.definition;
SELECT '[{"action": "a", "condition": "between", "value": [5, 1]}]'::cohort.definition;
SELECT '[{"action": "a", "condition": "between", "value": 5}]'::cohort.definition;
SELECT '[{"action": "a", "operation": "sum", "condition": ">=", "value": 5}]'::cohort.definition;
SELECT '[{"action": "a", "condition": ">=", "value": 1, "colour": "red"}]'::cohort.definition;
SELECT '{"engagement_level": "extreme"}'::cohort.definition;
SELECT '{"min_age": 70, "max_age": 20}'::cohort.definition;
SELECT '{"age_range": {"min": 70, "max": 20}}'::cohort.definition;
SELECT '{"all": [{"performed": {"event": "a", "op": ">=", "value": 1, "days": -3}}]}'::cohort.definition;
SELECT '{"attribute": {"name": "age"}}'::cohort.definition;
SELECT '{"min_age": 1, "min_age": 2}'::cohort.definition;
SELECT '{"all": {"min_age": 1}}'::cohort.definition;
SELECT '42'::cohort.definition;
-- Limits are 54000.
SELECT (repeat('[', 70) || repeat(']', 70))::cohort.definition;
SELECT (repeat('{"not":', 40) || '{"min_age":1}' || repeat('}', 40))::cohort.definition;
SELECT ('[' || string_agg('{"action":"a","condition":">=","value":' || i || '}', ',') || ']')::cohort.definition
  FROM generate_series(1, 1001) i;
SELECT ('[{"action":"' || repeat('x', 1001) || '","condition":">=","value":1}]')::cohort.definition;
SELECT ('{"performed":{"event":"a","op":">=","value":1,"property":"' || repeat('p', 64) || '","aggregate":"sum"}}')::cohort.definition;
SELECT ('{"min_age":1,"pad":"' || repeat('x', 1100000) || '"}')::cohort.definition;
-- NULL in, NULL out.
SELECT NULL::text::cohort.definition IS NULL AS null_stays_null;
-- The SQLSTATE of each kind of error.
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
SELECT q, pg_temp.sqlstate_of(q) FROM (VALUES
  ($$SELECT '{"min_age": 25'::cohort.definition$$),
  ($$SELECT '{"min_agee": 25}'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": "=>", "value": 1}]'::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1, "timeframe": 0}]'::cohort.definition$$),
  ($$SELECT '{"engagement_level": "extreme"}'::cohort.definition$$),
  ($$SELECT '{"min_age": 70, "max_age": 20}'::cohort.definition$$),
  ($$SELECT (repeat('[', 70) || repeat(']', 70))::cohort.definition$$),
  ($$SELECT '[{"action": "a", "condition": ">=", "value": 1}]'::jsonb::cohort.definition$$),
  ($$SELECT '{"min_age": "x"}'::jsonb::cohort.definition$$)
) v(q);
-- The type is in the string category: an untyped literal picks a definition overload over a number.
CREATE FUNCTION pg_temp.pick(bigint) RETURNS text LANGUAGE sql AS $$ SELECT 'id' $$;
CREATE FUNCTION pg_temp.pick(cohort.definition) RETURNS text LANGUAGE sql AS $$ SELECT 'definition' $$;
SELECT pg_temp.pick('{"min_age": 1}'), pg_temp.pick(42);
-- A node with a group or leaf key has exactly one key.
SELECT '{"all": [], "any": []}'::cohort.definition;
SELECT '{"performed": {"event": "a", "op": ">=", "value": 1}, "min_age": 3}'::cohort.definition;
