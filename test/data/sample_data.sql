-- Sample data for cohort: an Indian e-commerce shop's customers and two years of events.
--
--   psql -X -v ON_ERROR_STOP=1 -f test/data/sample_data.sql            -- 2000 customers, ~60000 events
--   psql -X -v ON_ERROR_STOP=1 -v scale=10 -f test/data/sample_data.sql -- 20000 customers, ~600000 events
--
-- Creates (replacing) public.customers and public.events. The data is deterministic for a given
-- scale (setseed, no parallel query) and ends at as_of (psql variable, default '2026-06-30 12:00+00'):
-- every event has ts <= as_of and ts > as_of - 730 days. Activity is skewed (log-normal session
-- counts, ~30% of customers churned months before as_of), sessions follow the funnel
-- product_viewed -> cart_added -> checkout_started -> payment_successful, prices are whole rupees
-- (so float8 sums are exact), and the customers' attributes are derived from their events
-- (total_purchases, avg_order_value, days_since_last_purchase) plus noise, with some NULLs.
-- About 2% of the event users are guests without a customers row, and about 5% of the customers
-- never produced an event.

\if :{?scale}
\else
\set scale 1
\endif
\if :{?as_of}
\else
\set as_of '2026-06-30 12:00+00'
\endif

SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET TimeZone = 'UTC';

BEGIN;

DROP TABLE IF EXISTS public.events;
DROP TABLE IF EXISTS public.customers;

CREATE TABLE public.customers (
  user_id                  bigint PRIMARY KEY,
  name                     text NOT NULL,
  email                    text,
  phone_number             text,
  city                     text,
  age_group                text,
  gender                   text,
  signup_date              date,
  age                      int,
  total_purchases          int,
  avg_order_value          numeric(10,2),
  days_since_last_purchase int,
  email_opens              int,
  website_visits           int,
  churn_score              float8,
  risk_level               text
);

CREATE TABLE public.events (
  user_id  bigint,
  event    text NOT NULL,
  ts       timestamptz NOT NULL,
  price    numeric(12,2),
  category text,
  sku_id   text,
  brand    text
);

SELECT setseed(0.4242) IS NULL AS seeded \gset

-- One row per user: customers 1..2000*scale, guests (events only) above that. Every random
-- draw happens in single scans like this one, so the data does not depend on join plans.
CREATE TEMP TABLE gen_users ON COMMIT DROP AS
SELECT u.id,
       u.id <= 2000 * :scale AS is_customer,
       -- sessions: log-normal (Box-Muller), median ~6, mean ~10, long tail; ~5% of customers never active
       CASE WHEN u.id <= 2000 * :scale AND random() < 0.05 THEN 0
            ELSE least(400, greatest(1, round(exp(1.83 + 1.0 * sqrt(-2 * ln(1 - random()))
                                                   * cos(2 * pi() * random())))))::int
       END AS sessions,
       -- signup: mostly before the window, the rest spread over it
       (:'as_of'::timestamptz
          - make_interval(days => (30 + floor(power(random(), 0.7) * 1000))::int)) AS signup_ts,
       -- churned users stop 60..600 days before as_of
       CASE WHEN random() < 0.30 THEN (60 + floor(random() * 540))::int ELSE 0 END AS churn_gap,
       (ARRAY['electronics','fashion','home','beauty','grocery','books','sports','toys'])
         [1 + floor(random() * 8)::int] AS favourite,
       (ARRAY['Aarav','Vivaan','Aditya','Vihaan','Arjun','Sai','Reyansh','Krishna','Ishaan',
              'Rohan','Kabir','Rahul','Amit','Sanjay','Vikram','Ananya','Diya','Aadhya','Saanvi',
              'Priya','Kavya','Isha','Meera','Pooja','Neha','Lakshmi','Divya','Sneha','Riya',
              'Fatima','Zoya','Imran','Harpreet','Gurpreet','Suresh','Ramesh','Deepika','Anjali'])
         [1 + floor(random() * 38)::int] AS first_name,
       (ARRAY['Sharma','Verma','Gupta','Singh','Kumar','Patel','Shah','Reddy','Rao','Iyer',
              'Nair','Menon','Das','Banerjee','Chatterjee','Mukherjee','Joshi','Kulkarni',
              'Deshpande','Pillai','Khan','Ali','Gill','Sandhu','Agarwal','Jain','Mehta',
              'Bose','Naidu','Chopra'])[1 + floor(random() * 30)::int] AS last_name,
       CASE WHEN random() < 0.04 THEN NULL
            ELSE '+91' || (ARRAY['9','8','7','6'])[1 + floor(random() * 4)::int]
                       || lpad(floor(random() * 1e9)::bigint::text, 9, '0') END AS phone,
       (ARRAY['Mumbai','Mumbai','Mumbai','Delhi','Delhi','Delhi','Bengaluru','Bengaluru','Bengaluru',
              'Hyderabad','Hyderabad','Chennai','Chennai','Kolkata','Kolkata','Pune','Pune',
              'Ahmedabad','Jaipur','Lucknow','Kochi','Chandigarh','Indore','Surat','Bhopal',
              'Nagpur','Coimbatore','Visakhapatnam'])[1 + floor(random() * 28)::int] AS city,
       (ARRAY['Female','Male','Female','Male','Other'])[1 + floor(random() * 4.1)::int] AS gender,
       CASE WHEN random() < 0.03 THEN NULL
            ELSE least(75, greatest(18, round(34 + 10 * sqrt(-2 * ln(1 - random()))
                                                     * cos(2 * pi() * random()))))::int END AS age,
       random() AS r_opens, random() AS r_opens2, random() AS r_visits, random() AS r_visits2,
       random() AS r_churn, random() AS r_null
