-- Reports (sql/install/60_reports.sql): retention_matrix, funnel_report, cohort_metrics, breakdown,
-- tiers, spend_tiers, templates and create_from_template. Part 1 uses small hand-made data: every
-- expected value is worked out in the comment above the query. Part 2 compares every report with
-- an independent plain-SQL computation over generated data. Everything runs as an ordinary role.
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
CREATE ROLE regress_cohort_rita LOGIN;
CREATE SCHEMA rep AUTHORIZATION regress_cohort_rita;
SET ROLE regress_cohort_rita;

-- Error reporting for the tests: SQLSTATE and message.
CREATE FUNCTION rep.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- =============================================================================================
-- Part 1: hand-checked data
-- =============================================================================================

-- ---------------------------------------------------------------------------------------------
-- retention_matrix. 2024-01-01 is a Monday, so weeks start on Jan 1, 8, 15, 22, 29.
--   user 1: signup Jan 1 (week Jan 1), buy Jan 9 (week Jan 8), view Jan 22 (week Jan 22)
--   user 2: view Jan 3 (week Jan 1), buy Jan 16 (week Jan 15)
--   user 3: signup Jan 10 (week Jan 8), view Jan 17 (week Jan 15)
--   user 4: buy Jan 24 (week Jan 22)
--   user 5: signup 2023-12-20, buy 2024-02-07 (outside [Jan 1, Feb 1) below)
--   plus rows with a NULL user_id or ts, which are ignored.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE rep.ret (user_id int, event varchar(20), ts timestamptz);
INSERT INTO rep.ret VALUES
  (1, 'signup', '2024-01-01 09:00'), (1, 'buy', '2024-01-09 10:00'), (1, 'view', '2024-01-22 23:59'),
  (2, 'view', '2024-01-03 12:00'), (2, 'buy', '2024-01-16 08:00'),
  (3, 'signup', '2024-01-10 00:00'), (3, 'view', '2024-01-17 00:00'),
  (4, 'buy', '2024-01-24 18:00'),
  (5, 'signup', '2023-12-20 10:00'), (5, 'buy', '2024-02-07 10:00'),
  (NULL, 'buy', '2024-01-02 00:00'), (6, 'buy', NULL);

-- Weeks, January only. The last week with an event is Jan 22, so each cohort gets period numbers
-- up to that week.
--   cohort Jan 1  = {1, 2}: week 0 both; week 1 (Jan 8) user 1; week 2 (Jan 15) user 2; week 3 user 1.
--   cohort Jan 8  = {3}:    week 0; week 1 (Jan 15) user 3; week 2 none.
--   cohort Jan 22 = {4}:    week 0.
SELECT * FROM cohort.retention_matrix('rep.ret', 'week', from_ts => '2024-01-01', to_ts => '2024-02-01');

-- Months, all rows: cohort 2023-12 = {5}: month 0, nothing in January, month 2 (February) user 5;
-- cohort 2024-01 = {1, 2, 3, 4}: month 0 all four, month 1 none.
SELECT * FROM cohort.retention_matrix('rep.ret', 'Month');

-- Start and return events, January: only users 1 and 3 signed up. Only buys at or after the
-- signup count: user 1 bought in week 1 of his cohort; user 3 never bought.
SELECT * FROM cohort.retention_matrix('rep.ret', 'week', start_event => 'signup', return_event => 'buy',
                                      from_ts => '2024-01-01', to_ts => '2024-02-01');

-- Days in a time zone with daylight saving: 2024-03-10 has 23 hours in New York. User 7 acts on
-- Mar 9 12:00 and Mar 11 00:30 local time: day periods Mar 9 and Mar 11, period number 2.
SET TimeZone = 'America/New_York';
CREATE TABLE rep.dst (user_id int, event text, ts timestamptz);
INSERT INTO rep.dst VALUES (7, 'x', '2024-03-09 12:00'), (7, 'x', '2024-03-11 00:30');
SELECT * FROM cohort.retention_matrix('rep.dst', 'day');
SET TimeZone = 'UTC';

-- An empty range: no rows.
SELECT count(*) FROM cohort.retention_matrix('rep.ret', 'day', from_ts => '2030-01-01');

-- ---------------------------------------------------------------------------------------------
-- funnel_report: steps view, cart, buy within one hour.
--   u1 view 10:00, cart 10:05, buy 10:20                      level 3, times 300 s and 900 s
--   u2 view 10:00, cart 10:10, buy 12:00 (too late)          level 2, time 600 s
--   u3 view 10:00, view 11:00, cart 11:30, buy 11:45          the chain from 10:00 ends at
--      11:00, the one from 11:00 reaches 3: level 3, times 1800 s and 900 s
--   u4 cart 10:00, buy 10:01 (no view)                        level 0
--   u5 view 10:00                                             level 1
--   u6 view, cart, buy all at 10:00                           level 3, times 0 and 0
-- Step 1: 5 users; step 2: 4 (0.8 of step 1); step 3: 3 (0.75 of step 2, 0.6 of step 1).
-- Median seconds: step 2 of {0, 300, 600, 1800} = 450; step 3 of {0, 900, 900} = 900.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE rep.fev (user_id bigint, event text, ts timestamptz);
INSERT INTO rep.fev VALUES
  (1, 'view', '2024-01-01 10:00'), (1, 'cart', '2024-01-01 10:05'), (1, 'buy', '2024-01-01 10:20'),
  (2, 'view', '2024-01-01 10:00'), (2, 'cart', '2024-01-01 10:10'), (2, 'buy', '2024-01-01 12:00'),
  (3, 'view', '2024-01-01 10:00'), (3, 'view', '2024-01-01 11:00'), (3, 'cart', '2024-01-01 11:30'),
  (3, 'buy', '2024-01-01 11:45'),
  (4, 'cart', '2024-01-01 10:00'), (4, 'buy', '2024-01-01 10:01'),
  (5, 'view', '2024-01-01 10:00'),
  (6, 'view', '2024-01-01 10:00'), (6, 'cart', '2024-01-01 10:00'), (6, 'buy', '2024-01-01 10:00'),
  (6, 'other', '2024-01-01 10:00');
-- Customers for the funnel breakdown and the metrics below. User 6 has no customers row.
CREATE TABLE rep.customers (user_id bigint, city text, age int, email_opens int, website_visits int,
                            total_purchases int, segment int, churn_score float8, risk_level text);
INSERT INTO rep.customers VALUES
  (1, 'Pune', 40, 10, 10, 2, 1, 0.1, 'low'), (2, 'Pune', 35, 0, 0, 0, 1, 0.5, 'medium'),
  (3, 'Delhi', 50, 0, 0, 0, 2, 0.9, 'high'), (4, 'Delhi', 20, 0, 0, 0, 2, 0.2, 'low'),
  (5, NULL, 60, 0, 0, 0, NULL, NULL, NULL);
