-- Reports for BI tools: set-returning functions giving tidy long tables (one fact per row, plain
-- SQL types), tiers and ready-made cohort templates (see docs/reports.md). Every function reads the
-- caller's tables with the caller's rights; relations come in as regclass and are written into
-- dynamic SQL with format('%s'), column names with %I, values only through USING.

-- Checks a report period: day, week or month (any case); returns it in lower case.
CREATE FUNCTION @extschema@.checked_period(period pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF period IS NULL OR lower(btrim(period)) NOT IN ('day', 'week', 'month') THEN
    RAISE EXCEPTION 'invalid period "%"', period
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Expected day, week or month.';
  END IF;
  RETURN lower(btrim(period));
END $$;
COMMENT ON FUNCTION @extschema@.checked_period(pg_catalog.text) IS
  'checks a report period (day, week or month) and returns it in lower case';

-- Checks an optional number of days: NULL (all time) or at least `minimum`.
CREATE FUNCTION @extschema@.checked_days(days pg_catalog.int4, what pg_catalog.text, minimum pg_catalog.int4 DEFAULT 1)
  RETURNS pg_catalog.int4
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF days IS NOT NULL AND (days < minimum OR days > 36600) THEN
    RAISE EXCEPTION 'invalid % %', what, days
      USING ERRCODE = 'invalid_parameter_value', HINT = format('Expected %s to 36600 days.', minimum);
  END IF;
  RETURN days;
END $$;
COMMENT ON FUNCTION @extschema@.checked_days(pg_catalog.int4, pg_catalog.text, pg_catalog.int4) IS
  'checks an optional number of days (NULL or minimum..36600)';

-- Raises 22004 when a required argument is NULL.
CREATE FUNCTION @extschema@.check_argument(is_null pg_catalog.bool, argument pg_catalog.text, func pg_catalog.text)
  RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF is_null THEN
    RAISE EXCEPTION 'argument "%" of cohort.% must not be NULL', argument, func
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
END $$;
COMMENT ON FUNCTION @extschema@.check_argument(pg_catalog.bool, pg_catalog.text, pg_catalog.text) IS
  'raises 22004 naming the argument when a required argument is NULL';

-- Checks that a column exists and has a numeric type (smallint ... numeric, or a domain over one).
CREATE FUNCTION @extschema@.check_numeric_column(rel pg_catalog.regclass, role pg_catalog.text, col pg_catalog.text)
  RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  category "char";
BEGIN
  PERFORM @extschema@.check_columns(rel, role, ARRAY[col]);
  SELECT t.typcategory INTO category
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid   -- a domain has its base type's category
   WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
  IF category IS DISTINCT FROM 'N' THEN
    RAISE EXCEPTION 'column "%" of % relation % is not numeric', col, role, rel
      USING ERRCODE = 'datatype_mismatch';
  END IF;
END $$;
COMMENT ON FUNCTION @extschema@.check_numeric_column(pg_catalog.regclass, pg_catalog.text, pg_catalog.text) IS
  'checks that a relation has a numeric column of that name (42703 missing, 42804 not numeric)';

-- ---------------------------------------------------------------------------------------------
-- Retention matrix
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.retention_matrix(
    events pg_catalog.regclass, period pg_catalog.text DEFAULT 'week',
    start_event pg_catalog.text DEFAULT NULL, return_event pg_catalog.text DEFAULT NULL,
    from_ts pg_catalog.timestamptz DEFAULT NULL, to_ts pg_catalog.timestamptz DEFAULT NULL)
  RETURNS TABLE (cohort_period pg_catalog.timestamptz, period_number pg_catalog.int4,
                 cohort_users pg_catalog.int8, returned_users pg_catalog.int8,
                 retention_rate pg_catalog.numeric)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  unit text := @extschema@.checked_period(period);
  -- A period's index on a global scale, so that two indexes subtract to a period number; applied
  -- to values already truncated to the period (in the session time zone). Fixed texts only.
  idx text := CASE unit
                WHEN 'month' THEN '(extract(year FROM %1$s)::int4 * 12 + extract(month FROM %1$s)::int4)'
                WHEN 'week' THEN '((%1$s)::date - date ''1970-01-05'') / 7'
                ELSE '((%1$s)::date - date ''1970-01-01'')' END;
BEGIN
  PERFORM @extschema@.check_argument(events IS NULL, 'events', 'retention_matrix');
  PERFORM @extschema@.check_columns(events, 'events', ARRAY['user_id', 'event', 'ts']);
  RETURN QUERY EXECUTE format($q$
    WITH e AS MATERIALIZED (
      SELECT x.user_id::int8 AS user_id, x.event::text AS event, x.ts::timestamptz AS ts
        FROM %1$s x
       WHERE x.user_id IS NOT NULL AND x.ts IS NOT NULL
         AND ($1 IS NULL OR x.ts >= $1) AND ($2 IS NULL OR x.ts < $2)),
    cohorts AS MATERIALIZED (
      SELECT f.user_id, f.first_ts, date_trunc($5, f.first_ts) AS cp
        FROM (SELECT e.user_id, min(e.ts) AS first_ts FROM e
               WHERE $3 IS NULL OR e.event = $3 GROUP BY e.user_id) f),
    returns AS (
      SELECT DISTINCT c.user_id, c.cp, %2$s - %3$s AS n
        FROM cohorts c JOIN e ON e.user_id = c.user_id AND e.ts >= c.first_ts
       WHERE $4 IS NULL OR e.event = $4),
    sizes AS (SELECT c.cp, count(*) AS users FROM cohorts c GROUP BY c.cp),
    grid AS (
      SELECT s.cp, g.n, s.users
        FROM sizes s
       CROSS JOIN (SELECT date_trunc($5, max(e.ts)) AS lp FROM e) l
       CROSS JOIN LATERAL generate_series(0, %4$s - %5$s) g(n))
    SELECT g.cp, g.n, g.users, count(r.user_id), round(count(r.user_id)::numeric / g.users, 4)
      FROM grid g LEFT JOIN returns r ON r.cp = g.cp AND r.n = g.n
     GROUP BY g.cp, g.n, g.users
     ORDER BY g.cp, g.n $q$,
    events,
    format(idx, 'date_trunc($5, e.ts)'), format(idx, 'c.cp'),
    format(idx, 'l.lp'), format(idx, 's.cp'))
  USING from_ts, to_ts, start_event, return_event, unit;
END $$;
COMMENT ON FUNCTION @extschema@.retention_matrix(pg_catalog.regclass, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.timestamptz) IS
  'retention matrix: users by period of first (start) event, and how many returned in each later period';

-- ---------------------------------------------------------------------------------------------
-- Funnel report
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.funnel_report(
    events pg_catalog.regclass, steps pg_catalog.text[], window_size pg_catalog.interval,
    customers pg_catalog.regclass DEFAULT NULL, breakdown pg_catalog.text DEFAULT NULL,
    from_ts pg_catalog.timestamptz DEFAULT NULL, to_ts pg_catalog.timestamptz DEFAULT NULL)
  RETURNS TABLE (breakdown_value pg_catalog.text, step pg_catalog.int4, event pg_catalog.text,
                 users pg_catalog.int8, conversion_from_previous pg_catalog.numeric,
                 conversion_from_first pg_catalog.numeric, median_seconds_from_previous pg_catalog.float8)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n int := coalesce(cardinality(steps), 0);
  conditions text;
  next_columns text;
  chain_columns text;
  chain_joins text;
  deltas text;
  reached text;
  grouping text;
BEGIN
  PERFORM @extschema@.check_argument(events IS NULL, 'events', 'funnel_report');
  IF n = 0 THEN
    RAISE EXCEPTION 'funnel steps must not be empty' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give the event names of the steps in order, e.g. ARRAY[''product_viewed'', ''cart_added''].';
  END IF;
  IF n > 32 THEN
    RAISE EXCEPTION 'too many funnel steps' USING ERRCODE = 'program_limit_exceeded',
      DETAIL = format('%s steps were given; the limit is 32.', n);
  END IF;
  IF array_position(steps, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'funnel step % is NULL', array_position(steps, NULL) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF window_size IS NULL OR window_size <= interval '0' THEN
    RAISE EXCEPTION 'funnel window must be a positive interval' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF breakdown IS NOT NULL AND customers IS NULL THEN
    RAISE EXCEPTION 'a funnel breakdown needs a customers relation' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM @extschema@.check_columns(events, 'events', ARRAY['user_id', 'event', 'ts']);
  IF breakdown IS NOT NULL THEN
    PERFORM @extschema@.check_columns(customers, 'customers', ARRAY['user_id', breakdown]);
    grouping := format('LEFT JOIN (SELECT DISTINCT cu.user_id::int8 AS user_id, cu.%I::text AS v FROM %s cu'
                       ' WHERE cu.user_id IS NOT NULL) b ON b.user_id = lv.user_id', breakdown, customers);
  ELSE
    grouping := 'LEFT JOIN (SELECT NULL::int8 AS user_id, NULL::text AS v) b ON false';
  END IF;
  -- The step conditions for window_funnel; for the times between steps, the chain of each step-1
  -- event: every next step at its earliest event at or after the previous step's event (nx holds,
  -- for each user and time, the earliest event of each step at or after it), as long as it lies
  -- within the window of the step-1 event. Only subscripts and aliases are written into the text.
  SELECT string_agg(format('e.event = $1[%s]', i), ', ' ORDER BY i),
         coalesce(string_agg(format(', min(e.ts) FILTER (WHERE e.event = $1[%1$s]) OVER w AS n%1$s', i), '' ORDER BY i)
                    FILTER (WHERE i > 1), ''),
         coalesce(string_agg(format(', CASE WHEN a%2$s.n%1$s <= s.t1 + $2 THEN a%2$s.n%1$s END AS t%1$s', i, i - 1), '' ORDER BY i)
                    FILTER (WHERE i > 1), ''),
         coalesce(string_agg(format(' LEFT JOIN nx a%1$s ON a%1$s.user_id = s.user_id AND a%1$s.ts = %2$s', i,
                                    CASE WHEN i = 1 THEN 's.t1' ELSE format('a%s.n%s', i - 1, i) END), '' ORDER BY i)
                    FILTER (WHERE i < n), ''),
         coalesce(string_agg(format('(%1$s, extract(epoch FROM b.t%1$s - b.t%2$s)::float8)', i, i - 1), ', ' ORDER BY i)
                    FILTER (WHERE i > 1), '(NULL::int4, NULL::float8)'),
         string_agg(format('c.t%s', i), ', ' ORDER BY i)
    INTO conditions, next_columns, chain_columns, chain_joins, deltas, reached
    FROM generate_series(1, n) i;
  RETURN QUERY EXECUTE format($q$
    WITH e AS MATERIALIZED (
      SELECT x.user_id::int8 AS user_id, x.event::text AS event, x.ts::timestamptz AS ts
        FROM %1$s x
       WHERE x.user_id IS NOT NULL AND x.ts IS NOT NULL AND x.event::text = ANY ($1)
         AND ($3 IS NULL OR x.ts >= $3) AND ($4 IS NULL OR x.ts < $4)),
    lv AS MATERIALIZED (
      SELECT e.user_id, @extschema@.window_funnel($2, e.ts, %2$s) AS level FROM e GROUP BY e.user_id),
    nx AS MATERIALIZED (
      SELECT DISTINCT e.user_id, e.ts %3$s FROM e WINDOW w AS (PARTITION BY e.user_id ORDER BY e.ts DESC)),
    chains AS (
      SELECT s.user_id, s.t1 %4$s
        FROM (SELECT DISTINCT e.user_id, e.ts AS t1 FROM e JOIN lv ON lv.user_id = e.user_id
               WHERE lv.level >= 2 AND e.event = $1[1]) s
       %5$s),
    best AS (
      SELECT DISTINCT ON (c.user_id) c.*, lv.level FROM chains c JOIN lv ON lv.user_id = c.user_id
       ORDER BY c.user_id, num_nonnulls(%8$s) DESC, c.t1),
    times AS (
      SELECT b.user_id, v.k, v.secs FROM best b CROSS JOIN LATERAL (VALUES %6$s) v(k, secs)
       WHERE v.k <= b.level AND v.secs IS NOT NULL),
    grp AS MATERIALIZED (SELECT lv.user_id, lv.level, b.v AS bv FROM lv %7$s),
    groups AS (SELECT DISTINCT g.bv FROM grp g UNION SELECT NULL::text WHERE $5),
    hist AS (SELECT g.bv, g.level, count(*) AS users FROM grp g GROUP BY g.bv, g.level),
    counts AS (
      SELECT gr.bv, s.k, coalesce(sum(h.users) FILTER (WHERE h.level >= s.k), 0)::int8 AS users
        FROM groups gr CROSS JOIN generate_series(1, $6) s(k)
        LEFT JOIN hist h ON h.bv IS NOT DISTINCT FROM gr.bv
       GROUP BY gr.bv, s.k),
    med AS (
      SELECT g.bv, t.k, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.secs) AS m
        FROM grp g JOIN times t ON t.user_id = g.user_id GROUP BY g.bv, t.k)
    SELECT ct.bv, ct.k, $1[ct.k], ct.users,
           CASE WHEN ct.k > 1 THEN round(ct.users::numeric / nullif(lag(ct.users) OVER w, 0), 4) END,
           round(ct.users::numeric / nullif(first_value(ct.users) OVER w, 0), 4),
           m.m
      FROM counts ct LEFT JOIN med m ON m.bv IS NOT DISTINCT FROM ct.bv AND m.k = ct.k
    WINDOW w AS (PARTITION BY ct.bv ORDER BY ct.k)
     ORDER BY ct.bv NULLS LAST, ct.k $q$,
    events, conditions, next_columns, chain_columns, chain_joins, deltas, grouping, reached)
  USING steps, window_size, from_ts, to_ts, breakdown IS NULL, n;