FROM generate_series(1, (2000 * :scale + 40 * :scale)::int) AS u(id);

-- Sessions: one product each, placed uniformly in the user's active period.
CREATE TEMP TABLE gen_sessions ON COMMIT DROP AS
SELECT s.user_id, s.n, s.ts, s.category,
       (CASE s.category
          WHEN 'electronics' THEN ARRAY['Apple','Samsung','OnePlus','Xiaomi','Sony','boAt','Lenovo','HP']
          WHEN 'fashion'     THEN ARRAY['Fabindia','Biba','Manyavar','Levi''s','Puma','Nike','W','Allen Solly']
          WHEN 'home'        THEN ARRAY['Prestige','Pigeon','Milton','Bajaj','Havells','Borosil']
          WHEN 'beauty'      THEN ARRAY['Lakme','Nykaa','Mamaearth','Himalaya','Biotique','Forest Essentials']
          WHEN 'grocery'     THEN ARRAY['Tata','Aashirvaad','Amul','Fortune','Haldiram''s','MDH']
          WHEN 'books'       THEN ARRAY['Penguin','HarperCollins','Rupa','Westland','Arihant']
          WHEN 'sports'      THEN ARRAY['Decathlon','Yonex','Cosco','Nivia','SG','Adidas']
          ELSE                    ARRAY['Funskool','Lego','Hot Wheels','Mattel','Hasbro']
        END)[1 + floor(random() * 5)::int] AS brand,
       'SKU' || lpad((1 + floor(random() * 5000))::int::text, 5, '0') AS sku_id,
       -- whole rupees, log-normal around a category-specific level
       greatest(49, round(exp(ln(CASE s.category
                                   WHEN 'electronics' THEN 9000 WHEN 'fashion' THEN 1500
                                   WHEN 'home' THEN 1800 WHEN 'beauty' THEN 600
                                   WHEN 'grocery' THEN 400 WHEN 'books' THEN 350
                                   WHEN 'sports' THEN 1600 ELSE 900 END)
                              + 0.6 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))))::numeric(12,2)
         AS price,
       1 + floor(random() * 3)::int AS views,
       random() AS funnel
FROM (
  SELECT u.id AS user_id, g.n,
         greatest(u.signup_ts, :'as_of'::timestamptz - interval '730 days')
           + random() * ((:'as_of'::timestamptz - make_interval(days => u.churn_gap))
                         - greatest(u.signup_ts, :'as_of'::timestamptz - interval '730 days'))
           AS ts,
         CASE WHEN random() < 0.55 THEN u.favourite
              ELSE (ARRAY['electronics','fashion','home','beauty','grocery','books','sports','toys'])
                     [1 + floor(random() * 8)::int]
         END AS category
  FROM gen_users u
  CROSS JOIN LATERAL generate_series(1, u.sessions) AS g(n)
) s;