SELECT * FROM cohort.funnel_report('rep.fev', ARRAY['view', 'cart', 'buy'], '1 hour');
-- By city (NULL last): Delhi = {u3 level 3, u4 level 0}: 1, 1, 1, times 1800 and 900.
-- Pune = {u1, u2}: 2, 2, 1; medians 450 and 900. NULL = {u5 (NULL city), u6 (no customers row)}:
-- 2, 1, 1; medians 0 and 0.
SELECT * FROM cohort.funnel_report('rep.fev', ARRAY['view', 'cart', 'buy'], '1 hour', 'rep.customers', 'city');
-- A breakdown by a number is by its text.
SELECT breakdown_value, step, users FROM cohort.funnel_report('rep.fev', ARRAY['view', 'cart'], '1 hour',
                                                              'rep.customers', 'segment');
-- Window of 20 minutes: u1 still 3 (buy at +20 min, inclusive); u2 2; u3 from 11:00: cart +30 min
-- is too late: 1; u6 3. Step 1: 5, step 2: 3, step 3: 2. Medians: step 2 of {0, 300, 600} = 300,
-- step 3 of {0, 900} = 450.
SELECT step, users, conversion_from_previous, median_seconds_from_previous
  FROM cohort.funnel_report('rep.fev', ARRAY['view', 'cart', 'buy'], '20 minutes');
-- A time range: from 10:30 only u3's 11:00 chain remains (u2's buy at 12:00 has no view).
SELECT step, users FROM cohort.funnel_report('rep.fev', ARRAY['view', 'cart', 'buy'], '1 hour',
                                             from_ts => '2024-01-01 10:30');
-- One step; and no matching events at all: one row per step with 0 users.
SELECT * FROM cohort.funnel_report('rep.fev', ARRAY['buy'], '1 hour');
SELECT * FROM cohort.funnel_report('rep.fev', ARRAY['nothing', 'never'], '1 hour');

-- ---------------------------------------------------------------------------------------------
-- cohort_metrics and breakdown, as_of 2024-06-30 12:00 UTC, members of {"min_age": 30}:
-- users 1, 2, 3, 5 (user 4 is 20).
--   u1 viewed, carted 100, checked out, paid 100 (Jun 1) and 300 (Jun 20); paid 999 after as_of
--   u2 viewed, carted 200, never paid
--   u3 viewed, carted 50, checked out (Jun), paid 500 on 2023-01-01
--   u4 paid 1000 (not a member); u5 nothing
-- All time: users 4, purchasers 2 (u1, u3), orders 3, revenue 900, per user 225.00, order value
-- 300.00, frequency 3/4, conversion 2/4, cart users 3 of which u2 never paid: 1/3, checkout users
-- 2 (u1, u3), both paid: 0, viewers 3, of which 2 paid: 0.6667.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE rep.shop (user_id bigint, event text, ts timestamptz, price numeric(10,2), note text);
INSERT INTO rep.shop VALUES
  (1, 'product_viewed', '2024-06-01 09:00', 100, NULL), (1, 'cart_added', '2024-06-01 09:05', 100, NULL),
  (1, 'checkout_started', '2024-06-01 09:10', 100, NULL), (1, 'payment_successful', '2024-06-01 09:15', 100, NULL),
  (1, 'payment_successful', '2024-06-20 10:00', 300, NULL), (1, 'payment_successful', '2024-07-05 10:00', 999, NULL),
  (2, 'product_viewed', '2024-06-10 09:00', 200, NULL), (2, 'cart_added', '2024-06-10 09:05', 200, NULL),
  (3, 'product_viewed', '2024-06-15 09:00', 50, NULL), (3, 'cart_added', '2024-06-15 09:05', 50, NULL),
  (3, 'checkout_started', '2024-06-15 09:10', 50, NULL), (3, 'payment_successful', '2023-01-01 09:00', 500, NULL),
  (4, 'payment_successful', '2024-06-15 09:00', 1000, NULL);
SELECT * FROM cohort.cohort_metrics('{"min_age": 30}'::cohort.definition, 'rep.shop', 'rep.customers',
                                    '2024-06-30 12:00+00');
-- Last 365 days only: u3's 2023 payment drops out: purchasers 1, orders 2, revenue 400, per user
-- 100.00, order value 200.00, frequency 0.5, conversion 0.25, cart abandonment u2 and u3: 2/3,
-- checkout abandonment u3: 1/2, view to purchase 1/3.
SELECT * FROM cohort.cohort_metrics('{"min_age": 30}'::cohort.definition, 'rep.shop', 'rep.customers',
                                    '2024-06-30 12:00+00', days => 365);
-- Other event names: "purchases" are carts: purchasers u1, u2, u3, revenue 350; an empty cohort
-- has NULL ratios.
SELECT * FROM cohort.cohort_metrics('{"min_age": 30}'::cohort.definition, 'rep.shop', 'rep.customers',
                                    '2024-06-30 12:00+00', purchase_event => 'cart_added')
 WHERE metric IN ('purchasers', 'revenue', 'conversion_rate');
SELECT * FROM cohort.cohort_metrics('{"min_age": 99}'::cohort.definition, 'rep.shop', 'rep.customers',
                                    '2024-06-30 12:00+00') WHERE metric IN ('users', 'revenue', 'revenue_per_user');
-- Breakdown by city: Pune {u1, u2} 2 users, half, revenue 400; Delhi {u3} 500; NULL city {u5} 0.
SELECT * FROM cohort.breakdown('{"min_age": 30}'::cohort.definition, 'rep.shop', 'rep.customers', 'city',
                               '2024-06-30 12:00+00');
-- By age (each its own value), last 365 days: u3 (50) has no revenue then.
SELECT * FROM cohort.breakdown('{"min_age": 30}'::cohort.definition, 'rep.shop', 'rep.customers', 'age',
                               '2024-06-30 12:00+00', days => 365);

-- Saved cohorts: the same numbers over the caller's sources.
SELECT cohort.set_sources('rep.shop', 'rep.customers');
SELECT cohort.create('Adults', '{"min_age": 30}') AS adults \gset
SELECT (SELECT count(*) FROM (
          (SELECT * FROM cohort.cohort_metrics(:adults, '2024-06-30 12:00+00')
           EXCEPT SELECT * FROM cohort.cohort_metrics('{"min_age": 30}'::cohort.definition, 'rep.shop',
                                                      'rep.customers', '2024-06-30 12:00+00'))) d) AS metric_differences;
SELECT * FROM cohort.breakdown(:adults, 'city', '2024-06-30 12:00+00');
-- Named notation picks the definition form without a cast.
SELECT value FROM cohort.cohort_metrics(definition => '{"min_age": 30}', events => 'rep.shop',
                                        customers => 'rep.customers', as_of => '2024-06-30 12:00+00')
 WHERE metric = 'revenue';

