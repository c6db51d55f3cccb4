-- Benchmark data: :users customers and :events events over two years ending at as_of
-- '2026-06-30 12:00+00', skewed activity (a few users produce most events), an e-commerce mix.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
-- Commits wait for their WAL (the cluster runs with synchronous_commit = off): VACUUM below can only
-- mark a page all-visible, as autovacuum leaves a settled table, once its rows' commit is flushed.
SET synchronous_commit = on;
SELECT setseed(0.31);
DROP VIEW IF EXISTS events_view, events_executor_view;
DROP TABLE IF EXISTS events, events_by_time, events_by_month, customers;
CREATE TABLE customers (
  user_id bigint PRIMARY KEY, city text, age_group text, gender text, age int,
  total_purchases int, avg_order_value numeric(10,2), days_since_last_purchase int,
  email_opens int, website_visits int, churn_score float8, risk_level text);
INSERT INTO customers
SELECT u,
       (ARRAY['Mumbai','Delhi','Bengaluru','Hyderabad','Chennai','Kolkata','Pune','Ahmedabad','Jaipur','Lucknow'])[1 + (u * 7) % 10],
       (ARRAY['18-25','26-35','36-45','46-55','56+'])[1 + (u * 3) % 5],
       (ARRAY['Female','Male'])[1 + u % 2],
       18 + (random() * 55)::int, (random() * 60)::int, round((random() * 5000)::numeric, 2),
       (random() * 400)::int, (random() * 60)::int, (random() * 60)::int, round(random()::numeric, 3)::float8,
       (ARRAY['low','low','medium','high'])[1 + (random() * 3)::int]
FROM generate_series(1, :users) u;
CREATE TABLE events (user_id bigint, event text, ts timestamptz, price numeric(12,2), category text);
INSERT INTO events
SELECT 1 + floor(:users * power(random(), 1.7))::bigint,
       e,
       '2026-06-30 12:00+00'::timestamptz - random() * interval '730 days',
       CASE WHEN e IN ('cart_added', 'payment_successful') THEN (100 + floor(random() * random() * 12000))::numeric END,
       (ARRAY['electronics','fashion','books','home','beauty','sports','toys','grocery'])[1 + floor(random() * 8)::int]
FROM (SELECT CASE WHEN r < 0.55 THEN 'product_viewed' WHEN r < 0.75 THEN 'cart_added'
                  WHEN r < 0.85 THEN 'checkout_started' WHEN r < 0.93 THEN 'payment_successful'
                  WHEN r < 0.97 THEN 'product_searched' ELSE 'wishlist_added' END AS e
        FROM (SELECT random() AS r FROM generate_series(1, :events)) g) s;
-- The same rows in time order, as an append-only events table fills, with a BRIN index on ts
-- (cases 7 to 9: both cohort and the planner can skip the pages before a window).
DROP TABLE IF EXISTS events_by_time;
CREATE TABLE events_by_time AS SELECT * FROM events ORDER BY ts;
CREATE INDEX events_by_time_ts ON events_by_time USING brin (ts);
-- The same rows again in monthly partitions, each filled in time order (cases 14 to 16: cohort
-- leaves out the partitions wholly before its earliest window, the planner those the hand SQL's
-- own ts bounds rule out).
DROP TABLE IF EXISTS events_by_month;
CREATE TABLE events_by_month (LIKE events) PARTITION BY RANGE (ts);
DO $$
DECLARE m timestamptz;
BEGIN
  FOR m IN SELECT generate_series('2024-06-01 00:00+00'::timestamptz, '2026-06-01 00:00+00', interval '1 month') LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF events_by_month FOR VALUES FROM (%L) TO (%L)',
                   'events_' || to_char(m, 'YYYY_MM'), m, m + interval '1 month');
  END LOOP;
END $$;
INSERT INTO events_by_month SELECT * FROM events_by_time;
VACUUM (ANALYZE) events;
VACUUM (ANALYZE) events_by_time;
VACUUM (ANALYZE) events_by_month;
VACUUM (ANALYZE) customers;
SELECT pg_size_pretty(pg_table_size('events')) AS events_size, (SELECT count(*) FROM events) AS events,
       (SELECT count(*) FROM customers) AS customers,
       (SELECT round(100.0 * relallvisible / greatest(relpages, 1), 1) FROM pg_class WHERE oid = 'events'::regclass)
         AS events_all_visible_pct;
