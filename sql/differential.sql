--
-- Differential test: cohort.evaluate() against an independent plain-SQL translation of the same
-- definitions (README "Cohort definitions" and "Evaluation semantics"), over random definitions
-- in all three input forms and their mixtures, plus the aggregates against plain SQL, serially
-- and in parallel. Everything is deterministic (setseed); only aggregate lines are printed, and
-- a failing definition is printed in full so that it shows in regression.diffs.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS cohort;
DROP SCHEMA IF EXISTS diff CASCADE;
RESET client_min_messages;
CREATE SCHEMA diff;
-- Windows are calendar days in the session time zone; the two as_of values below sit just after
-- the US daylight-saving changes, so 7/30/90/365-day windows are not multiples of 24 hours.
SET TimeZone = 'America/New_York';
SET extra_float_digits = 1;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE diff.as_of (k int PRIMARY KEY, t timestamptz NOT NULL);
INSERT INTO diff.as_of VALUES (1, '2025-11-03 12:00:00+00'), (2, '2026-03-10 15:00:00+00');
-- ---------------------------------------------------------------------------------------------
-- Data: ~300 users, ~8000 events. Customers 1..290 and 311..320 (plus a NULL user_id row and a
-- second row for user 3); events for users 1..310 (291..310 are not customers, 311..320 never
-- act), NULL attributes and properties, NaN prices, rows with NULL user_id or ts, and events
-- on (and just outside) the window boundaries of both as_of values.
-- ---------------------------------------------------------------------------------------------
SELECT setseed(0.20260630) AS seeded \gset
CREATE TABLE diff.customers (
  user_id                  bigint,
  age                      int,
  total_purchases          int,
  avg_order_value          numeric(10,2),
  days_since_last_purchase int,
  email_opens              int,
  website_visits           int,
  churn_score              float8,
  risk_level               text
);
INSERT INTO diff.customers
SELECT id,
       CASE WHEN random() < 0.08 THEN NULL ELSE 18 + floor(random() * 55)::int END,
       CASE WHEN random() < 0.08 THEN NULL ELSE floor(random() * 25)::int END,
       CASE WHEN random() < 0.10 THEN NULL ELSE (floor(random() * 600000) / 100)::numeric(10,2) END,
       CASE WHEN random() < 0.10 THEN NULL ELSE floor(random() * 500)::int END,
       CASE WHEN random() < 0.08 THEN NULL ELSE floor(random() * 45)::int END,
       CASE WHEN random() < 0.08 THEN NULL ELSE floor(random() * 70)::int END,
       CASE WHEN random() < 0.08 THEN NULL ELSE floor(random() * 1025) / 1024 END,
       (ARRAY['high', 'High', ' low ', 'low', 'LOW', 'medium', 'Medium ', NULL, 'unknown', ''])
         [1 + floor(random() * 10)::int]
FROM (SELECT generate_series(1, 290) UNION ALL SELECT generate_series(311, 320)) AS u(id)
ORDER BY id;
-- engagement exactly at the thresholds (50*0.4 = 20, 25*0.4 = 10), a NULL user_id, a duplicate
UPDATE diff.customers SET email_opens = NULL, website_visits = 50, total_purchases = 0 WHERE user_id = 1;
UPDATE diff.customers SET email_opens = 0, website_visits = 25, total_purchases = NULL WHERE user_id = 2;
UPDATE diff.customers SET email_opens = NULL, website_visits = NULL, total_purchases = NULL WHERE user_id = 4;
INSERT INTO diff.customers VALUES (NULL, 40, 10, 100, 5, 30, 30, 0.5, 'high'),
                                  (3, 41, 11, 101, 6, 31, 31, 0.25, 'LOW');
CREATE TABLE diff.events (
  user_id   bigint,
  event     text,
  ts        timestamptz,
  price     numeric(12,2),
  quantity  smallint,
  points    bigint,
  rating    real,
  category  text,
  brand     text,
  is_mobile boolean
);
INSERT INTO diff.events
SELECT 1 + floor(310 * power(random(), 1.4))::bigint,
       (ARRAY['product_viewed', 'product_viewed', 'product_viewed', 'product_viewed',
              'product_viewed', 'product_viewed', 'cart_added', 'cart_added', 'cart_added',
              'checkout_started', 'checkout_started', 'payment_successful',
              'payment_successful', 'wishlist_added', 'product_searched', 'refund_requested'])
         [1 + floor(random() * 16)::int],
       timestamptz '2024-07-01 00:00:00+00' + random() * interval '730 days',
       CASE WHEN random() < 0.06 THEN NULL
            ELSE (floor(random() * 50) * 100 + floor(random() * 100))::numeric(12,2) END,
       CASE WHEN random() < 0.10 THEN NULL ELSE 1 + floor(random() * 5)::smallint END,
       CASE WHEN random() < 0.10 THEN NULL ELSE floor(random() * 20)::bigint * 50 END,
       CASE WHEN random() < 0.15 THEN NULL ELSE ((1 + floor(random() * 9)) / 2)::real END,
       CASE WHEN random() < 0.07 THEN NULL
            ELSE (ARRAY['electronics', 'fashion', 'home', 'beauty', 'grocery', 'books'])
                   [1 + floor(random() * 6)::int] END,
       CASE WHEN random() < 0.10 THEN NULL
            ELSE (ARRAY['Apple', 'Samsung', 'boAt', 'Puma', 'Lakme', 'Tata', 'Prestige', 'Penguin'])
                   [1 + floor(random() * 8)::int] END,
       CASE WHEN random() < 0.10 THEN NULL ELSE random() < 0.5 END
FROM generate_series(1, 7000);
INSERT INTO diff.events (user_id, event, ts, price, category) VALUES
  (NULL, 'payment_successful', '2025-06-01 10:00+00', 100, 'books'),
  (NULL, 'product_viewed', '2025-10-30 10:00+00', 100, 'books'),
  (NULL, 'cart_added', '2026-03-01 10:00+00', 100, 'books'),
  (5, 'payment_successful', NULL, 100, 'books'),
  (6, 'product_viewed', NULL, 100, 'books'),
  (321, 'payment_successful', NULL, 100, 'books'),
  (7, 'payment_successful', '2025-06-01 10:00+00', 'NaN', 'electronics'),
  (8, 'cart_added', '2025-10-30 10:00+00', 'NaN', 'fashion'),
  (9, 'payment_successful', '2026-03-05 10:00+00', 'NaN', NULL);
-- Boundary events, under their own name so that windows on it are sensitive to them: for users
-- 21..140 and each as_of t and N in (1, 7, 30, 90, 365), some of: exactly t - N days and exactly
-- t (inside), a microsecond outside either end, and halfway between t - N days and t - N*24 hours
-- (inside or outside only by calendar days, where the window crosses a DST change).
INSERT INTO diff.events (user_id, event, ts, price, quantity, category)
SELECT u, 'subscription_renewed', b.ts, 100 * (1 + floor(random() * 9)), 1,
       (ARRAY['electronics', 'books', 'home'])[1 + floor(random() * 3)::int]
FROM generate_series(21, 140) AS u
CROSS JOIN diff.as_of AS a
CROSS JOIN (VALUES (1), (7), (30), (90), (365)) AS n(days)
CROSS JOIN LATERAL (VALUES (a.t - make_interval(days => n.days)),
                           (a.t - make_interval(days => n.days) - interval '1 microsecond'),
                           (a.t - make_interval(days => n.days)
                              + ((a.t - make_interval(hours => 24 * n.days))
                                 - (a.t - make_interval(days => n.days))) / 2),
                           (a.t),
                           (a.t + interval '1 microsecond')) AS b(ts)