-- ---------------------------------------------------------------------------------------------
-- tiers, as_of 2024-06-30 12:00 UTC; 365 days back is 2023-07-01 12:00 (2024 is a leap year).
-- Engagement score = opens*0.3 + visits*0.4 + purchases*0.3 (high >= 20, medium >= 10).
--   t1 5 x 4000 = 20000 in the year, visits 50 (score 20, high), last Jun 20  -> platinum
--   t2 5 x 4000, visits 30 (12, medium)                                        -> gold
--   t3 3 x 2500 = 7500, medium                                                 -> gold
--   t4 one 2500 on Apr 1 12:00: 90 days since the last purchase, low           -> silver
--   t5 one 2500 on Mar 31: 91 days                                             -> none
--   t6 20000 but on 2023-05-27, outside the year: annual spend 0, 400 days    -> none
--   t7 no events, NULL engagement columns (score 0, low)                      -> none
--   t8 5 x 3000 = 15000, high, one of them exactly at 2023-07-01 12:00 (inside), plus one after
--      as_of (ignored)                                                         -> platinum
-- ---------------------------------------------------------------------------------------------
CREATE TABLE rep.tev (user_id int, event text, ts timestamptz, price int);
INSERT INTO rep.tev
  SELECT u, 'payment_successful', timestamptz '2024-06-20 10:00' - g * interval '10 days', 4000
    FROM (VALUES (1), (2)) v(u), generate_series(0, 4) g
  UNION ALL SELECT 3, 'payment_successful', timestamptz '2024-05-01 10:00' + g * interval '1 day', 2500
    FROM generate_series(0, 2) g
  UNION ALL VALUES (4, 'payment_successful', timestamptz '2024-04-01 12:00', 2500),
                   (5, 'payment_successful', timestamptz '2024-03-31 12:00', 2500),
                   (6, 'payment_successful', timestamptz '2023-05-27 12:00', 20000),
                   (8, 'payment_successful', timestamptz '2023-07-01 12:00', 3000),
                   (8, 'payment_successful', timestamptz '2024-07-01 12:00', 3000),
                   (8, 'cart_added', timestamptz '2024-06-01 12:00', 99999)
  UNION ALL SELECT 8, 'payment_successful', timestamptz '2024-06-01 12:00' + g * interval '1 day', 3000
    FROM generate_series(0, 3) g;
CREATE TABLE rep.tcust (user_id int, email_opens int, website_visits int, total_purchases int,
                        churn_score float8, risk_level text);
INSERT INTO rep.tcust (user_id, email_opens, website_visits, total_purchases)
  VALUES (1, 0, 50, 0), (2, 0, 30, 0), (3, 0, 30, 0), (4, 0, 0, 0), (5, 0, 0, 0),
         (6, 0, 0, 0), (7, NULL, NULL, NULL), (8, 10, 40, 10);
SELECT * FROM cohort.tiers('rep.tev', 'rep.tcust', '2024-06-30 12:00+00');
-- Lower thresholds and no engagement rule for platinum: t2 becomes platinum, t3 (3 purchases) gold,
-- t4 and t5 silver with a 100-day recency.
SELECT user_id, tier FROM cohort.tiers('rep.tev', 'rep.tcust', '2024-06-30 12:00+00', platinum_engagement => NULL,
                                       recency_days => 100) ORDER BY user_id;
-- spend_tiers over 8 customers: spends 20000 (t1, t2; rank 1), 15000 (t8; 3), 7500 (t3; 4),
-- 2500 (t4, t5; 5), 0 (t6, t7; 7). Platinum: fewer than 5% of 8 = 0.4 customers above: rank 1, both
-- tied customers (ties are not split). Gold: fewer than 1.6 above: nobody else. Silver: fewer than
-- 4 above: ranks 3 and 4. Rank 5 has 4 above: none. No spend: none.
SELECT * FROM cohort.spend_tiers('rep.tev', 'rep.tcust', '2024-06-30 12:00+00');
-- Shares 25/25/25: platinum rank 1 (< 2 above), gold ranks 3, 4 (< 4), silver rank 5 (< 6).
SELECT user_id, tier FROM cohort.spend_tiers('rep.tev', 'rep.tcust', '2024-06-30 12:00+00', 0.25, 0.25, 0.25)
 ORDER BY user_id;

-- ---------------------------------------------------------------------------------------------
-- Templates
-- ---------------------------------------------------------------------------------------------
SELECT name, parameters, description FROM cohort.templates;
SELECT name, definition FROM cohort.templates;
-- High Value Abandoned Cart with a 150 cart value over rep.shop at as_of: carts in 30 days u1 100,
-- u2 200, u3 50; u2 never paid: {2}.
SELECT cohort.create_from_template('High Value Abandoned Cart', 'Carts 150+', '{"min_cart_value": 150}') AS hvac \gset
SELECT name, description, definition FROM cohort.get(:hvac);
SELECT * FROM cohort.members(:hvac, '2024-06-30 12:00+00');
-- Checkout Abandoners (default name): checkouts in 30 days u1 (paid Jun 20) and u3 (no payment in
-- 30 days): {3}.
SELECT cohort.create_from_template('checkout abandoners') AS ca \gset
SELECT name FROM cohort.get(:ca);
SELECT * FROM cohort.members(:ca, '2024-06-30 12:00+00');
-- Tier templates over the tier data equal the tiers: Platinum = {1, 8}; Gold (at least gold,
-- which includes every platinum customer with these thresholds) = {1, 2, 3, 8}.
SELECT cohort.set_sources('rep.tev', 'rep.tcust');
SELECT cohort.create_from_template('Platinum') AS platinum \gset
SELECT cohort.create_from_template('Gold') AS gold \gset
SELECT array_agg(user_id ORDER BY user_id) AS platinum FROM cohort.members(:platinum, '2024-06-30 12:00+00');
SELECT array_agg(user_id ORDER BY user_id) AS gold FROM cohort.members(:gold, '2024-06-30 12:00+00');
SELECT array_agg(user_id ORDER BY user_id) FILTER (WHERE tier = 'platinum') AS platinum,
       array_agg(user_id ORDER BY user_id) FILTER (WHERE tier IN ('platinum', 'gold')) AS gold
  FROM cohort.tiers('rep.tev', 'rep.tcust', '2024-06-30 12:00+00');
-- An override of a string parameter: Platinum with medium engagement adds t2.
SELECT cohort.create_from_template('Platinum', 'Platinum, medium', '{"min_engagement_level": "medium"}') AS pm \gset
SELECT array_agg(user_id ORDER BY user_id) FROM cohort.members(:pm, '2024-06-30 12:00+00');