END $$;
COMMENT ON FUNCTION @extschema@.funnel_report(pg_catalog.regclass, pg_catalog.text[], pg_catalog.interval, pg_catalog.regclass, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.timestamptz) IS
  'funnel report: users reaching each step (window_funnel), conversions and median time from the previous step';

-- ---------------------------------------------------------------------------------------------
-- Cohort metrics and breakdowns
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.cohort_metrics(
    definition @extschema@.definition, events pg_catalog.regclass, customers pg_catalog.regclass DEFAULT NULL,
    as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(), days pg_catalog.int4 DEFAULT NULL,
    purchase_event pg_catalog.text DEFAULT 'payment_successful', cart_event pg_catalog.text DEFAULT 'cart_added',
    checkout_event pg_catalog.text DEFAULT 'checkout_started', view_event pg_catalog.text DEFAULT 'product_viewed',
    revenue_column pg_catalog.text DEFAULT 'price')
  RETURNS TABLE (metric pg_catalog.text, value pg_catalog.numeric)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM @extschema@.check_argument(definition IS NULL, 'definition', 'cohort_metrics');
  PERFORM @extschema@.check_argument(events IS NULL, 'events', 'cohort_metrics');
  PERFORM @extschema@.check_argument(as_of IS NULL, 'as_of', 'cohort_metrics');
  PERFORM @extschema@.checked_days(days, 'days');
  PERFORM @extschema@.check_columns(events, 'events', ARRAY['user_id', 'event', 'ts']);
  PERFORM @extschema@.check_numeric_column(events, 'events', revenue_column);
  RETURN QUERY EXECUTE format($q$
    WITH m AS MATERIALIZED (SELECT DISTINCT ev.user_id FROM @extschema@.evaluate($1, $2, $3, $4) ev),
    e AS MATERIALIZED (
      SELECT x.user_id::int8 AS user_id, x.event::text AS event, x.%2$I::numeric AS amount
        FROM %1$s x JOIN m ON m.user_id = x.user_id
       WHERE x.ts <= $4 AND ($5::int4 IS NULL OR x.ts >= $4 - make_interval(days => $5))
         AND x.event::text IN ($6, $7, $8, $9)),
    u AS (
      SELECT e.user_id, count(*) FILTER (WHERE e.event = $6) AS orders,
             bool_or(e.event = $7) AS carted, bool_or(e.event = $8) AS checked_out,
             bool_or(e.event = $9) AS viewed
        FROM e GROUP BY e.user_id),
    t AS (
      SELECT (SELECT count(*) FROM m) AS users,
             (SELECT coalesce(sum(e.amount), 0) FROM e WHERE e.event = $6) AS revenue,
             (SELECT avg(e.amount) FROM e WHERE e.event = $6) AS aov,
             coalesce(sum(u.orders), 0) AS orders,
             count(*) FILTER (WHERE u.orders > 0) AS purchasers,
             count(*) FILTER (WHERE u.carted) AS cart_users,
             count(*) FILTER (WHERE u.carted AND u.orders = 0) AS cart_abandoners,
             count(*) FILTER (WHERE u.checked_out) AS checkout_users,
             count(*) FILTER (WHERE u.checked_out AND u.orders = 0) AS checkout_abandoners,
             count(*) FILTER (WHERE u.viewed) AS viewers,
             count(*) FILTER (WHERE u.viewed AND u.orders > 0) AS viewer_purchasers
        FROM u)
    SELECT v.metric, v.value
      FROM t CROSS JOIN LATERAL (VALUES
        (1, 'users', t.users::numeric),
        (2, 'purchasers', t.purchasers::numeric),
        (3, 'orders', t.orders::numeric),
        (4, 'revenue', t.revenue),
        (5, 'revenue_per_user', round(t.revenue / nullif(t.users, 0), 2)),
        (6, 'average_order_value', round(t.aov, 2)),
        (7, 'purchase_frequency', round(t.orders / nullif(t.users, 0), 4)),
        (8, 'conversion_rate', round(t.purchasers::numeric / nullif(t.users, 0), 4)),
        (9, 'cart_users', t.cart_users::numeric),
        (10, 'cart_abandonment_rate', round(t.cart_abandoners::numeric / nullif(t.cart_users, 0), 4)),
        (11, 'checkout_users', t.checkout_users::numeric),
        (12, 'checkout_abandonment_rate', round(t.checkout_abandoners::numeric / nullif(t.checkout_users, 0), 4)),
        (13, 'viewers', t.viewers::numeric),
        (14, 'view_to_purchase_rate', round(t.viewer_purchasers::numeric / nullif(t.viewers, 0), 4))
      ) v(ord, metric, value)
     ORDER BY v.ord $q$, events, revenue_column)
  USING definition, events, customers, as_of, days, purchase_event, cart_event, checkout_event, view_event;