-- The funnel: 1-3 views, then cart (40%), checkout (60% of carts), payment (75% of checkouts).
INSERT INTO public.events (user_id, event, ts, price, category, sku_id, brand)
SELECT user_id, 'product_viewed', ts + make_interval(secs => 40 * v), price, category, sku_id, brand
FROM gen_sessions CROSS JOIN LATERAL generate_series(0, views - 1) AS v
UNION ALL
SELECT user_id, 'product_searched', ts - interval '1 minute', NULL, category, NULL, NULL
FROM gen_sessions WHERE funnel > 0.80
UNION ALL
SELECT user_id, 'wishlist_added', ts + interval '3 minutes', price, category, sku_id, brand
FROM gen_sessions WHERE funnel BETWEEN 0.60 AND 0.66
UNION ALL
SELECT user_id, 'cart_added', ts + interval '5 minutes', price, category, sku_id, brand
FROM gen_sessions WHERE funnel < 0.40
UNION ALL
SELECT user_id, 'checkout_started', ts + interval '9 minutes', price, category, sku_id, brand
FROM gen_sessions WHERE funnel < 0.24
UNION ALL
SELECT user_id, 'payment_successful', ts + interval '12 minutes', price, category, sku_id, brand
FROM gen_sessions WHERE funnel < 0.18
UNION ALL
SELECT user_id, 'refund_requested', ts + interval '5 days', price, category, sku_id, brand
FROM gen_sessions WHERE funnel < 0.006;

-- Keep every event inside (as_of - 730 days, as_of].
DELETE FROM public.events WHERE ts > :'as_of'::timestamptz;

-- Customers: behaviour derived from the events, plus the noise drawn above.
CREATE TEMP TABLE gen_behaviour ON COMMIT DROP AS
SELECT user_id,
       count(*) FILTER (WHERE event = 'payment_successful')::int AS purchases,
       round(avg(price) FILTER (WHERE event = 'payment_successful'), 2) AS aov,
       ((:'as_of'::timestamptz)::date - (max(ts) FILTER (WHERE event = 'payment_successful'))::date) AS days_since,
       count(*) FILTER (WHERE event = 'product_viewed') AS views,
       ((:'as_of'::timestamptz)::date - max(ts)::date) AS days_idle
FROM public.events GROUP BY user_id;

INSERT INTO public.customers
SELECT u.id,
       u.first_name || ' ' || u.last_name,
       lower(u.first_name || '.' || u.last_name || u.id) || '@example.in',
       u.phone,
       u.city,
       CASE WHEN u.age IS NULL THEN NULL
            WHEN u.age <= 25 THEN '18-25' WHEN u.age <= 35 THEN '26-35'
            WHEN u.age <= 45 THEN '36-45' WHEN u.age <= 55 THEN '46-55' ELSE '56+' END,
       u.gender,
       u.signup_ts::date,
       u.age,
       coalesce(b.purchases, 0),
       b.aov,
       b.days_since,
       CASE WHEN u.r_null < 0.05 THEN NULL
            ELSE round(coalesce(b.views, 0) * 0.25 * u.r_opens + 20 * u.r_opens2 * u.r_opens)::int END,
       CASE WHEN u.r_null BETWEEN 0.05 AND 0.10 THEN NULL
            ELSE round(coalesce(b.views, 0) * (0.4 + 0.4 * u.r_visits) + 3 * u.r_visits2)::int END,
       c.churn,
       CASE WHEN c.churn IS NULL OR u.r_null BETWEEN 0.10 AND 0.13 THEN NULL
            WHEN c.churn >= 0.7 THEN 'high' WHEN c.churn >= 0.4 THEN 'medium' ELSE 'low' END
FROM gen_users u
LEFT JOIN gen_behaviour b ON b.user_id = u.id
CROSS JOIN LATERAL (
  SELECT CASE WHEN u.r_null BETWEEN 0.13 AND 0.15 THEN NULL
              ELSE round(least(0.99, greatest(0.01, coalesce(b.days_idle, 700) / 420.0
                                                    + 0.25 * (u.r_churn - 0.5)))::numeric, 3)::float8
         END AS churn
) c
WHERE u.is_customer
ORDER BY u.id;

COMMIT;

CREATE INDEX events_user_id_idx ON public.events (user_id);
CREATE INDEX events_ts_idx ON public.events (ts);
ANALYZE public.customers;
ANALYZE public.events;

RESET client_min_messages;
RESET max_parallel_workers_per_gather;
RESET TimeZone;