-- ---------------------------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------------------------
SELECT rep.err($$SELECT * FROM cohort.retention_matrix('rep.ret', 'year')$$);
SELECT rep.err($$SELECT * FROM cohort.retention_matrix('rep.ret', NULL)$$);
SELECT rep.err($$SELECT * FROM cohort.retention_matrix(NULL, 'day')$$);
SELECT rep.err($$SELECT * FROM cohort.retention_matrix('rep.customers', 'day')$$);
SELECT rep.err($$SELECT * FROM cohort.funnel_report('rep.fev', ARRAY[]::text[], '1 hour')$$);
SELECT rep.err($$SELECT * FROM cohort.funnel_report('rep.fev', NULL, '1 hour')$$);
SELECT rep.err($$SELECT * FROM cohort.funnel_report('rep.fev', ARRAY['view', NULL], '1 hour')$$);
SELECT rep.err($$SELECT * FROM cohort.funnel_report('rep.fev', ARRAY['view'], '0 seconds')$$);
SELECT rep.err($$SELECT * FROM cohort.funnel_report('rep.fev', array_fill('x'::text, ARRAY[33]), '1 hour')$$);
SELECT rep.err($$SELECT * FROM cohort.funnel_report('rep.fev', ARRAY['view'], '1 hour', 'rep.customers', 'town')$$);
SELECT rep.err($$SELECT * FROM cohort.funnel_report('rep.fev', ARRAY['view'], '1 hour', NULL, 'city')$$);
SELECT rep.err($$SELECT * FROM cohort.breakdown('{}'::cohort.definition, 'rep.shop', 'rep.customers', 'town')$$);
SELECT rep.err($$SELECT * FROM cohort.breakdown('{}'::cohort.definition, 'rep.shop', NULL, 'city')$$);
SELECT rep.err($$SELECT * FROM cohort.breakdown(-1, 'city')$$);
SELECT rep.err($$SELECT * FROM cohort.cohort_metrics('{}'::cohort.definition, 'rep.shop', revenue_column => 'note')$$);
SELECT rep.err($$SELECT * FROM cohort.cohort_metrics('{}'::cohort.definition, 'rep.shop', revenue_column => 'amount')$$);
SELECT rep.err($$SELECT * FROM cohort.cohort_metrics('{}'::cohort.definition, 'rep.shop', days => 0)$$);
SELECT rep.err($$SELECT * FROM cohort.tiers('rep.tev', 'rep.shop')$$);
SELECT rep.err($$SELECT * FROM cohort.tiers('rep.tev', 'rep.tcust', gold_engagement => 'great')$$);
SELECT rep.err($$SELECT * FROM cohort.spend_tiers('rep.tev', 'rep.tcust', now(), 0.5, 0.4, 0.3)$$);
SELECT rep.err($$SELECT cohort.create_from_template('Diamond')$$);
SELECT rep.err($$SELECT cohort.create_from_template('Gold', 'x', '{"min_spend": 1, "max_spend": 2}')$$);
SELECT rep.err($$SELECT cohort.create_from_template('Gold', 'x', '{"min_spend": "lots"}')$$);
SELECT rep.err($$SELECT cohort.create_from_template('Gold', 'x', '[1]')$$);
SELECT rep.err($$SELECT cohort.create_from_template('Gold', 'x', '{"days": 0}')$$);
SELECT rep.err($$SELECT cohort.create_from_template('Gold', 'x', '{"min_engagement_level": "top"}')$$);
SELECT rep.err($$SELECT cohort.create_from_template('Gold')$$);
-- Nothing was saved by the failed calls.
SELECT name FROM cohort.list() ORDER BY name;

-- ---------------------------------------------------------------------------------------------
-- Caller's rights and a hostile search_path
-- ---------------------------------------------------------------------------------------------
-- A policy hiding u3 from the funnel's events: step counts 4, 3, 2; the owner is subject to it.
ALTER TABLE rep.fev ENABLE ROW LEVEL SECURITY;
ALTER TABLE rep.fev FORCE ROW LEVEL SECURITY;
CREATE POLICY hide_u3 ON rep.fev USING (user_id <> 3);
SELECT step, users FROM cohort.funnel_report('rep.fev', ARRAY['view', 'cart', 'buy'], '1 hour');
-- Objects in a schema searched before pg_catalog do not change the reports.
RESET ROLE;
CREATE SCHEMA evil AUTHORIZATION regress_cohort_rita;
SET ROLE regress_cohort_rita;
CREATE FUNCTION evil.date_trunc(text, timestamptz) RETURNS timestamptz LANGUAGE sql AS $$ SELECT 'epoch'::timestamptz $$;
CREATE FUNCTION evil.round(numeric, int) RETURNS numeric LANGUAGE sql AS $$ SELECT 42::numeric $$;
CREATE FUNCTION evil.text_eq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.text_eq);
SET search_path = evil, pg_catalog;
SELECT * FROM cohort.retention_matrix('rep.ret', 'week', from_ts => '2024-01-01', to_ts => '2024-02-01');
SELECT step, users, conversion_from_previous FROM cohort.funnel_report('rep.fev', ARRAY['view', 'cart', 'buy'], '1 hour');
SELECT * FROM cohort.breakdown('{"min_age": 30}'::cohort.definition, 'rep.shop', 'rep.customers', 'city',
                               '2024-06-30 12:00+00');
RESET search_path;
DROP SCHEMA evil CASCADE;

-- =============================================================================================
-- Part 2: differential test against independent plain SQL over generated data
-- =============================================================================================
-- Days, weeks and months in a time zone with daylight saving; as_of just after the change.
SET TimeZone = 'America/New_York';
SET client_min_messages = warning;
SELECT setseed(0.4711) AS seeded \gset
CREATE TABLE rep.dc (user_id bigint, city text, age int, email_opens int, website_visits int, total_purchases int,
                     churn_score float8, risk_level text);
INSERT INTO rep.dc
SELECT id,
       CASE WHEN random() < 0.1 THEN NULL
            ELSE (ARRAY['Mumbai', 'Delhi', 'Pune', 'Chennai', 'Kochi'])[1 + floor(random() * 5)::int] END,
       CASE WHEN random() < 0.05 THEN NULL ELSE 18 + floor(random() * 50)::int END,
       CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 40)::int END,
       CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 50)::int END,
       floor(random() * 20)::int, NULL, NULL
FROM generate_series(1, 300) id;
-- Events of users 1..320 (301..320 are not customers) over 200 days before as_of; sessions of
-- a few events minutes to days apart, so that funnels within hours and days both occur.
CREATE TABLE rep.de (user_id bigint, event text, ts timestamptz, price numeric(10,2));
INSERT INTO rep.de
SELECT s.user_id,
       (ARRAY['product_viewed', 'product_viewed', 'product_viewed', 'cart_added', 'cart_added',
              'checkout_started', 'payment_successful', 'payment_successful', 'wishlist_added'])
         [1 + floor(random() * 9)::int],
       s.start + random() * interval '3 days',
       CASE WHEN random() < 0.05 THEN NULL ELSE (50 + floor(random() * 6000))::numeric END