END $$;
COMMENT ON FUNCTION @extschema@.cohort_metrics(@extschema@.definition, pg_catalog.regclass, pg_catalog.regclass, pg_catalog.timestamptz, pg_catalog.int4, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
  'metrics of a definition''s members, one row each: users, revenue, lifetime value, order value, frequency, conversion, abandonment';

CREATE FUNCTION @extschema@.cohort_metrics(
    id pg_catalog.int8, as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(), days pg_catalog.int4 DEFAULT NULL,
    purchase_event pg_catalog.text DEFAULT 'payment_successful', cart_event pg_catalog.text DEFAULT 'cart_added',
    checkout_event pg_catalog.text DEFAULT 'checkout_started', view_event pg_catalog.text DEFAULT 'product_viewed',
    revenue_column pg_catalog.text DEFAULT 'price')
  RETURNS TABLE (metric pg_catalog.text, value pg_catalog.numeric)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c @extschema@.cohorts := @extschema@.get(id);
  src record := @extschema@.caller_sources();
BEGIN
  RETURN QUERY SELECT r.metric, r.value
    FROM @extschema@.cohort_metrics(c.definition, src.events, src.customers, as_of, days, purchase_event,
                                    cart_event, checkout_event, view_event, revenue_column) r;
END $$;
COMMENT ON FUNCTION @extschema@.cohort_metrics(pg_catalog.int8, pg_catalog.timestamptz, pg_catalog.int4, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
  'metrics of a saved cohort of the caller over the caller''s sources, one row each';

CREATE FUNCTION @extschema@.breakdown(
    definition @extschema@.definition, events pg_catalog.regclass, customers pg_catalog.regclass,
    attribute pg_catalog.text, as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(),
    days pg_catalog.int4 DEFAULT NULL, purchase_event pg_catalog.text DEFAULT 'payment_successful',
    revenue_column pg_catalog.text DEFAULT 'price')
  RETURNS TABLE (value pg_catalog.text, users pg_catalog.int8, share pg_catalog.numeric, revenue pg_catalog.numeric)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM @extschema@.check_argument(definition IS NULL, 'definition', 'breakdown');
  PERFORM @extschema@.check_argument(events IS NULL, 'events', 'breakdown');
  IF customers IS NULL THEN
    RAISE EXCEPTION 'a breakdown needs a customers relation' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM @extschema@.check_argument(attribute IS NULL, 'attribute', 'breakdown');
  PERFORM @extschema@.check_argument(as_of IS NULL, 'as_of', 'breakdown');
  PERFORM @extschema@.checked_days(days, 'days');
  PERFORM @extschema@.check_columns(events, 'events', ARRAY['user_id', 'event', 'ts']);
  PERFORM @extschema@.check_numeric_column(events, 'events', revenue_column);
  PERFORM @extschema@.check_columns(customers, 'customers', ARRAY['user_id', attribute]);
  RETURN QUERY EXECUTE format($q$
    WITH m AS MATERIALIZED (SELECT DISTINCT ev.user_id FROM @extschema@.evaluate($1, $2, $3, $4) ev),
    a AS (SELECT DISTINCT m.user_id, cu.%3$I::text AS v FROM m JOIN %2$s cu ON cu.user_id = m.user_id),
    r AS (
      SELECT x.user_id::int8 AS user_id, sum(x.%4$I::numeric) AS revenue
        FROM %1$s x JOIN m ON m.user_id = x.user_id
       WHERE x.event::text = $6 AND x.ts <= $4 AND ($5::int4 IS NULL OR x.ts >= $4 - make_interval(days => $5))
       GROUP BY x.user_id)
    SELECT a.v, count(*), round(count(*)::numeric / (SELECT count(*) FROM m), 4), coalesce(sum(r.revenue), 0)
      FROM a LEFT JOIN r ON r.user_id = a.user_id
     GROUP BY a.v
     ORDER BY count(*) DESC, a.v NULLS LAST $q$, events, customers, attribute, revenue_column)
  USING definition, events, customers, as_of, days, purchase_event;
END $$;
COMMENT ON FUNCTION @extschema@.breakdown(@extschema@.definition, pg_catalog.regclass, pg_catalog.regclass, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.int4, pg_catalog.text, pg_catalog.text) IS
  'a definition''s members by a customers attribute: users, share of members and revenue per value';

CREATE FUNCTION @extschema@.breakdown(
    id pg_catalog.int8, attribute pg_catalog.text, as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(),
    days pg_catalog.int4 DEFAULT NULL, purchase_event pg_catalog.text DEFAULT 'payment_successful',
    revenue_column pg_catalog.text DEFAULT 'price')
  RETURNS TABLE (value pg_catalog.text, users pg_catalog.int8, share pg_catalog.numeric, revenue pg_catalog.numeric)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c @extschema@.cohorts := @extschema@.get(id);
  src record := @extschema@.caller_sources();
BEGIN
  IF src.customers IS NULL THEN
    RAISE EXCEPTION 'a breakdown needs a customers relation' USING ERRCODE = 'object_not_in_prerequisite_state',
      HINT = 'Call cohort.set_sources(events, customers) with a customers relation.';
  END IF;
  RETURN QUERY SELECT r.value, r.users, r.share, r.revenue
    FROM @extschema@.breakdown(c.definition, src.events, src.customers, attribute, as_of, days,
                               purchase_event, revenue_column) r;
END $$;
COMMENT ON FUNCTION @extschema@.breakdown(pg_catalog.int8, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.int4, pg_catalog.text, pg_catalog.text) IS
  'a saved cohort''s members by a customers attribute, over the caller''s sources';

-- ---------------------------------------------------------------------------------------------
-- Tiers
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.tiers(
    events pg_catalog.regclass, customers pg_catalog.regclass, as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(),
    platinum_spend pg_catalog.numeric DEFAULT 15000, platinum_purchases pg_catalog.int4 DEFAULT 5,
    platinum_engagement pg_catalog.text DEFAULT 'high',
    gold_spend pg_catalog.numeric DEFAULT 7000, gold_purchases pg_catalog.int4 DEFAULT 3,
    gold_engagement pg_catalog.text DEFAULT 'medium',
    silver_spend pg_catalog.numeric DEFAULT 2000, recency_days pg_catalog.int4 DEFAULT 90,
    spend_days pg_catalog.int4 DEFAULT 365, purchase_event pg_catalog.text DEFAULT 'payment_successful',
    revenue_column pg_catalog.text DEFAULT 'price')
  RETURNS TABLE (user_id pg_catalog.int8, tier pg_catalog.text, annual_spend pg_catalog.numeric,
                 purchases pg_catalog.int8, engagement_level pg_catalog.text,
                 days_since_last_purchase pg_catalog.int4)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  platinum_rank int := CASE @extschema@.checked_level(platinum_engagement, 'platinum_engagement')
                         WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END;
  gold_rank int := CASE @extschema@.checked_level(gold_engagement, 'gold_engagement')
                     WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END;
BEGIN
  PERFORM @extschema@.check_argument(events IS NULL, 'events', 'tiers');
  PERFORM @extschema@.check_argument(customers IS NULL, 'customers', 'tiers');
  PERFORM @extschema@.check_argument(as_of IS NULL, 'as_of', 'tiers');
  PERFORM @extschema@.check_argument(platinum_spend IS NULL OR platinum_purchases IS NULL OR gold_spend IS NULL
                                     OR gold_purchases IS NULL OR silver_spend IS NULL, 'thresholds', 'tiers');
  PERFORM @extschema@.check_argument(recency_days IS NULL, 'recency_days', 'tiers');
  PERFORM @extschema@.checked_days(recency_days, 'recency_days', 0);
  PERFORM @extschema@.check_argument(spend_days IS NULL, 'spend_days', 'tiers');
  PERFORM @extschema@.checked_days(spend_days, 'spend_days');
  PERFORM @extschema@.check_columns(events, 'events', ARRAY['user_id', 'event', 'ts']);
  PERFORM @extschema@.check_numeric_column(events, 'events', revenue_column);
  PERFORM @extschema@.check_columns(customers, 'customers', ARRAY['user_id', 'email_opens', 'website_visits', 'total_purchases']);
  RETURN QUERY EXECUTE format($q$
    WITH c AS (
      SELECT cu.user_id::int8 AS user_id,
             @extschema@.engagement_level(@extschema@.engagement_score(
               cu.email_opens::float8, cu.website_visits::float8, cu.total_purchases::float8)) AS lvl
        FROM %2$s cu WHERE cu.user_id IS NOT NULL),
    p AS (
      SELECT x.user_id::int8 AS user_id,
             sum(x.%3$I::numeric) FILTER (WHERE x.ts >= $1 - make_interval(days => $10)) AS spend,
             count(*) FILTER (WHERE x.ts >= $1 - make_interval(days => $10)) AS n,
             max(x.ts) AS last_ts
        FROM %1$s x
       WHERE x.event::text = $11 AND x.ts <= $1 AND x.user_id IS NOT NULL
       GROUP BY x.user_id),
    j AS (
      SELECT c.user_id, c.lvl,
             CASE c.lvl WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END AS lvl_rank,
             coalesce(p.spend, 0) AS spend, coalesce(p.n, 0) AS n,
             ($1::date - p.last_ts::date) AS days_since
        FROM c LEFT JOIN p ON p.user_id = c.user_id)
    SELECT j.user_id,
           CASE WHEN j.spend >= $2 AND j.n >= $3 AND j.lvl_rank >= $4 THEN 'platinum'
                WHEN j.spend >= $5 AND j.n >= $6 AND j.lvl_rank >= $7 THEN 'gold'
                WHEN j.spend >= $8 AND j.days_since <= $9 THEN 'silver'
                ELSE 'none' END,
           j.spend, j.n, j.lvl, j.days_since
      FROM j ORDER BY j.user_id $q$, events, customers, revenue_column)
  USING as_of, platinum_spend, platinum_purchases, platinum_rank, gold_spend, gold_purchases, gold_rank,
        silver_spend, recency_days, spend_days, purchase_event;
END $$;
COMMENT ON FUNCTION @extschema@.tiers(pg_catalog.regclass, pg_catalog.regclass, pg_catalog.timestamptz, pg_catalog.numeric, pg_catalog.int4, pg_catalog.text, pg_catalog.numeric, pg_catalog.int4, pg_catalog.text, pg_catalog.numeric, pg_catalog.int4, pg_catalog.int4, pg_catalog.text, pg_catalog.text) IS
  'premium tier of every customer by annual spend, purchases, engagement and recency: platinum, gold, silver or none';

CREATE FUNCTION @extschema@.spend_tiers(
    events pg_catalog.regclass, customers pg_catalog.regclass, as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(),
    platinum_share pg_catalog.numeric DEFAULT 0.05, gold_share pg_catalog.numeric DEFAULT 0.15,
    silver_share pg_catalog.numeric DEFAULT 0.30, spend_days pg_catalog.int4 DEFAULT 365,
    purchase_event pg_catalog.text DEFAULT 'payment_successful', revenue_column pg_catalog.text DEFAULT 'price')
  RETURNS TABLE (user_id pg_catalog.int8, tier pg_catalog.text, annual_spend pg_catalog.numeric,
                 spend_rank pg_catalog.int8)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM @extschema@.check_argument(events IS NULL, 'events', 'spend_tiers');
  PERFORM @extschema@.check_argument(customers IS NULL, 'customers', 'spend_tiers');
  PERFORM @extschema@.check_argument(as_of IS NULL, 'as_of', 'spend_tiers');
  PERFORM @extschema@.check_argument(spend_days IS NULL, 'spend_days', 'spend_tiers');
  PERFORM @extschema@.checked_days(spend_days, 'spend_days');
  IF platinum_share IS NULL OR gold_share IS NULL OR silver_share IS NULL
     OR platinum_share < 0 OR gold_share < 0 OR silver_share < 0
     OR platinum_share + gold_share + silver_share > 1 THEN
    RAISE EXCEPTION 'invalid tier shares % + % + %', platinum_share, gold_share, silver_share
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Shares are fractions from 0 to 1 adding up to at most 1.';
  END IF;
  PERFORM @extschema@.check_columns(events, 'events', ARRAY['user_id', 'event', 'ts']);
  PERFORM @extschema@.check_numeric_column(events, 'events', revenue_column);
  PERFORM @extschema@.check_columns(customers, 'customers', ARRAY['user_id']);
  RETURN QUERY EXECUTE format($q$
    WITH c AS (SELECT cu.user_id::int8 AS user_id FROM %2$s cu WHERE cu.user_id IS NOT NULL),
    p AS (
      SELECT x.user_id::int8 AS user_id, sum(x.%3$I::numeric) AS spend
        FROM %1$s x
       WHERE x.event::text = $5 AND x.ts <= $1 AND x.ts >= $1 - make_interval(days => $6)
       GROUP BY x.user_id),
    j AS (
      SELECT c.user_id, coalesce(p.spend, 0) AS spend,
             rank() OVER (ORDER BY coalesce(p.spend, 0) DESC) AS rnk,
             count(*) OVER () AS total
        FROM c LEFT JOIN p ON p.user_id = c.user_id)
    SELECT j.user_id,
           CASE WHEN j.spend <= 0 THEN 'none'
                WHEN j.rnk - 1 < $2 * j.total THEN 'platinum'
                WHEN j.rnk - 1 < ($2 + $3) * j.total THEN 'gold'
                WHEN j.rnk - 1 < ($2 + $3 + $4) * j.total THEN 'silver'
                ELSE 'none' END,
           j.spend, j.rnk
      FROM j ORDER BY j.user_id $q$, events, customers, revenue_column)
  USING as_of, platinum_share, gold_share, silver_share, purchase_event, spend_days;
END $$;
COMMENT ON FUNCTION @extschema@.spend_tiers(pg_catalog.regclass, pg_catalog.regclass, pg_catalog.timestamptz, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.int4, pg_catalog.text, pg_catalog.text) IS
  'tiers by annual spend percentile: top 5% platinum, next 15% gold, next 30% silver (ties share a tier)';

-- ---------------------------------------------------------------------------------------------
-- Ready-made cohorts
-- ---------------------------------------------------------------------------------------------

-- A behavioural leaf in canonical form ("property" omitted for count of events).
CREATE FUNCTION @extschema@.performed_leaf(event pg_catalog.text, aggregate pg_catalog.text, property pg_catalog.text,
                                          value pg_catalog.jsonb, days pg_catalog.jsonb)
  RETURNS pg_catalog.jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
  SELECT jsonb_build_object('performed', jsonb_strip_nulls(jsonb_build_object(
           'event', event, 'aggregate', aggregate, 'property', property, 'op', '>=', 'value', value, 'days', days)))
$$;
COMMENT ON FUNCTION @extschema@.performed_leaf(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.jsonb) IS
  'a canonical performed leaf: aggregate(property) of event >= value within days';

-- Engagement at least the given level, as a canonical node.
CREATE FUNCTION @extschema@.engagement_at_least(level pg_catalog.text) RETURNS pg_catalog.jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE @extschema@.checked_level(level, 'min_engagement_level')
           WHEN 'high' THEN '{"engagement_level": "high"}'::jsonb
           WHEN 'medium' THEN '{"any": [{"engagement_level": "high"}, {"engagement_level": "medium"}]}'::jsonb
           ELSE '{"all": []}'::jsonb END
$$;
COMMENT ON FUNCTION @extschema@.engagement_at_least(pg_catalog.text) IS
  'canonical node: engagement level at least high, medium or low (low or empty: everyone)';

-- The description and definition of a template for the given parameters.
CREATE FUNCTION @extschema@.template_build(template pg_catalog.text, p pg_catalog.jsonb,
                                          OUT description pg_catalog.text, OUT definition @extschema@.definition)
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  no_purchase jsonb;
  d jsonb;
BEGIN
  CASE template
  WHEN 'High Value Abandoned Cart' THEN
    description := format('Added at least %s to the cart in the last %s days and made no purchase in them',
                          p->'min_cart_value', p->'days');
    d := jsonb_build_array(
           @extschema@.performed_leaf('cart_added', 'sum', 'price', p->'min_cart_value', p->'days'),
           jsonb_build_object('not', @extschema@.performed_leaf('payment_successful', NULL, NULL, '1', p->'days')));
  WHEN 'Checkout Abandoners' THEN
    description := format('Started checkout at least %s time(s) in the last %s days and made no purchase in them',
                          p->'min_checkouts', p->'days');
    d := jsonb_build_array(
           @extschema@.performed_leaf('checkout_started', NULL, NULL, p->'min_checkouts', p->'days'),
           jsonb_build_object('not', @extschema@.performed_leaf('payment_successful', NULL, NULL, '1', p->'days')));
  WHEN 'Browser Non-Purchasers' THEN
    description := format('High engagement, low conversion: at least %s product views in the last %s days, no purchase in them',
                          p->'min_views', p->'days');
    d := jsonb_build_array(
           @extschema@.performed_leaf('product_viewed', NULL, NULL, p->'min_views', p->'days'),
           jsonb_build_object('not', @extschema@.performed_leaf('payment_successful', NULL, NULL, '1', p->'days')));
  WHEN 'High-Value Win-Back' THEN
    description := format('Spent at least %s in the last %s days but made no purchase in the last %s days',
                          p->'min_spend', p->'spend_days', p->'inactive_days');
    d := jsonb_build_array(
           @extschema@.performed_leaf('payment_successful', 'sum', 'price', p->'min_spend', p->'spend_days'),
           jsonb_build_object('not', @extschema@.performed_leaf('payment_successful', NULL, NULL, '1', p->'inactive_days')));
  WHEN 'Platinum', 'Gold' THEN
    description := format('%s tier: spent at least %s in %s purchases or more in the last %s days, engagement %s or better',
                          template, p->'min_spend', p->'min_purchases', p->'days', p->>'min_engagement_level');
    d := jsonb_build_array(
           @extschema@.performed_leaf('payment_successful', 'sum', 'price', p->'min_spend', p->'days'),
           @extschema@.performed_leaf('payment_successful', NULL, NULL, p->'min_purchases', p->'days'),
           @extschema@.engagement_at_least(p->>'min_engagement_level'));
  WHEN 'Silver' THEN
    description := format('Silver tier: spent at least %s in the last %s days and purchased in the last %s days',
                          p->'min_spend', p->'days', p->'recency_days');
    d := jsonb_build_array(
           @extschema@.performed_leaf('payment_successful', 'sum', 'price', p->'min_spend', p->'days'),
           @extschema@.performed_leaf('payment_successful', NULL, NULL, '1', p->'recency_days'));
  END CASE;
  definition := jsonb_build_object('all', d)::@extschema@.definition;
END $$;
COMMENT ON FUNCTION @extschema@.template_build(pg_catalog.text, pg_catalog.jsonb) IS
  'description and canonical definition of a cohort template for the given parameters';

CREATE VIEW @extschema@.templates AS
SELECT t.name, b.description, b.definition, t.parameters
  FROM (VALUES
    (1, 'High Value Abandoned Cart', '{"min_cart_value": 3000, "days": 30}'::pg_catalog.jsonb),
    (2, 'Checkout Abandoners', '{"min_checkouts": 1, "days": 30}'::pg_catalog.jsonb),
    (3, 'Browser Non-Purchasers', '{"min_views": 10, "days": 30}'::pg_catalog.jsonb),
    (4, 'High-Value Win-Back', '{"min_spend": 10000, "spend_days": 365, "inactive_days": 90}'::pg_catalog.jsonb),
    (5, 'Platinum', '{"min_spend": 15000, "min_purchases": 5, "days": 365, "min_engagement_level": "high"}'::pg_catalog.jsonb),
    (6, 'Gold', '{"min_spend": 7000, "min_purchases": 3, "days": 365, "min_engagement_level": "medium"}'::pg_catalog.jsonb),
    (7, 'Silver', '{"min_spend": 2000, "days": 365, "recency_days": 90}'::pg_catalog.jsonb)
  ) t(ord, name, parameters)
  CROSS JOIN LATERAL @extschema@.template_build(t.name, t.parameters) b
 ORDER BY t.ord;
COMMENT ON VIEW @extschema@.templates IS
  'ready-made cohorts: name, description, canonical definition and the thresholds create_from_template may override';
GRANT SELECT ON @extschema@.templates TO PUBLIC;

CREATE FUNCTION @extschema@.create_from_template(template pg_catalog.text, name pg_catalog.text DEFAULT NULL,
                                                overrides pg_catalog.jsonb DEFAULT '{}')
  RETURNS pg_catalog.int8
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t record;
  bad text;
  params jsonb;
  built record;
BEGIN
  SELECT x.name, x.parameters INTO t FROM @extschema@.templates x WHERE lower(x.name) = lower(btrim(template));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'cohort template "%" does not exist', template USING ERRCODE = 'undefined_object',
      HINT = 'See SELECT name FROM cohort.templates.';
  END IF;
  overrides := coalesce(overrides, '{}');
  IF jsonb_typeof(overrides) <> 'object' THEN
    RAISE EXCEPTION 'template overrides must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT k INTO bad FROM jsonb_object_keys(overrides) k WHERE NOT t.parameters ? k ORDER BY k LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown parameter "%" for cohort template "%"', bad, t.name USING ERRCODE = 'invalid_parameter_value',
      HINT = format('Parameters: %s.', (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(t.parameters) k));
  END IF;
  SELECT o.key INTO bad FROM jsonb_each(overrides) o
   WHERE jsonb_typeof(o.value) <> jsonb_typeof(t.parameters -> o.key) ORDER BY o.key LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'parameter "%" of cohort template "%" must be a %', bad, t.name, jsonb_typeof(t.parameters -> bad)
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  params := t.parameters || overrides;
  built := @extschema@.template_build(t.name, params);
  RETURN @extschema@.create(coalesce(name, t.name), built.definition, built.description);
END $$;
COMMENT ON FUNCTION @extschema@.create_from_template(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) IS
  'saves a cohort template (thresholds optionally overridden) as a cohort of the caller; returns its id';
