-- cohort.evaluate over small hand-checked tables.
SET timezone = 'UTC';
CREATE TABLE ev (user_id integer, event varchar(40), ts timestamptz, price numeric(10,2), category text);
CREATE TABLE cust (user_id bigint, age int, total_purchases int, avg_order_value numeric,
                   days_since_last_purchase int, email_opens int, website_visits int,
                   churn_score float8, risk_level text);
INSERT INTO ev VALUES
  (1, 'payment_successful', '2026-06-01 10:00+00', 6000, 'electronics'),
  (1, 'payment_successful', '2026-01-15 10:00+00', 5000, 'books'),
  (2, 'payment_successful', '2026-06-25 10:00+00', 12000, 'electronics'),
  (3, 'cart_added',         '2026-06-29 10:00+00', 3500, 'fashion'),
  (3, 'checkout_started',   '2026-06-29 10:05+00', NULL, NULL),
  (4, 'product_viewed',     '2026-06-20 10:00+00', NULL, 'books'),
  (5, 'payment_successful', '2026-07-05 10:00+00', 99999, 'electronics'),  -- after as_of
  (NULL, 'payment_successful', '2026-06-01 10:00+00', 1, 'x'),            -- no user: ignored
  (6, 'payment_successful', NULL, 50, 'x');                                -- no ts: ignored
INSERT INTO cust VALUES
  (1, 34, 12, 900, 29, 40, 30, 0.81, 'High'),
  (2, 27,  3, 4000, 5, 10, 5, 0.12, 'low'),
  (3, 45,  0, NULL, NULL, 2, 15, 0.55, ' medium '),
  (4, NULL, 1, 10, 10, NULL, NULL, NULL, NULL),
  (7, 60, 0, 0, 400, 0, 0, 0.95, 'high');

-- High-Value Win-Back at 2026-06-30: spent >= 10000 in 365 days, no purchase in the last 20 days.
SELECT * FROM cohort.evaluate(
  '[{"include": true, "action": "payment_successful", "operation": "sum", "property": "price",
     "condition": ">=", "value": 10000, "timeframe": 365, "logic": "AND"},
    {"include": false, "action": "payment_successful", "operation": "count", "property": "events",
     "condition": ">=", "value": 1, "timeframe": 20, "logic": null}]',
  'ev', NULL, '2026-06-30 12:00+00');
-- The same at a past as_of reproduces the cohort as it was (user 2 had not bought yet).
SELECT * FROM cohort.evaluate(
  '[{"action": "payment_successful", "operation": "sum", "property": "price", "condition": ">=", "value": 10000, "timeframe": 365}]',
  'ev', NULL, '2026-06-02 00:00+00');
-- Window edges are inclusive: exactly 29 days before as_of counts, one microsecond earlier does not.
SELECT * FROM cohort.evaluate('{"performed": {"event": "payment_successful", "op": ">=", "value": 1, "days": 29}}',
                              'ev', NULL, '2026-06-30 10:00+00');
SELECT * FROM cohort.evaluate('{"performed": {"event": "payment_successful", "op": ">=", "value": 1, "days": 29}}',
                              'ev', NULL, '2026-06-30 10:00:00.000001+00');
-- Negation-only cohort: the universe is every user with an event at or before as_of.
SELECT * FROM cohort.evaluate('{"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1}}}',
                              'ev', NULL, '2026-06-30 12:00+00');
-- With customers, the universe is the customers rows (7 has no events; 5 is not a customer).
SELECT * FROM cohort.evaluate('{"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1}}}',
                              'ev', 'cust', '2026-06-30 12:00+00');
-- avg/min/max over nothing are NULL: the comparison is false, its negation true.
SELECT * FROM cohort.evaluate('{"performed": {"event": "payment_successful", "aggregate": "avg", "property": "price", "op": "<", "value": 1e9}}',
                              'ev', 'cust', '2026-06-30 12:00+00');
SELECT * FROM cohort.evaluate('{"not": {"performed": {"event": "payment_successful", "aggregate": "max", "property": "price", "op": "<", "value": 1e9}}}',
                              'ev', 'cust', '2026-06-30 12:00+00');
-- min, count_distinct, filters.
SELECT * FROM cohort.evaluate('{"performed": {"event": "payment_successful", "aggregate": "min", "property": "price", "op": "<=", "value": 5000}}',
                              'ev', NULL, '2026-06-30 12:00+00');
SELECT * FROM cohort.evaluate('{"performed": {"event": "payment_successful", "aggregate": "count_distinct", "property": "category", "op": ">=", "value": 2}}',
                              'ev', NULL, '2026-06-30 12:00+00');
SELECT * FROM cohort.evaluate('{"performed": {"event": "payment_successful", "aggregate": "sum", "property": "price", "op": ">=", "value": 6000, "where": {"category": "electronics"}}}',
                              'ev', NULL, '2026-06-30 12:00+00');
SELECT * FROM cohort.evaluate('[{"action": "cart_added", "operation": "sum", "property": "price", "condition": ">=", "value": 3000, "timeframe": 30, "logic": "AND"},
                                {"action": "payment_successful", "condition": ">=", "value": 1, "timeframe": 30, "include": false}]',
                              'ev', NULL, '2026-06-30 12:00+00');