FROM (SELECT u AS user_id, timestamptz '2026-03-10 15:00+00' - random() * interval '200 days' AS start,
             1 + floor(random() * 8)::int AS n
        FROM generate_series(1, 320) u, generate_series(1, 4) k) s,
     LATERAL generate_series(1, s.n) g;
INSERT INTO rep.de VALUES (NULL, 'product_viewed', '2026-03-01 00:00+00', 1), (1, 'product_viewed', NULL, 1);
CREATE INDEX ON rep.de (user_id, event, ts);
ANALYZE rep.de;
-- The rows the reports consider (for the plain-SQL side).
CREATE VIEW rep.dev AS SELECT user_id, event, ts, price FROM rep.de WHERE user_id IS NOT NULL AND ts IS NOT NULL;
RESET client_min_messages;
SELECT count(*) > 5000 AS enough_events, count(DISTINCT user_id) AS users FROM rep.de;

-- retention_matrix: periods by generate_series in the session time zone, returns by equality of
-- truncated timestamps (no period arithmetic), grid up to the last period with an event.
CREATE FUNCTION rep.retention_sql(period text, start_event text, return_event text, from_ts timestamptz, to_ts timestamptz)
  RETURNS TABLE (cohort_period timestamptz, period_number int, cohort_users bigint, returned_users bigint, retention_rate numeric)
LANGUAGE sql AS $$
  WITH f AS MATERIALIZED (
    SELECT user_id, min(ts) AS first_ts FROM rep.dev
     WHERE (from_ts IS NULL OR ts >= from_ts) AND (to_ts IS NULL OR ts < to_ts)
       AND (start_event IS NULL OR event = start_event) GROUP BY user_id),
  cp AS (SELECT date_trunc(period, first_ts) AS cp, count(*) AS users FROM f GROUP BY 1),
  grid AS (SELECT cp.cp, cp.users, p.p, (p.o - 1)::int AS n
             FROM cp, LATERAL generate_series(cp.cp, (SELECT date_trunc(period, max(ts)) FROM rep.dev
                                                       WHERE (from_ts IS NULL OR ts >= from_ts) AND (to_ts IS NULL OR ts < to_ts)),
                                              ('1 ' || period)::interval) WITH ORDINALITY p(p, o))
  SELECT g.cp, g.n, g.users,
         (SELECT count(*) FROM f WHERE date_trunc(period, f.first_ts) = g.cp
             AND EXISTS (SELECT 1 FROM rep.dev e WHERE e.user_id = f.user_id AND e.ts >= f.first_ts
                            AND (to_ts IS NULL OR e.ts < to_ts)
                            AND (return_event IS NULL OR e.event = return_event)
                            AND date_trunc(period, e.ts) = g.p)),
         NULL::numeric
    FROM grid g
$$;
SELECT p.period, s.start_event, s.return_event, r.from_ts IS NOT NULL AS ranged,
       (SELECT count(*) FROM cohort.retention_matrix('rep.de', p.period, s.start_event, s.return_event, r.from_ts, r.to_ts)) AS report_rows,
       (SELECT count(*) FROM (
          (SELECT cohort_period, period_number, cohort_users, returned_users,
                  round(returned_users::numeric / cohort_users, 4)
             FROM cohort.retention_matrix('rep.de', p.period, s.start_event, s.return_event, r.from_ts, r.to_ts)
           EXCEPT
           SELECT cohort_period, period_number, cohort_users, returned_users, round(returned_users::numeric / cohort_users, 4)
             FROM rep.retention_sql(p.period, s.start_event, s.return_event, r.from_ts, r.to_ts))
          UNION ALL
          (SELECT cohort_period, period_number, cohort_users, returned_users, round(returned_users::numeric / cohort_users, 4)
             FROM rep.retention_sql(p.period, s.start_event, s.return_event, r.from_ts, r.to_ts)
           EXCEPT
           SELECT cohort_period, period_number, cohort_users, returned_users, retention_rate
             FROM cohort.retention_matrix('rep.de', p.period, s.start_event, s.return_event, r.from_ts, r.to_ts))) d) AS differences
  FROM (VALUES ('day'), ('week'), ('month')) p(period),
       (VALUES (NULL, NULL), ('cart_added', 'payment_successful')) s(start_event, return_event),
       (VALUES (NULL::timestamptz, NULL::timestamptz), ('2026-01-01 00:00', '2026-03-01 00:00')) r(from_ts, to_ts)
 WHERE p.period <> 'day' OR r.from_ts IS NOT NULL   -- (all days: too slow for the plain-SQL side)
 ORDER BY 1, 2, 4;

-- funnel_report: levels as existence of chains a <= b <= c <= a + window (distinct step events);
-- times from the earliest step-1 event that starts a chain of the user's level, each next step at
-- its earliest event; medians by percentile_cont. Overall and by city.
CREATE FUNCTION rep.funnel_sql(w interval, by_city boolean)
  RETURNS TABLE (breakdown_value text, step int, event text, users bigint, conversion_from_previous numeric,
                 conversion_from_first numeric, median_seconds_from_previous float8)
