-- The main job on sample data: a few cohorts with their size, members and statistics.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset footer off
SET TimeZone = 'UTC';
CREATE EXTENSION IF NOT EXISTS cohort;

\echo
\echo '== The sample shop:'
SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM events) AS events,
       (SELECT min(ts)::date FROM events) AS first_event, (SELECT max(ts)::date FROM events) AS last_event;

CREATE TEMP TABLE demo_cohorts (name text, definition cohort.definition);
INSERT INTO demo_cohorts VALUES
  ('High-Value Win-Back',
   '[{"include": true,  "action": "payment_successful", "operation": "sum", "property": "price",
      "condition": ">=", "value": 10000, "timeframe": 365, "logic": "AND"},
     {"include": false, "action": "payment_successful", "operation": "count", "property": "events",
      "condition": ">=", "value": 1, "timeframe": 90, "logic": null}]'),
  ('High Value Abandoned Cart',
   '[{"action": "cart_added", "operation": "sum", "property": "price", "condition": ">=", "value": 3000,
      "timeframe": 30, "logic": "AND"},
     {"include": false, "action": "payment_successful", "condition": ">=", "value": 1, "timeframe": 30}]'),
  ('Checkout Abandoners',
   '[{"action": "checkout_started", "condition": ">=", "value": 1, "timeframe": 30, "logic": "AND"},
     {"include": false, "action": "payment_successful", "condition": ">=", "value": 1, "timeframe": 30}]'),
  ('Electronics buyers, engaged',
   '{"all": [{"performed": {"event": "payment_successful", "op": ">=", "value": 2, "days": 365,
                            "where": {"category": "electronics"}}},
             {"engagement_level": "high"}]}'),
  ('High Value Customers (app criteria)',
   '{"engagement_level": "high", "churn_risk_level": "low", "min_age": 25, "max_age": 65,
     "min_total_purchases": 10, "max_total_purchases": 100}');

\echo
\echo '== Cohorts now, with statistics from the customers table:'
SELECT d.name,
       (s).total_customers AS customers,
       round((s).avg_churn_score::numeric, 3) AS avg_churn,
       (s).high_risk_count AS high_risk, (s).medium_risk_count AS medium_risk, (s).low_risk_count AS low_risk
  FROM demo_cohorts d
  CROSS JOIN LATERAL (
    SELECT cohort.risk_counts(c.risk_level, c.churn_score) AS s
      FROM cohort.evaluate(d.definition, 'events', 'customers', now()) m
      JOIN customers c USING (user_id)) st
 ORDER BY d.name;

\echo
\echo '== Engagement of each cohort:'
SELECT d.name, (e).customers, round((e).avg_score::numeric, 1) AS avg_score,
       (e).high_count AS high, (e).medium_count AS medium, (e).low_count AS low
  FROM demo_cohorts d
  CROSS JOIN LATERAL (
    SELECT cohort.engagement_stats(c.email_opens, c.website_visits, c.total_purchases) AS e
      FROM cohort.evaluate(d.definition, 'events', 'customers', now()) m
      JOIN customers c USING (user_id)) st
 ORDER BY d.name;

\echo
\echo '== First members of High-Value Win-Back:'
SELECT c.user_id, c.name, c.city, c.phone_number, c.churn_score, c.risk_level
  FROM cohort.evaluate((SELECT definition FROM demo_cohorts WHERE name = 'High-Value Win-Back'),
                       'events', 'customers', now()) m
  JOIN customers c USING (user_id)
 ORDER BY c.user_id LIMIT 10;

\echo
\echo '== The stored (canonical) form of a definition:'
SELECT definition FROM demo_cohorts WHERE name = 'Checkout Abandoners';

\echo
\echo '== The catalog: saved cohorts from the ready-made templates, with statistics (cohort.overview):'
SELECT cohort.set_sources('events', 'customers');
SELECT cohort.create_from_template(name) FROM cohort.templates ORDER BY name;
SELECT name, total_customers AS customers, avg_churn_score AS avg_churn, risk_distribution, criteria
  FROM cohort.overview ORDER BY total_customers DESC;

\echo
\echo '== Tiers by the seed''s rules (annual spend, purchases, engagement, recency):'
SELECT tier, count(*) AS customers, round(avg(annual_spend)) AS avg_annual_spend
  FROM cohort.tiers('events', 'customers', now())
 GROUP BY tier ORDER BY min(annual_spend) DESC;

\echo
\echo '== Funnel over 7 days (cohort.funnel_report):'
SELECT step, event, users, conversion_from_previous, conversion_from_first, round(median_seconds_from_previous) AS median_s
  FROM cohort.funnel_report('events', ARRAY['product_viewed', 'cart_added', 'checkout_started', 'payment_successful'],
                            interval '7 days');

\echo
\echo '== Users by funnel level, from one scan and a sort (cohort.funnel_levels):'
SELECT level, count(*) AS users
  FROM cohort.funnel_levels('events', interval '7 days',
                            ARRAY['product_viewed', 'cart_added', 'checkout_started', 'payment_successful'])
 GROUP BY level ORDER BY level;

\echo
\echo '== Monthly retention, first three months after the first event (cohort.retention_matrix):'
SELECT cohort_period::date AS cohort_month, period_number, cohort_users, returned_users, retention_rate
  FROM cohort.retention_matrix('events', 'month', from_ts => now() - interval '6 months')
 WHERE period_number <= 2 ORDER BY 1, 2 LIMIT 12;