WHERE random() < 0.15
ORDER BY u, a.k, n.days, b.ts;
CREATE INDEX ON diff.events (user_id);
ANALYZE diff.customers;
ANALYZE diff.events;
-- the same events through a view with other admissible column types
CREATE VIEW diff.events_narrow AS
SELECT user_id::int AS user_id, event::varchar(40) AS event, ts, price, quantity, points, rating,
       category, brand, is_mobile
FROM diff.events;
SELECT (SELECT count(*) FROM diff.customers) AS customers_rows,
       (SELECT count(*) FROM diff.events) AS events_rows,
       (SELECT count(DISTINCT user_id) FROM diff.events) AS event_users;
-- ---------------------------------------------------------------------------------------------
-- Random definitions
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION diff.ri(n int) RETURNS int LANGUAGE sql VOLATILE
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT floor(random() * n)::int $$;
CREATE FUNCTION diff.pick(a anyarray) RETURNS anyelement LANGUAGE sql VOLATILE
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT a[1 + floor(random() * cardinality(a))::int] $$;
-- A number as JSON: shortest float8 text (integers without a fraction).
CREATE FUNCTION diff.num(x float8) RETURNS jsonb LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT x::text::jsonb $$;
-- A behavioural condition in a neutral shape:
-- {event, agg, prop (absent: count(*)), op, value, days (absent: all time), where (optional)}.
CREATE FUNCTION diff.gen_behaviour() RETURNS jsonb LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ev   text := diff.pick(ARRAY['product_viewed', 'product_viewed', 'cart_added', 'cart_added',
                               'checkout_started', 'payment_successful', 'payment_successful',
                               'wishlist_added', 'refund_requested', 'app_uninstalled',
                               'subscription_renewed', 'subscription_renewed']);
  agg  text := diff.pick(ARRAY['count', 'count', 'count', 'sum', 'sum', 'avg', 'min', 'max',
                               'count_distinct']);
  prop text;
  op   text := diff.pick(ARRAY['>=', '>', '<=', '<', '=', '==', '!=', '<>', 'between']);
  days int := diff.pick(ARRAY[NULL, NULL, NULL, 7, 30, 30, 90, 90, 365, 365, 1, 36600]::int[]);
  v1   float8;
  v2   float8;
  b    jsonb;
  w    jsonb;
  r    float8;