LANGUAGE sql AS $$
  WITH u AS (SELECT DISTINCT user_id FROM rep.dev WHERE event IN ('product_viewed', 'cart_added', 'payment_successful')),
  lv AS (
    SELECT u.user_id,
           CASE WHEN EXISTS (SELECT 1 FROM rep.dev a, rep.dev b, rep.dev c WHERE a.user_id = u.user_id AND b.user_id = u.user_id
                               AND c.user_id = u.user_id AND a.event = 'product_viewed' AND b.event = 'cart_added'
                               AND c.event = 'payment_successful' AND a.ts <= b.ts AND b.ts <= c.ts AND c.ts <= a.ts + w) THEN 3
                WHEN EXISTS (SELECT 1 FROM rep.dev a, rep.dev b WHERE a.user_id = u.user_id AND b.user_id = u.user_id
                               AND a.event = 'product_viewed' AND b.event = 'cart_added' AND a.ts <= b.ts AND b.ts <= a.ts + w) THEN 2
                WHEN EXISTS (SELECT 1 FROM rep.dev a WHERE a.user_id = u.user_id AND a.event = 'product_viewed') THEN 1
                ELSE 0 END AS level
      FROM u),
  starts AS (
    SELECT lv.user_id, lv.level,
           (SELECT min(a.ts) FROM rep.dev a WHERE a.user_id = lv.user_id AND a.event = 'product_viewed'
               AND (lv.level < 2 OR EXISTS (SELECT 1 FROM rep.dev b WHERE b.user_id = a.user_id AND b.event = 'cart_added'
                                              AND b.ts >= a.ts AND b.ts <= a.ts + w
                                              AND (lv.level < 3 OR EXISTS (
                                                SELECT 1 FROM rep.dev c WHERE c.user_id = a.user_id AND c.event = 'payment_successful'
                                                   AND c.ts >= b.ts AND c.ts <= a.ts + w))))) AS t1
      FROM lv WHERE lv.level >= 2),
  t2 AS (SELECT s.*, (SELECT min(b.ts) FROM rep.dev b WHERE b.user_id = s.user_id AND b.event = 'cart_added'
                         AND b.ts >= s.t1 AND b.ts <= s.t1 + w) AS t2 FROM starts s),
  t3 AS (SELECT t.*, (SELECT min(c.ts) FROM rep.dev c WHERE c.user_id = t.user_id AND c.event = 'payment_successful'
                         AND c.ts >= t.t2 AND c.ts <= t.t1 + w AND t.level >= 3) AS t3 FROM t2 t),
  g AS (SELECT lv.user_id, lv.level, CASE WHEN by_city THEN c.city END AS bv
          FROM lv LEFT JOIN rep.dc c ON c.user_id = lv.user_id),
  steps AS (SELECT * FROM (VALUES (1, 'product_viewed'), (2, 'cart_added'), (3, 'payment_successful')) s(k, name)),
  counts AS (SELECT g.bv, s.k, s.name, count(*) FILTER (WHERE g.level >= s.k) AS users
               FROM g CROSS JOIN steps s GROUP BY g.bv, s.k, s.name),
  secs AS (SELECT t.user_id, 2 AS k, extract(epoch FROM t.t2 - t.t1)::float8 AS s FROM t3 t
           UNION ALL SELECT t.user_id, 3, extract(epoch FROM t.t3 - t.t2)::float8 FROM t3 t WHERE t.t3 IS NOT NULL),
  med AS (SELECT g.bv, secs.k, percentile_cont(0.5) WITHIN GROUP (ORDER BY secs.s) AS m
            FROM g JOIN secs ON secs.user_id = g.user_id GROUP BY g.bv, secs.k)
  SELECT c.bv, c.k, c.name, c.users,
         CASE WHEN c.k > 1 THEN round(c.users::numeric / nullif(p.users, 0), 4) END,
         round(c.users::numeric / nullif(f.users, 0), 4), m.m
    FROM counts c
    JOIN counts f ON f.bv IS NOT DISTINCT FROM c.bv AND f.k = 1
    LEFT JOIN counts p ON p.bv IS NOT DISTINCT FROM c.bv AND p.k = c.k - 1
    LEFT JOIN med m ON m.bv IS NOT DISTINCT FROM c.bv AND m.k = c.k
$$;
SELECT w.w, b.by_city,
       (SELECT count(*) FROM cohort.funnel_report('rep.de', ARRAY['product_viewed', 'cart_added', 'payment_successful'], w.w,
                                                  'rep.dc', CASE WHEN b.by_city THEN 'city' END)) AS report_rows,
       (SELECT sum(users) FROM cohort.funnel_report('rep.de', ARRAY['product_viewed', 'cart_added', 'payment_successful'], w.w,
                                                    'rep.dc', CASE WHEN b.by_city THEN 'city' END) WHERE step = 3) > 0 AS some_complete,
       (SELECT count(*) FROM (
          (SELECT * FROM cohort.funnel_report('rep.de', ARRAY['product_viewed', 'cart_added', 'payment_successful'], w.w,
                                              'rep.dc', CASE WHEN b.by_city THEN 'city' END)
           EXCEPT SELECT * FROM rep.funnel_sql(w.w, b.by_city))
          UNION ALL
          (SELECT * FROM rep.funnel_sql(w.w, b.by_city)
           EXCEPT SELECT * FROM cohort.funnel_report('rep.de', ARRAY['product_viewed', 'cart_added', 'payment_successful'], w.w,
                                                     'rep.dc', CASE WHEN b.by_city THEN 'city' END))) d) AS differences
  FROM (VALUES (interval '2 hours'), (interval '1 day'), (interval '3 days')) w(w), (VALUES (false), (true)) b(by_city)
 ORDER BY 1, 2;

-- cohort_metrics and breakdown for definitions whose members are easy to write in SQL.
CREATE TABLE rep.defs (k int, definition cohort.definition, days int, members_sql text);
INSERT INTO rep.defs VALUES
  (1, '{"min_age": 30, "max_age": 50}', NULL, 'SELECT user_id FROM rep.dc WHERE age BETWEEN 30 AND 50'),
  (2, '[{"action": "product_viewed", "operation": "count", "condition": ">=", "value": 3, "timeframe": 60}]', 90,
   $q$SELECT c.user_id FROM rep.dc c WHERE (SELECT count(*) FROM rep.de e WHERE e.user_id = c.user_id
        AND e.event = 'product_viewed' AND e.ts <= '2026-03-10 15:00+00'
        AND e.ts >= timestamptz '2026-03-10 15:00+00' - interval '60 days') >= 3$q$),
  (3, '{}', 30, 'SELECT user_id FROM rep.dc');
CREATE FUNCTION rep.metrics_sql(members text, days int)
  RETURNS TABLE (metric text, value numeric) LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH m AS (SELECT DISTINCT user_id FROM (%s) x),
    e AS (SELECT e.* FROM rep.de e JOIN m USING (user_id)
           WHERE e.ts <= '2026-03-10 15:00+00' AND ($1 IS NULL OR e.ts >= timestamptz '2026-03-10 15:00+00' - make_interval(days => $1))),
    pay AS (SELECT * FROM e WHERE event = 'payment_successful'),
    n AS (SELECT (SELECT count(*) FROM m) AS users,
                 (SELECT count(DISTINCT user_id) FROM pay) AS purchasers,
                 (SELECT count(*) FROM pay) AS orders,
                 (SELECT coalesce(sum(price), 0) FROM pay) AS revenue,
                 (SELECT avg(price) FROM pay) AS aov,
                 (SELECT count(DISTINCT user_id) FROM e WHERE event = 'cart_added') AS carts,
                 (SELECT count(DISTINCT user_id) FROM e WHERE event = 'cart_added' AND user_id NOT IN (SELECT user_id FROM pay)) AS cart_lost,
                 (SELECT count(DISTINCT user_id) FROM e WHERE event = 'checkout_started') AS checkouts,
                 (SELECT count(DISTINCT user_id) FROM e WHERE event = 'checkout_started' AND user_id NOT IN (SELECT user_id FROM pay)) AS checkout_lost,
                 (SELECT count(DISTINCT user_id) FROM e WHERE event = 'product_viewed') AS viewers,
                 (SELECT count(DISTINCT user_id) FROM e WHERE event = 'product_viewed' AND user_id IN (SELECT user_id FROM pay)) AS viewers_paid)
    SELECT v.metric, v.value FROM n, LATERAL (VALUES ('users', users::numeric), ('purchasers', purchasers), ('orders', orders),
        ('revenue', revenue), ('revenue_per_user', round(revenue / users, 2)), ('average_order_value', round(aov, 2)),
        ('purchase_frequency', round(orders::numeric / users, 4)), ('conversion_rate', round(purchasers::numeric / users, 4)),
        ('cart_users', carts), ('cart_abandonment_rate', round(cart_lost::numeric / carts, 4)),
        ('checkout_users', checkouts), ('checkout_abandonment_rate', round(checkout_lost::numeric / checkouts, 4)),
        ('viewers', viewers), ('view_to_purchase_rate', round(viewers_paid::numeric / viewers, 4))) v(metric, value)$q$, members)
  USING days;