-- Attribute criteria: ranges are inclusive; a NULL attribute fails.
SELECT * FROM cohort.evaluate('{"min_age": 27, "max_age": 45}', 'ev', 'cust');
SELECT * FROM cohort.evaluate('{"max_days_since_last_purchase": 10}', 'ev', 'cust');
-- Engagement: 1 = 12+12+3.6 high; 2 = 3+2+0.9 low; 3 = 0.6+6 low; 4 = 0.3 (NULLs count 0) low.
SELECT user_id, cohort.engagement_level(cohort.engagement_score(email_opens, website_visits, total_purchases))
  FROM cust ORDER BY user_id;
SELECT * FROM cohort.evaluate('{"engagement_level": "high"}', 'ev', 'cust');
SELECT * FROM cohort.evaluate('{"engagement_level": "low"}', 'ev', 'cust');
-- Churn risk compares risk_level ignoring case and blanks.
SELECT * FROM cohort.evaluate('{"churn_risk_level": "high"}', 'ev', 'cust');
SELECT * FROM cohort.evaluate('{"churn_risk_level": "medium"}', 'ev', 'cust');
-- Mixed behaviour and attributes.
SELECT * FROM cohort.evaluate('{"any": [{"churn_risk_level": "high"}, {"performed": {"event": "cart_added", "op": ">=", "value": 1}}]}',
                              'ev', 'cust', '2026-06-30 12:00+00');
-- Views work as sources; columns named otherwise are renamed in a view.
CREATE VIEW ev_renamed AS SELECT user_id AS uid, event AS action, ts AS at FROM ev;
CREATE VIEW ev_view AS SELECT uid AS user_id, action AS event, at AS ts FROM ev_renamed;
SELECT * FROM cohort.evaluate('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}', 'ev_view', NULL, '2026-06-30 12:00+00');
-- Usable in joins and aggregates like any table function.
SELECT (cohort.risk_counts(c.risk_level, c.churn_score)).*
  FROM cohort.evaluate('{"max_age": 40}', 'ev', 'cust') m JOIN cust c USING (user_id);

-- Errors.
\set VERBOSITY default
SELECT * FROM cohort.evaluate('{"min_age": 1}', 'ev');
SELECT * FROM cohort.evaluate('{"performed": {"event": "a", "aggregate": "sum", "property": "nope", "op": ">=", "value": 1}}', 'ev');
SELECT * FROM cohort.evaluate('{"performed": {"event": "a", "aggregate": "sum", "property": "category", "op": ">=", "value": 1}}', 'ev');
SELECT * FROM cohort.evaluate('{"performed": {"event": "a", "op": ">=", "value": 1}}', 'ev_renamed');
SELECT * FROM cohort.evaluate('{"min_age": 1}', 'ev', 'ev');
CREATE TABLE bad_ts (user_id int, event text, ts timestamp);
SELECT * FROM cohort.evaluate('{"performed": {"event": "a", "op": ">=", "value": 1}}', 'bad_ts');
SELECT * FROM cohort.evaluate(NULL, 'ev');
SELECT * FROM cohort.evaluate('{}', NULL);
SELECT * FROM cohort.evaluate('{}', 'ev', NULL, NULL);
SELECT * FROM cohort.evaluate('{}', 'no_such_table');
SELECT * FROM cohort.evaluate('{}', 999999::oid::regclass);
-- After all these errors the session still evaluates.
SELECT count(*) AS still_works FROM cohort.evaluate('{}', 'ev', NULL, '2026-06-30 12:00+00');

-- evaluate_many: several definitions from one pass, identical to evaluating each alone.
CREATE TEMP TABLE many_defs (i serial, d cohort.definition);
INSERT INTO many_defs (d) VALUES
  ('{"performed": {"event": "payment_successful", "op": ">=", "value": 1}}'),
  ('{"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1}}}'),
  ('{"churn_risk_level": "high"}'),
  ('{"any": []}'),
  ('{"performed": {"event": "payment_successful", "aggregate": "sum", "property": "price", "op": ">=", "value": 6000, "where": {"category": "electronics"}}}');
SELECT definition_index, array_agg(user_id ORDER BY user_id)
  FROM cohort.evaluate_many((SELECT array_agg(d ORDER BY i) FROM many_defs), 'ev', 'cust', '2026-06-30 12:00+00')
 GROUP BY 1 ORDER BY 1;
SELECT count(*) AS differing FROM (
  (SELECT m.i, e.user_id FROM many_defs m, cohort.evaluate(m.d, 'ev', 'cust', '2026-06-30 12:00+00') e
   EXCEPT ALL
   SELECT definition_index, user_id FROM cohort.evaluate_many((SELECT array_agg(d ORDER BY i) FROM many_defs), 'ev', 'cust', '2026-06-30 12:00+00'))
  UNION ALL
  (SELECT definition_index, user_id FROM cohort.evaluate_many((SELECT array_agg(d ORDER BY i) FROM many_defs), 'ev', 'cust', '2026-06-30 12:00+00')
   EXCEPT ALL
   SELECT m.i, e.user_id FROM many_defs m, cohort.evaluate(m.d, 'ev', 'cust', '2026-06-30 12:00+00') e)) d;
SELECT count(*) FROM cohort.evaluate_many('{}'::cohort.definition[], 'ev');
SELECT * FROM cohort.evaluate_many(ARRAY['{}'::cohort.definition, NULL], 'ev');
SELECT * FROM cohort.evaluate_many(ARRAY['{"min_age": 3}'::cohort.definition], 'ev');