BEGIN
  IF agg = 'count' THEN
    prop := diff.pick(ARRAY[NULL, NULL, NULL, 'price', 'quantity', 'category', 'is_mobile']);
  ELSIF agg = 'count_distinct' THEN
    prop := diff.pick(ARRAY['category', 'brand', 'price', 'quantity', 'points', 'rating', 'is_mobile']);
  ELSE
    prop := diff.pick(ARRAY['price', 'price', 'price', 'quantity', 'points', 'rating']);
  END IF;
  -- a threshold on the scale of the aggregate, often a value that occurs in the data
  IF agg IN ('count', 'count_distinct') THEN
    v1 := diff.ri(CASE WHEN ev = 'product_viewed' AND days IS NULL THEN 40 ELSE 6 END);
    v2 := v1 + diff.ri(5);
  ELSIF agg = 'sum' THEN
    v1 := CASE prop WHEN 'price' THEN diff.ri(50) * 1000 WHEN 'quantity' THEN diff.ri(30)
                    WHEN 'points' THEN diff.ri(40) * 100 ELSE diff.ri(40) * 0.5 END;
    IF random() < 0.15 THEN v1 := 0; END IF;
    v2 := v1 * (1 + random() * 3);
  ELSE
    IF random() < 0.5 THEN
      EXECUTE format('SELECT (%I)::float8 FROM diff.events WHERE %I IS NOT NULL AND NOT (%I)::float8 = ''NaN''
                      ORDER BY user_id, ts, %I OFFSET %s LIMIT 1', prop, prop, prop, prop, diff.ri(7000))
        INTO v1;
    END IF;
    v1 := coalesce(v1, CASE prop WHEN 'price' THEN diff.ri(50) * 100 WHEN 'quantity' THEN 1 + diff.ri(5)
                                 WHEN 'points' THEN diff.ri(20) * 50 ELSE diff.ri(10) * 0.5 END);
    v2 := v1 + CASE prop WHEN 'price' THEN diff.ri(30) * 100 WHEN 'quantity' THEN diff.ri(3)
                         WHEN 'points' THEN diff.ri(10) * 50 ELSE diff.ri(4) * 0.5 END;
  END IF;
  b := jsonb_build_object('event', ev, 'agg', agg, 'op', op,
                          'value', CASE WHEN op = 'between' THEN jsonb_build_array(diff.num(v1), diff.num(v2))
                                        ELSE diff.num(v1) END);
  IF prop IS NOT NULL THEN b := b || jsonb_build_object('prop', prop); END IF;
  IF days IS NOT NULL THEN b := b || jsonb_build_object('days', days); END IF;
  r := random();
  IF r < 0.22 THEN
    w := jsonb_build_object('category', diff.pick(ARRAY['electronics', 'fashion', 'home', 'beauty', 'grocery', 'books', 'toys']));
  ELSIF r < 0.32 THEN
    w := jsonb_build_object('category', jsonb_build_array(diff.pick(ARRAY['electronics', 'fashion', 'home']),
                                                          diff.pick(ARRAY['beauty', 'grocery', 'books', 'home'])));
  ELSIF r < 0.36 THEN
    w := jsonb_build_object('is_mobile', random() < 0.5);
  ELSIF r < 0.40 THEN
    w := jsonb_build_object('quantity', jsonb_build_array(1 + diff.ri(5), '2.0'::jsonb));
  ELSIF r < 0.43 THEN
    w := jsonb_build_object('brand', jsonb_build_array('Apple', diff.pick(ARRAY['Samsung', 'boAt', 'Puma', 'Tata'])),
                            'category', jsonb_build_array('electronics', 'fashion', 'grocery'));
  ELSIF r < 0.45 THEN
    w := jsonb_build_object('points', diff.ri(20) * 50);
  ELSIF r < 0.47 THEN
    w := jsonb_build_object('rating', jsonb_build_array(diff.num((1 + diff.ri(9)) / 2.0), diff.num(1 + diff.ri(4))));
  END IF;
  IF w IS NOT NULL THEN b := b || jsonb_build_object('where', w); END IF;
  RETURN b;
END
$$;
-- The behaviour as a seed condition (form 1), without "logic".
CREATE FUNCTION diff.seed_condition(b jsonb) RETURNS jsonb LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  c jsonb := jsonb_build_object('action', b->'event', 'condition', b->'op', 'value', b->'value');
  r float8 := random();
BEGIN
  IF r < 0.15 THEN c := c || '{"include": true}';
  ELSIF r < 0.35 THEN c := c || '{"include": false}';
  END IF;
  IF b->>'agg' <> 'count' OR random() < 0.6 THEN c := c || jsonb_build_object('operation', b->'agg'); END IF;
  IF b ? 'prop' THEN c := c || jsonb_build_object('property', b->'prop');
  ELSIF random() < 0.6 THEN c := c || '{"property": "events"}';
  END IF;
  IF b ? 'days' THEN c := c || jsonb_build_object('timeframe', b->'days');
  ELSIF random() < 0.5 THEN c := c || '{"timeframe": null}';
  END IF;
  IF b ? 'where' THEN c := c || jsonb_build_object('where', b->'where'); END IF;
  RETURN c;
END
$$;
-- A seed condition list of 1..5 conditions chained by AND/OR (form 1).
CREATE FUNCTION diff.seed_list() RETURNS jsonb LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n int := 1 + diff.ri(5);
  l jsonb := '[]';
  c jsonb;
BEGIN
  FOR i IN 1 .. n LOOP
    c := diff.seed_condition(diff.gen_behaviour());
    IF i < n THEN
      c := c || CASE diff.ri(6) WHEN 0 THEN '{}'::jsonb WHEN 1 THEN '{"logic": "or"}'
                                WHEN 2 THEN '{"logic": "AND"}' WHEN 3 THEN '{"logic": "and"}'
                                ELSE '{"logic": "OR"}' END;
    ELSIF random() < 0.5 THEN
      c := c || '{"logic": null}';
    END IF;
    l := l || jsonb_build_array(c);
  END LOOP;
  RETURN l;
END
$$;
-- The behaviour as a canonical performed leaf (form 3).
CREATE FUNCTION diff.performed() RETURNS jsonb LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  b jsonb := diff.gen_behaviour();
  p jsonb := jsonb_build_object('event', b->'event', 'op', b->'op', 'value', b->'value');
BEGIN
  IF b->>'agg' <> 'count' OR random() < 0.3 THEN p := p || jsonb_build_object('aggregate', b->'agg'); END IF;
  IF b ? 'prop' THEN p := p || jsonb_build_object('property', b->'prop');
  ELSIF random() < 0.2 THEN p := p || '{"property": "events"}';
  END IF;
  IF b ? 'days' THEN p := p || jsonb_build_object('days', b->'days'); END IF;
  IF b ? 'where' THEN p := p || jsonb_build_object('where', b->'where'); END IF;
  RETURN jsonb_build_object('performed', p);
END
$$;
-- Two ordered bounds on the scale of a customers attribute.
CREATE FUNCTION diff.attr_bounds(name text, OUT lo float8, OUT hi float8) LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  s float8 := CASE name WHEN 'age' THEN 60 WHEN 'total_purchases' THEN 25 WHEN 'avg_order_value' THEN 6000
                        WHEN 'days_since_last_purchase' THEN 500 WHEN 'email_opens' THEN 45
                        WHEN 'website_visits' THEN 70 ELSE 1 END;
  a float8;
  b float8;
BEGIN
  IF name = 'avg_order_value' THEN
    a := round((random() * s)::numeric, 2);
    b := round((random() * s)::numeric, 2);
  ELSIF name = 'churn_score' THEN
    a := floor(random() * 1025) / 1024;
    b := floor(random() * 1025) / 1024;
  ELSE
    a := floor(random() * s) + CASE name WHEN 'age' THEN 15 ELSE 0 END;
    b := floor(random() * s) + CASE name WHEN 'age' THEN 15 ELSE 0 END;
  END IF;
  lo := least(a, b);
  hi := greatest(a, b);
END
$$;
-- A customer criteria object (form 2).
CREATE FUNCTION diff.criteria() RETURNS jsonb LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  c jsonb := '{}';
  f text;
  lo float8;
  hi float8;
  rng jsonb;
BEGIN
  IF random() < 0.05 THEN RETURN c; END IF;
  IF random() < 0.35 THEN
    c := c || jsonb_build_object('engagement_level', diff.pick(ARRAY['high', 'medium', 'low', 'low', NULL, '']));
  END IF;
  IF random() < 0.35 THEN
    c := c || jsonb_build_object('churn_risk_level', diff.pick(ARRAY['high', 'medium', 'low', 'low', NULL, '']));
  END IF;
  FOREACH f IN ARRAY ARRAY['age', 'total_purchases', 'avg_order_value', 'days_since_last_purchase',
                           'email_opens', 'website_visits'] LOOP
    CONTINUE WHEN random() >= 0.25;
    SELECT * INTO lo, hi FROM diff.attr_bounds(f);
    CASE diff.ri(6)
      WHEN 0 THEN c := c || jsonb_build_object('min_' || f, diff.num(lo));
      WHEN 1 THEN c := c || jsonb_build_object('max_' || f, diff.num(hi));
      WHEN 2 THEN c := c || jsonb_build_object('min_' || f, diff.num(lo), 'max_' || f, diff.num(hi));
      WHEN 3 THEN c := c || jsonb_build_object('min_' || f, diff.num(lo), 'max_' || f, NULL);
      ELSE
        rng := CASE diff.ri(4) WHEN 0 THEN jsonb_build_object('min', diff.num(lo))
                               WHEN 1 THEN jsonb_build_object('max', diff.num(hi), 'min', NULL)
                               ELSE jsonb_build_object('min', diff.num(lo), 'max', diff.num(hi)) END;
        c := c || jsonb_build_object(f || '_range', rng);
    END CASE;
  END LOOP;
  RETURN c;
END
$$;
-- A canonical attribute leaf over any numeric customers column.
CREATE FUNCTION diff.attribute() RETURNS jsonb LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  f text := diff.pick(ARRAY['age', 'total_purchases', 'avg_order_value', 'days_since_last_purchase',
                            'email_opens', 'website_visits', 'churn_score']);
  lo float8;
  hi float8;
  a jsonb;
BEGIN
  SELECT * INTO lo, hi FROM diff.attr_bounds(f);
  a := jsonb_build_object('name', f);
  CASE diff.ri(3)
    WHEN 0 THEN a := a || jsonb_build_object('min', diff.num(lo));
    WHEN 1 THEN a := a || jsonb_build_object('max', diff.num(hi));
    ELSE a := a || jsonb_build_object('min', diff.num(lo), 'max', diff.num(hi));
  END CASE;
  RETURN jsonb_build_object('attribute', a);
END
$$;
-- A tree node: groups (all/any/not) nesting leaves of every kind and the seed forms.
CREATE FUNCTION diff.node(depth int) RETURNS jsonb LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  r float8 := random();
  kids jsonb := '[]';
BEGIN
  IF depth >= 4 OR (depth > 0 AND r < 0.45) THEN
    r := random();
    RETURN CASE
      WHEN r < 0.40 THEN diff.performed()
      WHEN r < 0.52 THEN diff.seed_condition(diff.gen_behaviour())
      WHEN r < 0.62 THEN diff.seed_list()
      WHEN r < 0.72 THEN diff.criteria()
      WHEN r < 0.84 THEN diff.attribute()
      WHEN r < 0.92 THEN jsonb_build_object('engagement_level', diff.pick(ARRAY['high', 'medium', 'low']))
      ELSE jsonb_build_object('churn_risk_level', diff.pick(ARRAY['high', 'medium', 'low']))
    END;
  END IF;
  r := random();
  IF r < 0.22 THEN
    RETURN jsonb_build_object('not', diff.node(depth + 1));
  END IF;
  FOR i IN 1 .. CASE WHEN random() < 0.05 THEN 0 ELSE 1 + diff.ri(4) END LOOP
    kids := kids || jsonb_build_array(diff.node(depth + 1));
  END LOOP;
  RETURN jsonb_build_object(CASE WHEN r < 0.61 THEN 'all' ELSE 'any' END, kids);
END
$$;
CREATE FUNCTION diff.gen_definition() RETURNS jsonb LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  r float8 := random();
BEGIN
  RETURN CASE WHEN r < 0.30 THEN diff.seed_list()
              WHEN r < 0.42 THEN diff.criteria()
              ELSE diff.node(0) END;
END
$$;
-- ---------------------------------------------------------------------------------------------
-- The independent translator: definition JSON -> SQL over diff.events / diff.customers.
-- Each behavioural leaf becomes one "aggregate FILTER (WHERE ...)" column of a GROUP BY user_id
-- subquery over the events with ts <= as_of ($1); each leaf is coalesce(comparison, false), so
-- the logic is two-valued; count/sum/count_distinct over no events are 0.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION diff.tr_leaf(ev text, agg text, prop text, op text, val jsonb, days int, wh jsonb,
                             INOUT aggs text[], OUT expr text) LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  f   text := format('event = %L', ev);
  a   text;
  x   text;
  col text;
  vs  jsonb;
  txt text[];
BEGIN
  IF days IS NOT NULL THEN
    f := f || format(' AND ts >= $1 - make_interval(days => %s)', days);
  END IF;
  IF wh IS NOT NULL THEN
    FOR col, vs IN SELECT key, value FROM jsonb_each(wh) LOOP
      SELECT array_agg(CASE jsonb_typeof(e) WHEN 'number' THEN ((e #>> '{}')::float8)::text
                                            ELSE e #>> '{}' END)
        INTO txt
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(vs) = 'array' THEN vs
                                       ELSE jsonb_build_array(vs) END) AS e;
      f := f || format(' AND (%I)::text = ANY (%L::text[])', col, txt);
    END LOOP;
  END IF;
  IF prop = 'events' AND agg = 'count' THEN prop := NULL; END IF;
  a := CASE agg
         WHEN 'count' THEN CASE WHEN prop IS NULL THEN 'count(*)' ELSE format('count(%I)', prop) END
         WHEN 'sum' THEN format('sum((%I)::float8)', prop)
         WHEN 'avg' THEN format('avg((%I)::float8)', prop)
         WHEN 'min' THEN format('min((%I)::float8)', prop)
         WHEN 'max' THEN format('max((%I)::float8)', prop)
         WHEN 'count_distinct' THEN format('count(DISTINCT (%I)::text)', prop)
       END;
  IF a IS NULL THEN RAISE EXCEPTION 'translator: unknown aggregate %', agg; END IF;
  aggs := aggs || format('%s FILTER (WHERE %s)', a, f);
  x := format('a.a%s', cardinality(aggs));
  IF agg IN ('count', 'sum', 'count_distinct') THEN x := format('coalesce(%s, 0)', x); END IF;
  expr := CASE op
            WHEN '>=' THEN format('%s >= %s::float8', x, val)
            WHEN '>' THEN format('%s > %s::float8', x, val)
            WHEN '<=' THEN format('%s <= %s::float8', x, val)
            WHEN '<' THEN format('%s < %s::float8', x, val)
            WHEN '=' THEN format('%s = %s::float8', x, val)
            WHEN '==' THEN format('%s = %s::float8', x, val)
            WHEN '!=' THEN format('%s <> %s::float8', x, val)
            WHEN '<>' THEN format('%s <> %s::float8', x, val)
            WHEN 'between' THEN format('%s BETWEEN %s::float8 AND %s::float8', x, val->0, val->1)
          END;
  IF expr IS NULL THEN RAISE EXCEPTION 'translator: unknown operator %', op; END IF;
  expr := format('coalesce(%s, false)', expr);
END
$$;
CREATE FUNCTION diff.tr_range(name text, lo jsonb, hi jsonb) RETURNS text LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT format('coalesce(%s, false)',
                concat_ws(' AND ',
                          CASE WHEN jsonb_typeof(lo) = 'number' THEN format('(c.%I)::float8 >= %s::float8', name, lo) END,
                          CASE WHEN jsonb_typeof(hi) = 'number' THEN format('(c.%I)::float8 <= %s::float8', name, hi) END))
$$;
CREATE FUNCTION diff.tr_level(kind text, level text) RETURNS text LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE kind
    WHEN 'churn_risk_level' THEN format('coalesce(lower(btrim(c.risk_level)) = %L, false)', level)
    ELSE format('coalesce(%s, false)',
                replace(CASE level WHEN 'high' THEN 'S >= 20::float8'
                                   WHEN 'medium' THEN 'S >= 10::float8 AND S < 20::float8'
                                   WHEN 'low' THEN 'S < 10::float8' END,
                        'S', '(coalesce((c.email_opens)::float8, 0) * 0.3::float8'
                             ' + coalesce((c.website_visits)::float8, 0) * 0.4::float8'
                             ' + coalesce((c.total_purchases)::float8, 0) * 0.3::float8)'))
  END
$$;
CREATE FUNCTION diff.tr(j jsonb, INOUT aggs text[], INOUT needs_customers boolean, OUT expr text)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n     int;
  e     text;
  cur   text[] := '{}';
  alts  text[] := '{}';
  parts text[] := '{}';
  k     text;
  f     text;
  lv    text;
  p     jsonb;
BEGIN
  IF jsonb_typeof(j) = 'array' THEN
    -- seed list: "logic" joins a condition to the next, AND binds tighter than OR
    n := jsonb_array_length(j);
    IF n = 0 THEN expr := 'true'; RETURN; END IF;
    FOR i IN 0 .. n - 1 LOOP
      SELECT t.aggs, t.needs_customers, t.expr INTO aggs, needs_customers, e
        FROM diff.tr(j->i, aggs, needs_customers) AS t;
      cur := cur || e;
      IF i = n - 1 OR upper(j->i->>'logic') = 'OR' THEN
        alts := alts || ('(' || array_to_string(cur, ' AND ') || ')');
        cur := '{}';
      END IF;
    END LOOP;
    expr := '(' || array_to_string(alts, ' OR ') || ')';
    RETURN;
  END IF;
  IF j ? 'action' THEN
    SELECT t.aggs, t.expr INTO aggs, expr
      FROM diff.tr_leaf(j->>'action', coalesce(j->>'operation', 'count'), j->>'property',
                        j->>'condition', j->'value', (j->>'timeframe')::int, j->'where', aggs) AS t;
    IF (j->'include') = 'false'::jsonb THEN expr := format('NOT %s', expr); END IF;
    RETURN;
  END IF;
  IF (SELECT count(*) FROM jsonb_object_keys(j)) = 1 THEN
    k := (SELECT key FROM jsonb_object_keys(j) AS key);
    IF k IN ('all', 'any') THEN
      FOR i IN 0 .. jsonb_array_length(j->k) - 1 LOOP
        SELECT t.aggs, t.needs_customers, t.expr INTO aggs, needs_customers, e
          FROM diff.tr(j->k->i, aggs, needs_customers) AS t;
        parts := parts || ('(' || e || ')');
      END LOOP;
      expr := CASE WHEN cardinality(parts) = 0 THEN CASE k WHEN 'all' THEN 'true' ELSE 'false' END
                   ELSE array_to_string(parts, CASE k WHEN 'all' THEN ' AND ' ELSE ' OR ' END) END;
      RETURN;
    ELSIF k = 'not' THEN
      SELECT t.aggs, t.needs_customers, t.expr INTO aggs, needs_customers, e
        FROM diff.tr(j->k, aggs, needs_customers) AS t;
      expr := format('NOT (%s)', e);
      RETURN;
    ELSIF k = 'performed' THEN
      p := j->k;
      SELECT t.aggs, t.expr INTO aggs, expr
        FROM diff.tr_leaf(p->>'event', coalesce(p->>'aggregate', 'count'), p->>'property',
                          p->>'op', p->'value', (p->>'days')::int, p->'where', aggs) AS t;
      RETURN;
    ELSIF k = 'attribute' THEN
      needs_customers := true;
      expr := diff.tr_range(j->k->>'name', j->k->'min', j->k->'max');
      RETURN;
    END IF;
  END IF;
  -- criteria object: every given criterion holds; null or "" levels and null bounds mean any
  FOREACH k IN ARRAY ARRAY['engagement_level', 'churn_risk_level'] LOOP
    lv := j->>k;
    IF lv IS NOT NULL AND lv <> '' THEN
      needs_customers := true;
      parts := parts || diff.tr_level(k, lv);
    END IF;
  END LOOP;
  FOREACH f IN ARRAY ARRAY['age', 'total_purchases', 'avg_order_value', 'days_since_last_purchase',
                           'email_opens', 'website_visits'] LOOP
    IF jsonb_typeof(j->(f || '_range')) = 'object' THEN
      p := jsonb_build_object('min', j->(f || '_range')->'min', 'max', j->(f || '_range')->'max');
    ELSE
      p := jsonb_build_object('min', j->('min_' || f), 'max', j->('max_' || f));
    END IF;
    IF jsonb_typeof(p->'min') = 'number' OR jsonb_typeof(p->'max') = 'number' THEN
      needs_customers := true;
      parts := parts || diff.tr_range(f, p->'min', p->'max');
    END IF;
  END LOOP;
  expr := CASE WHEN cardinality(parts) = 0 THEN 'true' ELSE array_to_string(parts, ' AND ') END;
END
$$;
-- The whole query for a definition: the members at as_of $1, in user_id order.
CREATE FUNCTION diff.tr_query(j jsonb, events text, with_customers boolean,
                              OUT sql text, OUT needs_customers boolean) LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  aggs text[] := '{}';
  expr text;
  sel  text := 'user_id';
BEGIN
  SELECT t.aggs, t.needs_customers, t.expr INTO aggs, needs_customers, expr
    FROM diff.tr(j, aggs, false) AS t;
  FOR i IN 1 .. coalesce(cardinality(aggs), 0) LOOP
    sel := sel || format(', %s AS a%s', aggs[i], i);
  END LOOP;
  sel := format('SELECT %s FROM %s WHERE user_id IS NOT NULL AND ts IS NOT NULL AND ts <= $1 GROUP BY user_id',
                sel, events);
  IF with_customers THEN
    sql := format('SELECT c.user_id FROM diff.customers AS c LEFT JOIN (%s) AS a ON a.user_id = c.user_id'
                  ' WHERE c.user_id IS NOT NULL AND (%s) ORDER BY 1', sel, expr);
  ELSE
    sql := format('SELECT a.user_id FROM (%s) AS a WHERE %s ORDER BY 1', sel, expr);
  END IF;
END
$$;
CREATE FUNCTION diff.expected(q text, as_of timestamptz) RETURNS bigint[] LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  r bigint[];
BEGIN
  EXECUTE format('SELECT coalesce(array_agg(user_id ORDER BY user_id), ''{}'') FROM (%s) AS q', q)
    INTO r USING as_of;
  RETURN r;
END
$$;
-- The members as cohort.evaluate returns them, in its order.
CREATE FUNCTION diff.actual(d cohort.definition, events regclass, customers regclass, as_of timestamptz)
  RETURNS bigint[] LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(array_agg(e.user_id), '{}')
  FROM cohort.evaluate(d, events, customers, as_of) AS e
$$;
CREATE FUNCTION diff.describe(expected bigint[], actual bigint[]) RETURNS text LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT format('expected %s members, got %s; missing %s; extra %s%s',
                cardinality(expected), cardinality(actual),
                (SELECT coalesce(array_agg(x ORDER BY x), '{}')
                 FROM (SELECT unnest(expected) EXCEPT ALL SELECT unnest(actual)) AS m(x)),
                (SELECT coalesce(array_agg(x ORDER BY x), '{}')
                 FROM (SELECT unnest(actual) EXCEPT ALL SELECT unnest(expected)) AS m(x)),
                CASE WHEN (SELECT array_agg(x ORDER BY x) FROM unnest(actual) AS x) = actual
                     THEN '' ELSE '; not in user_id order' END)
$$;
CREATE TABLE diff.results (
  id              int PRIMARY KEY,
  def             jsonb NOT NULL,
  canonical       text,
  needs_customers boolean,
  comparisons     int NOT NULL DEFAULT 0,
  nontrivial      boolean NOT NULL DEFAULT false
);
CREATE TABLE diff.failures (
  id     int,
  check_ text,
  def    text,
  detail text
);
-- Run n definitions: evaluate() against the translation at both as_of values, with the customers
-- relation and (for definitions without customer leaves) without it, where the definitions with
-- customer leaves must fail with 22023 instead; the canonical text must be a fixed point and
-- mean the same (by the translator); every fifth definition also runs over events_narrow.
CREATE FUNCTION diff.run(n int) RETURNS void LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  d        jsonb;
  def      cohort.definition;
  canon    text;
  q_cust   text;
  q_bare   text;
  q_canon  text;
  needs    boolean;
  needs2   boolean;
  a        record;
  expected bigint[];
  got      bigint[];
  full_a   int := (SELECT count(*) FROM diff.customers WHERE user_id IS NOT NULL);
  cmp      int;
  nontriv  boolean;
  st       text;
BEGIN
  FOR i IN 1 .. n LOOP
    d := diff.gen_definition();
    cmp := 0;
    nontriv := false;
    INSERT INTO diff.results (id, def) VALUES (i, d);
    BEGIN
      def := d::text::cohort.definition;
      canon := def::text;
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO diff.failures VALUES (i, 'parse', d::text, SQLSTATE || ': ' || SQLERRM);
      CONTINUE;
    END;
    BEGIN
      IF canon::cohort.definition::text IS DISTINCT FROM canon THEN
        INSERT INTO diff.failures VALUES (i, 'canonical fixed point', d::text,
                                          canon || ' -> ' || canon::cohort.definition::text);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO diff.failures VALUES (i, 'canonical reparse', d::text,
                                        canon || ': ' || SQLSTATE || ': ' || SQLERRM);
    END;
    SELECT t.sql, t.needs_customers INTO q_cust, needs FROM diff.tr_query(d, 'diff.events', true) AS t;
    q_bare := (diff.tr_query(d, 'diff.events', false)).sql;
    BEGIN
      SELECT t.sql, t.needs_customers INTO q_canon, needs2
        FROM diff.tr_query(canon::jsonb, 'diff.events', true) AS t;
    EXCEPTION WHEN OTHERS THEN
      q_canon := NULL;
      INSERT INTO diff.failures VALUES (i, 'translate canonical', d::text,
                                        canon || ': ' || SQLSTATE || ': ' || SQLERRM);
    END;
    IF needs2 IS DISTINCT FROM needs THEN
      INSERT INTO diff.failures VALUES (i, 'canonical customer leaves', d::text, canon);
    END IF;
    FOR a IN SELECT k, t FROM diff.as_of ORDER BY k LOOP
      -- with customers
      expected := diff.expected(q_cust, a.t);
      BEGIN
        got := diff.actual(def, 'diff.events', 'diff.customers', a.t);
        IF got IS DISTINCT FROM expected THEN
          INSERT INTO diff.failures VALUES (i, 'customers, as_of ' || a.k, d::text,
                                            diff.describe(expected, got));
        END IF;
      EXCEPTION WHEN OTHERS THEN
        INSERT INTO diff.failures VALUES (i, 'customers, as_of ' || a.k, d::text, SQLSTATE || ': ' || SQLERRM);
      END;
      cmp := cmp + 1;
      IF a.k = 1 THEN
        nontriv := cardinality(expected) BETWEEN 1 AND full_a - 1;
        IF q_canon IS NOT NULL AND diff.expected(q_canon, a.t) IS DISTINCT FROM expected THEN
          INSERT INTO diff.failures VALUES (i, 'canonical meaning', d::text,
                                            canon || ': ' || diff.describe(expected, diff.expected(q_canon, a.t)));
        END IF;
        cmp := cmp + 1;
        IF i % 5 = 0 THEN
          BEGIN
            got := diff.actual(def, 'diff.events_narrow', 'diff.customers', a.t);
            IF got IS DISTINCT FROM expected THEN
              INSERT INTO diff.failures VALUES (i, 'events_narrow', d::text, diff.describe(expected, got));
            END IF;
          EXCEPTION WHEN OTHERS THEN
            INSERT INTO diff.failures VALUES (i, 'events_narrow', d::text, SQLSTATE || ': ' || SQLERRM);
          END;
          cmp := cmp + 1;
        END IF;
      END IF;
      -- without customers
      IF NOT needs THEN
        expected := diff.expected(q_bare, a.t);
        BEGIN
          got := diff.actual(def, 'diff.events', NULL, a.t);
          IF got IS DISTINCT FROM expected THEN
            INSERT INTO diff.failures VALUES (i, 'no customers, as_of ' || a.k, d::text,
                                              diff.describe(expected, got));
          END IF;
        EXCEPTION WHEN OTHERS THEN
          INSERT INTO diff.failures VALUES (i, 'no customers, as_of ' || a.k, d::text, SQLSTATE || ': ' || SQLERRM);
        END;
      ELSE
        BEGIN
          got := diff.actual(def, 'diff.events', NULL, a.t);
          INSERT INTO diff.failures VALUES (i, 'no customers, as_of ' || a.k, d::text,
                                            'expected SQLSTATE 22023, got ' || cardinality(got) || ' members');
        EXCEPTION WHEN OTHERS THEN
          GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
          IF st <> '22023' THEN
            INSERT INTO diff.failures VALUES (i, 'no customers, as_of ' || a.k, d::text,
                                              'expected SQLSTATE 22023, got ' || st || ': ' || SQLERRM);
          END IF;
        END;
      END IF;
      cmp := cmp + 1;
    END LOOP;
    UPDATE diff.results SET canonical = canon, needs_customers = needs, comparisons = cmp,
                            nontrivial = nontriv
     WHERE id = i;
  END LOOP;
END
$$;
SELECT diff.run(600);
-- how much was checked
SELECT count(*) AS definitions,
       sum(comparisons) AS comparisons,
       count(*) FILTER (WHERE needs_customers) AS with_customer_leaves,
       count(*) FILTER (WHERE NOT needs_customers) AS behaviour_only
FROM diff.results;
-- the result: no mismatch at all
SELECT count(*) AS mismatches FROM diff.failures;
SELECT id, check_, def, detail FROM diff.failures ORDER BY id, check_ LIMIT 20;
-- the test is not vacuous: many cohorts are neither empty nor everyone, every form, operator,
-- aggregate and timeframe occurs
SELECT count(*) FILTER (WHERE nontrivial) > 100 AS many_nontrivial,
       (SELECT count(DISTINCT v #>> '{}') FROM diff.results,
               jsonb_path_query(def, 'strict $.**.condition') AS v) = 9 AS all_seed_operators,
       (SELECT count(DISTINCT v #>> '{}') FROM diff.results,
               jsonb_path_query(def, 'strict $.**.op') AS v) = 9 AS all_canonical_operators,
       (SELECT count(DISTINCT v #>> '{}') FROM diff.results,
               jsonb_path_query(def, 'strict $.**.operation') AS v) = 6 AS all_aggregates,
       (SELECT count(DISTINCT v::text) FROM diff.results,
               jsonb_path_query(def, 'strict $.**.timeframe') AS v) = 7 AS all_timeframes,
       count(*) FILTER (WHERE jsonb_typeof(def) = 'array') > 50
         AND count(*) FILTER (WHERE def ? 'all' OR def ? 'any' OR def ? 'not') > 100
         AND count(*) FILTER (WHERE jsonb_typeof(def) = 'object' AND NOT (def ? 'all' OR def ? 'any' OR def ? 'not')) > 20
         AS all_forms,
       count(*) FILTER (WHERE canonical LIKE '%"where"%') > 50 AS with_filters
FROM diff.results;
-- ---------------------------------------------------------------------------------------------
-- statistics_many: 150 definitions in one call (serially and in parallel, with and without the
-- customers relation) against plain SQL over the translated members: every customers row whose
-- user_id is a member, counted by trimmed lower-case risk level, churn scores averaged (multiples
-- of 1/1024, so the averages are exact).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE diff.stat_defs AS
SELECT row_number() OVER (ORDER BY id)::int AS idx, def, canonical::cohort.definition AS d, needs_customers
  FROM diff.results WHERE canonical IS NOT NULL AND id <= 150;
CREATE FUNCTION diff.expected_stats(members bigint[], OUT total bigint, OUT avg_churn float8, OUT high bigint,
                                    OUT medium bigint, OUT low bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT count(*), avg(churn_score),
         count(*) FILTER (WHERE lower(btrim(risk_level)) = 'high'),
         count(*) FILTER (WHERE lower(btrim(risk_level)) = 'medium'),
         count(*) FILTER (WHERE lower(btrim(risk_level)) = 'low')
    FROM diff.customers WHERE user_id = ANY (members)
$$;
CREATE TABLE diff.stat_expected AS
SELECT sd.idx, (diff.expected_stats(diff.expected((diff.tr_query(sd.def, 'diff.events', true)).sql, a.t))).*,
       CASE WHEN NOT sd.needs_customers
            THEN (SELECT count(DISTINCT x) FROM unnest(diff.expected((diff.tr_query(sd.def, 'diff.events', false)).sql, a.t)) x)
       END AS bare_total
  FROM diff.stat_defs sd, diff.as_of a WHERE a.k = 1;
CREATE FUNCTION diff.stat_mismatches(n_workers int) RETURNS TABLE (workers int, with_customers bigint, without_customers bigint,
                                                                  behaviour_only_with_customers bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', n_workers::text, true);
  PERFORM set_config('parallel_leader_participation', (n_workers = 0)::text, true);
  RETURN QUERY
  SELECT n_workers,
         (SELECT count(*) FROM diff.stat_expected e
            FULL JOIN cohort.statistics_many((SELECT array_agg(d ORDER BY idx) FROM diff.stat_defs), 'diff.events',
                                             'diff.customers', (SELECT t FROM diff.as_of WHERE k = 1)) g
              ON g.definition_index = e.idx
           WHERE (e.total, e.avg_churn, e.high, e.medium, e.low) IS DISTINCT FROM
                 (g.total_customers, g.avg_churn_score, g.high_risk_count, g.medium_risk_count, g.low_risk_count)),
         (SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY idx)::int AS n, bare_total
                                  FROM diff.stat_expected WHERE bare_total IS NOT NULL) e
            FULL JOIN cohort.statistics_many((SELECT array_agg(d ORDER BY idx) FROM diff.stat_defs WHERE NOT needs_customers),
                                             'diff.events', NULL, (SELECT t FROM diff.as_of WHERE k = 1)) g
              ON g.definition_index = e.n
           WHERE (e.bare_total, NULL::float8, 0::bigint, 0::bigint, 0::bigint) IS DISTINCT FROM
                 (g.total_customers, g.avg_churn_score, g.high_risk_count, g.medium_risk_count, g.low_risk_count)),
         -- definitions that read no customers column only: their one customers scan folds the rows
         (SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY idx)::int AS n, total, avg_churn, high, medium, low
                                  FROM diff.stat_expected WHERE bare_total IS NOT NULL) e
            FULL JOIN cohort.statistics_many((SELECT array_agg(d ORDER BY idx) FROM diff.stat_defs WHERE NOT needs_customers),
                                             'diff.events', 'diff.customers', (SELECT t FROM diff.as_of WHERE k = 1)) g
              ON g.definition_index = e.n
           WHERE (e.total, e.avg_churn, e.high, e.medium, e.low) IS DISTINCT FROM
                 (g.total_customers, g.avg_churn_score, g.high_risk_count, g.medium_risk_count, g.low_risk_count));
END $$;
ALTER TABLE diff.events SET (parallel_workers = 2);
SELECT count(*) AS definitions, count(*) FILTER (WHERE total BETWEEN 1 AND 200) AS nontrivial,
       count(*) FILTER (WHERE avg_churn IS NULL) AS no_scores, count(bare_total) AS behaviour_only
  FROM diff.stat_expected;
SELECT * FROM diff.stat_mismatches(0);
SELECT * FROM diff.stat_mismatches(2);
-- With user_id unique (a primary key: one customers row per user), the statistics of definitions
-- that read customers columns are folded in the evaluation's own customers scan: one scan of the
-- customers where the other tables take two. Against plain SQL over the members cohort.evaluate
-- gives on the same table, and against an unindexed copy (two scans); serially and with 2 workers.
-- Without the index, or with a deferrable or partial one, the customers are read twice.
CREATE TABLE diff.customers_pk AS
SELECT * FROM diff.customers WHERE user_id IS NOT NULL AND ctid <> (SELECT max(ctid) FROM diff.customers WHERE user_id = 3);
ALTER TABLE diff.customers_pk ADD PRIMARY KEY (user_id);
CREATE TABLE diff.customers_copy AS SELECT * FROM diff.customers_pk;
CREATE FUNCTION diff.pk_stat_mismatches(n_workers int) RETURNS TABLE (workers int, definitions bigint, vs_plain_sql bigint,
                                                                     vs_unindexed_copy bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t timestamptz := (SELECT a.t FROM diff.as_of a WHERE a.k = 1);
  defs cohort.definition[] := (SELECT array_agg(d ORDER BY idx) FROM diff.stat_defs WHERE needs_customers);
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', n_workers::text, true);
  PERFORM set_config('parallel_leader_participation', (n_workers = 0)::text, true);
  RETURN QUERY
  WITH one AS (SELECT * FROM cohort.statistics_many(defs, 'diff.events', 'diff.customers_pk', t)),
       two AS (SELECT * FROM cohort.statistics_many(defs, 'diff.events', 'diff.customers_copy', t)),
       plain AS (SELECT i, s.* FROM generate_series(1, cardinality(defs)) i,
                        LATERAL (SELECT count(*) AS total, avg(c.churn_score) AS avg_churn,
                                        count(*) FILTER (WHERE lower(btrim(c.risk_level)) = 'high') AS high,
                                        count(*) FILTER (WHERE lower(btrim(c.risk_level)) = 'medium') AS medium,
                                        count(*) FILTER (WHERE lower(btrim(c.risk_level)) = 'low') AS low
                                   FROM diff.customers_pk c
                                  WHERE c.user_id IN (SELECT e.user_id FROM cohort.evaluate(defs[i], 'diff.events', 'diff.customers_pk', t) e)) s)
  SELECT n_workers, (SELECT count(*) FROM one),
         (SELECT count(*) FROM plain p FULL JOIN one o ON o.definition_index = p.i
           WHERE (p.total, p.avg_churn, p.high, p.medium, p.low) IS DISTINCT FROM
                 (o.total_customers, o.avg_churn_score, o.high_risk_count, o.medium_risk_count, o.low_risk_count)),
         (SELECT count(*) FROM two w FULL JOIN one o USING (definition_index)
           WHERE (w.total_customers, w.avg_churn_score, w.high_risk_count, w.medium_risk_count, w.low_risk_count) IS DISTINCT FROM
                 (o.total_customers, o.avg_churn_score, o.high_risk_count, o.medium_risk_count, o.low_risk_count));
END $$;
SELECT * FROM diff.pk_stat_mismatches(0);
SELECT * FROM diff.pk_stat_mismatches(2);
-- Customers scans of one statistics_many call (this transaction's counts), by the index the
-- table has.
CREATE FUNCTION diff.customers_scans(customers regclass) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE before bigint := pg_stat_get_xact_numscans(customers);
BEGIN
  PERFORM count(*) FROM cohort.statistics_many((SELECT array_agg(d ORDER BY idx) FROM diff.stat_defs WHERE needs_customers),
                                               'diff.events', customers, (SELECT a.t FROM diff.as_of a WHERE a.k = 1));
  RETURN pg_stat_get_xact_numscans(customers) - before;
END $$;
SELECT 'primary key' AS user_id_index, diff.customers_scans('diff.customers_pk') AS scans
UNION ALL SELECT 'none', diff.customers_scans('diff.customers_copy');
CREATE UNIQUE INDEX customers_copy_partial ON diff.customers_copy (user_id) WHERE user_id > 0;
SELECT 'partial unique' AS user_id_index, diff.customers_scans('diff.customers_copy') AS scans;
DROP INDEX diff.customers_copy_partial;
ALTER TABLE diff.customers_copy ADD UNIQUE (user_id) DEFERRABLE;
SELECT 'deferrable unique' AS user_id_index, diff.customers_scans('diff.customers_copy') AS scans;
-- A materialized view with a unique index is read through the executor, and an inheritance parent
-- with a primary key holds more rows in its child: two scans for both, every row of a member
-- counted (the child repeats users of the parent with other attributes).
CREATE MATERIALIZED VIEW diff.customers_mv AS SELECT * FROM diff.customers_pk;
CREATE UNIQUE INDEX ON diff.customers_mv (user_id);
CREATE TABLE diff.customers_child () INHERITS (diff.customers_pk);
INSERT INTO diff.customers_child SELECT user_id, 90 - coalesce(age, 50), total_purchases, avg_order_value, days_since_last_purchase,
                                        website_visits, email_opens, 1 - churn_score, 'medium'
  FROM diff.customers_pk WHERE user_id % 3 = 0;
SELECT 'materialized view, unique index' AS user_id_index, diff.customers_scans('diff.customers_mv') AS scans
UNION ALL SELECT 'inheritance parent, primary key', diff.customers_scans('diff.customers_pk');
SELECT count(*) AS definitions,
       count(*) FILTER (WHERE (p.total, p.avg_churn, p.high, p.medium, p.low) IS DISTINCT FROM
                              (o.total_customers, o.avg_churn_score, o.high_risk_count, o.medium_risk_count, o.low_risk_count))
         AS parent_and_child_vs_plain_sql
  FROM (SELECT sd.idx, s.* FROM diff.stat_defs sd,
               LATERAL (SELECT count(*) AS total, avg(c.churn_score) AS avg_churn,
                               count(*) FILTER (WHERE lower(btrim(c.risk_level)) = 'high') AS high,
                               count(*) FILTER (WHERE lower(btrim(c.risk_level)) = 'medium') AS medium,
                               count(*) FILTER (WHERE lower(btrim(c.risk_level)) = 'low') AS low
                          FROM diff.customers_pk c
                         WHERE c.user_id IN (SELECT e.user_id FROM cohort.evaluate(sd.d, 'diff.events', 'diff.customers_pk',
                                                                                   (SELECT a.t FROM diff.as_of a WHERE a.k = 1)) e)) s
         WHERE sd.needs_customers) p
  JOIN (SELECT row_number() OVER (ORDER BY definition_index) AS n, g.*
          FROM cohort.statistics_many((SELECT array_agg(d ORDER BY idx) FROM diff.stat_defs WHERE needs_customers), 'diff.events',
                                      'diff.customers_pk', (SELECT a.t FROM diff.as_of a WHERE a.k = 1)) g) o
    ON o.n = (SELECT count(*) FROM diff.stat_defs x WHERE x.needs_customers AND x.idx <= p.idx);
DROP TABLE diff.customers_child;
-- A customers relation that does not exist, given to the C function statistics_many calls (which
-- checks the columns first): the scan's own error, before any uniqueness test.
SELECT * FROM cohort.member_statistics((SELECT array_agg(d ORDER BY idx) FROM diff.stat_defs WHERE needs_customers AND idx < 20),
                                       'diff.events', 999999::oid::regclass, (SELECT a.t FROM diff.as_of a WHERE a.k = 1));
ALTER TABLE diff.events RESET (parallel_workers);
-- ---------------------------------------------------------------------------------------------
-- The same comparisons through parallel evaluation: two workers share the direct scan of the
-- events and the leader merges their per-user tables (the leader takes no pages itself here, so
-- every row goes through a merge).
-- ---------------------------------------------------------------------------------------------
TRUNCATE diff.results, diff.failures;
ALTER TABLE diff.events SET (parallel_workers = 2);
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT count(*) > 0 AS evaluated FROM cohort.evaluate('{"performed": {"event": "cart_added", "op": ">=", "value": 1}}',
                                                      'diff.events', NULL, (SELECT t FROM diff.as_of WHERE k = 1));
SELECT events_scan, workers_planned, workers_launched = workers_planned AS all_launched
  FROM cohort.last_evaluation();
SELECT diff.run(200);
SELECT count(*) AS definitions, sum(comparisons) AS comparisons FROM diff.results;
SELECT count(*) AS parallel_mismatches FROM diff.failures;
SELECT id, check_, def, detail FROM diff.failures ORDER BY id, check_ LIMIT 20;
SET max_parallel_workers_per_gather = 0;
RESET parallel_leader_participation;
ALTER TABLE diff.events RESET (parallel_workers);
-- ---------------------------------------------------------------------------------------------
-- engagement_score / engagement_level against the formula
-- ---------------------------------------------------------------------------------------------
SELECT count(*) AS customers_rows,
       count(*) FILTER (WHERE cohort.engagement_score(email_opens, website_visits, total_purchases)
                              IS DISTINCT FROM
                              coalesce(email_opens::float8, 0) * 0.3::float8
                              + coalesce(website_visits::float8, 0) * 0.4::float8
                              + coalesce(total_purchases::float8, 0) * 0.3::float8) AS score_mismatches,
       count(*) FILTER (WHERE cohort.engagement_level(cohort.engagement_score(email_opens, website_visits, total_purchases))
                              IS DISTINCT FROM
                              CASE WHEN s >= 20 THEN 'high' WHEN s >= 10 THEN 'medium' ELSE 'low' END)
         AS level_mismatches,
       count(DISTINCT CASE WHEN s >= 20 THEN 'high' WHEN s >= 10 THEN 'medium' ELSE 'low' END) AS levels_seen
FROM diff.customers,
     LATERAL (SELECT coalesce(email_opens::float8, 0) * 0.3::float8
                     + coalesce(website_visits::float8, 0) * 0.4::float8
                     + coalesce(total_purchases::float8, 0) * 0.3::float8) AS x(s);
SELECT cohort.engagement_level(20) AS at_20, cohort.engagement_level(19.999999) AS below_20,
       cohort.engagement_level(10) AS at_10, cohort.engagement_level(9.999999) AS below_10,
       cohort.engagement_level('NaN') AS nan;
-- ---------------------------------------------------------------------------------------------
-- risk_counts / engagement_stats against plain SQL, serially and in parallel, on a table big
-- enough for a parallel plan. churn_score values are multiples of 1/1024, so their sums are exact
-- in any order; the engagement scores are not, so avg_score gets a relative tolerance.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE diff.big AS
SELECT i AS user_id,
       (ARRAY['high', 'Medium', ' low ', 'LOW', NULL, 'other', 'HIGH ', 'medium'])[1 + (i * 7) % 8] AS risk_level,
       CASE WHEN i % 13 = 0 THEN NULL ELSE ((i::bigint * 7919) % 1025) / 1024.0 END::float8 AS churn_score,
       CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 31) % 50 END AS email_opens,
       CASE WHEN i % 19 = 0 THEN NULL ELSE (i * 37) % 60 END AS website_visits,
       CASE WHEN i % 23 = 0 THEN NULL ELSE (i * 41) % 30 END AS total_purchases,
       i % 7 AS g
FROM generate_series(1, 200000) AS i;
ANALYZE diff.big;
CREATE VIEW diff.risk_check AS
WITH r AS (SELECT (s).* FROM (SELECT cohort.risk_counts(risk_level, churn_score) AS s FROM diff.big) AS q),
     p AS (SELECT count(*) AS n, avg(churn_score) AS a,
                  count(*) FILTER (WHERE lower(btrim(risk_level)) = 'high') AS h,
                  count(*) FILTER (WHERE lower(btrim(risk_level)) = 'medium') AS m,
                  count(*) FILTER (WHERE lower(btrim(risk_level)) = 'low') AS l
           FROM diff.big)
SELECT r.total_customers = p.n AND r.avg_churn_score = p.a AND r.high_risk_count = p.h
       AND r.medium_risk_count = p.m AND r.low_risk_count = p.l AS risk_counts_ok
FROM r, p;
CREATE VIEW diff.risk_check_grouped AS
SELECT bool_and(x.total_customers = p.n AND x.avg_churn_score = p.a AND x.high_risk_count = p.h
                AND x.medium_risk_count = p.m AND x.low_risk_count = p.l) AND count(*) = 7
         AS risk_counts_grouped_ok
FROM (SELECT g, (s).* FROM (SELECT g, cohort.risk_counts(risk_level, churn_score) AS s
                            FROM diff.big GROUP BY g) AS q) AS x
JOIN (SELECT g, count(*) AS n, avg(churn_score) AS a,
             count(*) FILTER (WHERE lower(btrim(risk_level)) = 'high') AS h,
             count(*) FILTER (WHERE lower(btrim(risk_level)) = 'medium') AS m,
             count(*) FILTER (WHERE lower(btrim(risk_level)) = 'low') AS l
      FROM diff.big GROUP BY g) AS p USING (g);
CREATE VIEW diff.engagement_check AS
WITH r AS (SELECT (s).* FROM (SELECT cohort.engagement_stats(email_opens, website_visits, total_purchases) AS s
                              FROM diff.big) AS q),
     sc AS (SELECT coalesce(email_opens::float8, 0) * 0.3::float8
                   + coalesce(website_visits::float8, 0) * 0.4::float8
                   + coalesce(total_purchases::float8, 0) * 0.3::float8 AS s
            FROM diff.big),
     p AS (SELECT count(*) AS n, avg(s) AS a,
                  count(*) FILTER (WHERE s >= 20) AS h,
                  count(*) FILTER (WHERE s >= 10 AND s < 20) AS m,
                  count(*) FILTER (WHERE s < 10) AS l
           FROM sc)
SELECT r.customers = p.n AND abs(r.avg_score - p.a) <= 1e-9 * greatest(1, abs(p.a))
       AND r.high_count = p.h AND r.medium_count = p.m AND r.low_count = p.l
       AND p.h > 0 AND p.m > 0 AND p.l > 0 AS engagement_stats_ok
FROM r, p;
-- over no rows: the counts are 0 and the averages NULL, as plain SQL gives them
CREATE VIEW diff.empty_check AS
SELECT (r).total_customers = 0 AND (r).avg_churn_score IS NULL AND (r).high_risk_count = 0
       AND (r).medium_risk_count = 0 AND (r).low_risk_count = 0 AS risk_counts_empty_ok,
       (e).customers = 0 AND (e).high_count = 0 AND (e).medium_count = 0 AND (e).low_count = 0
         AS engagement_stats_empty_ok
FROM (SELECT cohort.risk_counts(risk_level, churn_score) AS r,
             cohort.engagement_stats(email_opens, website_visits, total_purchases) AS e
      FROM diff.big WHERE user_id < 0) AS q;
-- serial
SET max_parallel_workers_per_gather = 0;
SELECT * FROM diff.risk_check, diff.risk_check_grouped, diff.engagement_check, diff.empty_check;
-- parallel
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT cohort.risk_counts(risk_level, churn_score) FROM diff.big;
EXPLAIN (COSTS OFF) SELECT cohort.engagement_stats(email_opens, website_visits, total_purchases) FROM diff.big;
SELECT * FROM diff.risk_check, diff.risk_check_grouped, diff.engagement_check, diff.empty_check;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SET client_min_messages = warning;
DROP SCHEMA diff CASCADE;
RESET client_min_messages;