END $$;
SELECT d.k, w.days,
       (SELECT value FROM cohort.cohort_metrics(d.definition, 'rep.de', 'rep.dc', '2026-03-10 15:00+00', w.days) WHERE metric = 'users') AS users,
       (SELECT value FROM cohort.cohort_metrics(d.definition, 'rep.de', 'rep.dc', '2026-03-10 15:00+00', w.days) WHERE metric = 'orders') > 0 AS some_orders,
       (SELECT count(*) FROM (
          (SELECT * FROM cohort.cohort_metrics(d.definition, 'rep.de', 'rep.dc', '2026-03-10 15:00+00', w.days)
           EXCEPT SELECT * FROM rep.metrics_sql(d.members_sql, w.days))
          UNION ALL
          (SELECT * FROM rep.metrics_sql(d.members_sql, w.days)
           EXCEPT SELECT * FROM cohort.cohort_metrics(d.definition, 'rep.de', 'rep.dc', '2026-03-10 15:00+00', w.days))) x) AS differences
  FROM rep.defs d, LATERAL (SELECT DISTINCT v.x FROM (VALUES (NULL::int), (d.days)) v(x)) w(days)
 ORDER BY 1, 2;
CREATE FUNCTION rep.breakdown_sql(members text, attribute text, days int)
  RETURNS TABLE (value text, users bigint, share numeric, revenue numeric) LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH m AS (SELECT DISTINCT user_id FROM (%s) x),
    r AS (SELECT user_id, sum(price) AS revenue FROM rep.de
           WHERE event = 'payment_successful' AND ts <= '2026-03-10 15:00+00'
             AND ($1 IS NULL OR ts >= timestamptz '2026-03-10 15:00+00' - make_interval(days => $1)) GROUP BY user_id)
    SELECT c.%I::text, count(*), round(count(*)::numeric / (SELECT count(*) FROM m), 4), coalesce(sum(r.revenue), 0)
      FROM m JOIN rep.dc c USING (user_id) LEFT JOIN r USING (user_id) GROUP BY 1$q$, members, attribute)
  USING days;
END $$;
SELECT d.k, a.attribute,
       (SELECT count(*) FROM cohort.breakdown(d.definition, 'rep.de', 'rep.dc', a.attribute, '2026-03-10 15:00+00', d.days)) AS report_rows,
       (SELECT count(*) FROM (
          (SELECT * FROM cohort.breakdown(d.definition, 'rep.de', 'rep.dc', a.attribute, '2026-03-10 15:00+00', d.days)
           EXCEPT SELECT * FROM rep.breakdown_sql(d.members_sql, a.attribute, d.days))
          UNION ALL
          (SELECT * FROM rep.breakdown_sql(d.members_sql, a.attribute, d.days)
           EXCEPT SELECT * FROM cohort.breakdown(d.definition, 'rep.de', 'rep.dc', a.attribute, '2026-03-10 15:00+00', d.days))) x) AS differences
  FROM rep.defs d, (VALUES ('city'), ('age')) a(attribute)
 ORDER BY 1, 2;

-- tiers and spend_tiers: the rules written directly; spend_tiers counts the customers with a
-- strictly larger spend instead of ranking.
CREATE VIEW rep.dspend AS
SELECT c.user_id,
       coalesce(c.email_opens, 0) * 0.3 + coalesce(c.website_visits, 0) * 0.4 + coalesce(c.total_purchases, 0) * 0.3 AS score,
       coalesce((SELECT sum(price) FROM rep.de e WHERE e.user_id = c.user_id AND e.event = 'payment_successful'
                    AND e.ts <= '2026-03-10 15:00+00' AND e.ts >= timestamptz '2026-03-10 15:00+00' - interval '365 days'), 0) AS spend,
       (SELECT count(*) FROM rep.de e WHERE e.user_id = c.user_id AND e.event = 'payment_successful'
           AND e.ts <= '2026-03-10 15:00+00' AND e.ts >= timestamptz '2026-03-10 15:00+00' - interval '365 days') AS n,
       date '2026-03-10' - (SELECT max(ts) FROM rep.de e WHERE e.user_id = c.user_id AND e.event = 'payment_successful'
                               AND e.ts <= '2026-03-10 15:00+00')::date AS days_since
  FROM rep.dc c;
SELECT t.label,
       (SELECT count(*) FROM cohort.tiers('rep.de', 'rep.dc', '2026-03-10 15:00+00', t.ps, t.pn, 'high', t.gs, t.gn, 'medium', t.ss, t.rd)
         WHERE tier <> 'none') AS tiered,
       (SELECT count(*) FROM (
          (SELECT * FROM cohort.tiers('rep.de', 'rep.dc', '2026-03-10 15:00+00', t.ps, t.pn, 'high', t.gs, t.gn, 'medium', t.ss, t.rd)
           EXCEPT
           SELECT user_id,
                  CASE WHEN spend >= t.ps AND n >= t.pn AND score >= 20 THEN 'platinum'
                       WHEN spend >= t.gs AND n >= t.gn AND score >= 10 THEN 'gold'
                       WHEN spend >= t.ss AND days_since <= t.rd THEN 'silver' ELSE 'none' END,
                  spend, n, CASE WHEN score >= 20 THEN 'high' WHEN score >= 10 THEN 'medium' ELSE 'low' END, days_since
             FROM rep.dspend)) x) AS differences,
       (SELECT count(*) FROM cohort.tiers('rep.de', 'rep.dc', '2026-03-10 15:00+00', t.ps, t.pn, 'high', t.gs, t.gn, 'medium', t.ss, t.rd))
         = (SELECT count(*) FROM rep.dc) AS every_customer
  FROM (VALUES ('defaults', 15000, 5, 7000, 3, 2000, 90), ('lower', 8000, 3, 3000, 2, 1000, 30)) t(label, ps, pn, gs, gn, ss, rd)
 ORDER BY 1;
