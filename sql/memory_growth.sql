-- A long loop of evaluations, catalog calls and aggregates leaves no growth in backend memory.
SET TimeZone = 'UTC';
CREATE TABLE mg_events AS
SELECT (g % 500) + 1 AS user_id,
       (ARRAY['payment_successful', 'cart_added', 'product_viewed'])[1 + g % 3] AS event,
       '2026-01-01 00:00+00'::timestamptz + (g % 150) * interval '1 day' AS ts,
       (g % 97)::numeric AS price, (ARRAY['books', 'toys'])[1 + g % 2] AS category
FROM generate_series(1, 20000) g;
CREATE TABLE mg_customers AS
SELECT u AS user_id, 20 + u % 50 AS age, u % 40 AS email_opens, u % 30 AS website_visits,
       u % 20 AS total_purchases, (u % 100) / 100.0 AS churn_score,
       (ARRAY['high', 'medium', 'low'])[1 + u % 3] AS risk_level
FROM generate_series(1, 500) u;
CREATE FUNCTION pg_temp.backend_bytes() RETURNS bigint LANGUAGE sql
  AS $$ SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts $$;
CREATE FUNCTION pg_temp.run(n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE i int; c bigint;
BEGIN
  FOR i IN 1..n LOOP
    SELECT count(*) INTO c FROM cohort.evaluate(
      '[{"action": "payment_successful", "operation": "sum", "property": "price", "condition": ">=", "value": 500, "timeframe": 90, "logic": "AND"},
        {"action": "product_viewed", "operation": "count_distinct", "property": "category", "condition": ">=", "value": 2}]',
      'mg_events', NULL, '2026-06-01');
    SELECT count(*) INTO c FROM cohort.evaluate('{"any": [{"engagement_level": "high"}, {"churn_risk_level": "low"}]}',
      'mg_events', 'mg_customers', '2026-06-01');
    SELECT count(*) INTO c FROM cohort.evaluate_many(ARRAY['{"min_age": 30}', '{"not": {"performed": {"event": "cart_added", "op": ">=", "value": 1, "where": {"category": "toys"}}}}']::cohort.definition[],
      'mg_events', 'mg_customers', '2026-06-01');
    PERFORM cohort.compute_statistics('{"min_age": 30}', 'mg_events', 'mg_customers', '2026-06-01');
    SELECT count(*) INTO c FROM (SELECT user_id, cohort.window_funnel(interval '7 days', ts, event = 'product_viewed', event = 'cart_added')
                                   FROM mg_events GROUP BY user_id) f;
    BEGIN
      PERFORM '{"min_age": "x"}'::cohort.definition;
    EXCEPTION WHEN invalid_parameter_value THEN NULL;
    END;
    BEGIN
      PERFORM count(*) FROM cohort.evaluate('{"performed": {"event": "a", "aggregate": "sum", "property": "nope", "op": ">=", "value": 1}}', 'mg_events');
    EXCEPTION WHEN undefined_column THEN NULL;
    END;
  END LOOP;
END $$;
-- Warm up caches, then measure 200 more rounds.
SELECT pg_temp.run(20);
SELECT pg_temp.backend_bytes() AS before \gset
SELECT pg_temp.run(200);
SELECT pg_temp.backend_bytes() - :before < 512 * 1024 AS grew_less_than_512kb;
DROP TABLE mg_events, mg_customers;