SELECT s.label,
       (SELECT string_agg(tier || ' ' || n, ', ' ORDER BY tier) FROM (
          SELECT tier, count(*) AS n FROM cohort.spend_tiers('rep.de', 'rep.dc', '2026-03-10 15:00+00', s.p, s.g, s.s) GROUP BY tier) x) AS tiers,
       (SELECT count(*) FROM (
          SELECT * FROM cohort.spend_tiers('rep.de', 'rep.dc', '2026-03-10 15:00+00', s.p, s.g, s.s)
          EXCEPT
          SELECT d.user_id,
                 CASE WHEN d.spend <= 0 THEN 'none'
                      WHEN a.above < s.p * t.total THEN 'platinum'
                      WHEN a.above < (s.p + s.g) * t.total THEN 'gold'
                      WHEN a.above < (s.p + s.g + s.s) * t.total THEN 'silver' ELSE 'none' END,
                 d.spend, a.above + 1
            FROM rep.dspend d, LATERAL (SELECT count(*) AS above FROM rep.dspend o WHERE o.spend > d.spend) a,
                 (SELECT count(*) AS total FROM rep.dc) t) x) AS differences
  FROM (VALUES ('5/15/30', 0.05, 0.15, 0.30), ('10/10/10', 0.10, 0.10, 0.10)) s(label, p, g, s)
 ORDER BY 1;

-- Templates over the generated data: members equal the plain-SQL rules.
SELECT cohort.set_sources('rep.de', 'rep.dc');
SELECT count(cohort.create_from_template(t.name, 'diff ' || t.name)) AS created FROM cohort.templates t;
SELECT t.name, (SELECT count(*) FROM cohort.members(c.id, '2026-03-10 15:00+00')) AS members
  FROM cohort.templates t JOIN cohort.cohorts c ON c.name = 'diff ' || t.name AND c.is_active
 ORDER BY t.name;
CREATE VIEW rep.dwin AS
SELECT c.user_id, s.score, s.spend, s.n,
       (SELECT count(*) FROM rep.de e WHERE e.user_id = c.user_id AND e.event = x.ev AND e.ts <= '2026-03-10 15:00+00'
           AND e.ts >= timestamptz '2026-03-10 15:00+00' - make_interval(days => x.d)) AS cnt,
       (SELECT coalesce(sum(price), 0) FROM rep.de e WHERE e.user_id = c.user_id AND e.event = x.ev AND e.ts <= '2026-03-10 15:00+00'
           AND e.ts >= timestamptz '2026-03-10 15:00+00' - make_interval(days => x.d)) AS total,
       x.ev, x.d
  FROM rep.dc c JOIN rep.dspend s USING (user_id),
       (VALUES ('cart_added', 30), ('checkout_started', 30), ('product_viewed', 30), ('payment_successful', 30),
               ('payment_successful', 90), ('payment_successful', 365)) x(ev, d);
CREATE FUNCTION rep.w(u bigint, ev text, d int) RETURNS rep.dwin LANGUAGE sql AS
  $$ SELECT * FROM rep.dwin WHERE user_id = u AND ev = $2 AND d = $3 $$;
-- The templates' rules, one per template, written directly.
CREATE FUNCTION rep.rule(template text, u bigint) RETURNS boolean LANGUAGE sql AS $$
  SELECT CASE template
    WHEN 'High Value Abandoned Cart' THEN (rep.w(u, 'cart_added', 30)).total >= 3000 AND (rep.w(u, 'payment_successful', 30)).cnt = 0
    WHEN 'Checkout Abandoners' THEN (rep.w(u, 'checkout_started', 30)).cnt >= 1 AND (rep.w(u, 'payment_successful', 30)).cnt = 0
    WHEN 'Browser Non-Purchasers' THEN (rep.w(u, 'product_viewed', 30)).cnt >= 10 AND (rep.w(u, 'payment_successful', 30)).cnt = 0
    WHEN 'High-Value Win-Back' THEN (rep.w(u, 'payment_successful', 365)).total >= 10000 AND (rep.w(u, 'payment_successful', 90)).cnt = 0
    WHEN 'Platinum' THEN (rep.w(u, 'payment_successful', 365)).total >= 15000 AND (rep.w(u, 'payment_successful', 365)).cnt >= 5
                         AND (rep.w(u, 'payment_successful', 365)).score >= 20
    WHEN 'Gold' THEN (rep.w(u, 'payment_successful', 365)).total >= 7000 AND (rep.w(u, 'payment_successful', 365)).cnt >= 3
                     AND (rep.w(u, 'payment_successful', 365)).score >= 10
    WHEN 'Silver' THEN (rep.w(u, 'payment_successful', 365)).total >= 2000 AND (rep.w(u, 'payment_successful', 90)).cnt >= 1
  END
$$;
SELECT t.name,
       (SELECT count(*) FROM (
          (SELECT m.user_id FROM cohort.members(c.id, '2026-03-10 15:00+00') m
           EXCEPT SELECT d.user_id FROM rep.dc d WHERE rep.rule(t.name, d.user_id))
          UNION ALL
          (SELECT d.user_id FROM rep.dc d WHERE rep.rule(t.name, d.user_id)
           EXCEPT SELECT m.user_id FROM cohort.members(c.id, '2026-03-10 15:00+00') m)) x) AS differences
  FROM cohort.templates t JOIN cohort.cohorts c ON c.name = 'diff ' || t.name AND c.is_active
 ORDER BY t.name;
-- Platinum and Gold templates against tiers(): Platinum = the platinum tier, Gold = platinum or gold.
SELECT (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.members((SELECT id FROM cohort.cohorts WHERE name = 'diff Platinum'), '2026-03-10 15:00+00'))
       IS NOT DISTINCT FROM
       (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.tiers('rep.de', 'rep.dc', '2026-03-10 15:00+00') WHERE tier = 'platinum')
         AS platinum_equal,
       (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.members((SELECT id FROM cohort.cohorts WHERE name = 'diff Gold'), '2026-03-10 15:00+00'))
       IS NOT DISTINCT FROM
       (SELECT array_agg(user_id ORDER BY user_id) FROM cohort.tiers('rep.de', 'rep.dc', '2026-03-10 15:00+00') WHERE tier IN ('platinum', 'gold'))
         AS gold_equal;

-- Clean up.
SELECT count(*) AS purged FROM (SELECT cohort.purge(id) FROM cohort.cohorts WHERE owner = CURRENT_USER) p;
DELETE FROM cohort.sources WHERE owner = CURRENT_USER;
RESET ROLE;
RESET TimeZone;
DROP SCHEMA rep CASCADE;
DROP ROLE regress_cohort_rita;
