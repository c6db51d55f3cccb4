-- Engagement scalars and the combinable statistics aggregates, serial and parallel.
SELECT cohort.engagement_score(10, 20, 30) AS score,
       cohort.engagement_score(NULL, 20, NULL) AS nulls_count_as_zero,
       cohort.engagement_level(19.999) AS just_below_high,
       cohort.engagement_level(20) AS high, cohort.engagement_level(10) AS medium,
       cohort.engagement_level(9.99) AS low, cohort.engagement_level(NULL) IS NULL AS null_level;

-- Empty input: zero counts, NULL average.
SELECT (cohort.risk_counts(r, s)).* FROM (VALUES (NULL::text, NULL::float8)) v(r, s) WHERE false;
SELECT (cohort.engagement_stats(a, b, c)).* FROM (VALUES (1.0::float8, 1.0::float8, 1.0::float8)) v(a, b, c) WHERE false;

-- A table large enough for a parallel plan.
CREATE TABLE stat_customers AS
  SELECT g AS user_id,
         (ARRAY['high', 'Medium', 'low ', NULL, 'unknown'])[1 + g % 5] AS risk_level,
         CASE WHEN g % 7 = 0 THEN NULL ELSE (g % 100) / 100.0 END::float8 AS churn_score,
         (g % 50) AS email_opens, (g % 37) AS website_visits, CASE WHEN g % 11 = 0 THEN NULL ELSE g % 13 END AS total_purchases
  FROM generate_series(1, 200000) g;
ANALYZE stat_customers;

-- The reference figures in plain SQL.
CREATE TEMP TABLE expected AS
SELECT count(*) AS total_customers,
       round(avg(churn_score)::numeric, 10) AS avg_churn_score,
       count(*) FILTER (WHERE lower(trim(risk_level)) = 'high') AS high_risk_count,
       count(*) FILTER (WHERE lower(trim(risk_level)) = 'medium') AS medium_risk_count,
       count(*) FILTER (WHERE lower(trim(risk_level)) = 'low') AS low_risk_count,
       round(avg(coalesce(email_opens, 0) * 0.3::float8 + coalesce(website_visits, 0) * 0.4::float8
                 + coalesce(total_purchases, 0) * 0.3::float8)::numeric, 10) AS avg_score,
       count(*) FILTER (WHERE coalesce(email_opens, 0) * 0.3::float8 + coalesce(website_visits, 0) * 0.4::float8
                        + coalesce(total_purchases, 0) * 0.3::float8 >= 20) AS engagement_high
  FROM stat_customers;

-- Serial.
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT (r).total_customers, round((r).avg_churn_score::numeric, 10) AS avg_churn_score,
       (r).high_risk_count, (r).medium_risk_count, (r).low_risk_count,
       round((e).avg_score::numeric, 10) AS avg_score, (e).high_count AS engagement_high
  FROM (SELECT cohort.risk_counts(risk_level, churn_score) AS r,
               cohort.engagement_stats(email_opens, website_visits, total_purchases) AS e
          FROM stat_customers) s;

-- Parallel: the plan shows a Partial Aggregate below a Gather.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT cohort.risk_counts(risk_level, churn_score), cohort.engagement_stats(email_opens, website_visits, total_purchases)
  FROM stat_customers;
CREATE TEMP TABLE parallel AS
SELECT (r).total_customers, round((r).avg_churn_score::numeric, 10) AS avg_churn_score,
       (r).high_risk_count, (r).medium_risk_count, (r).low_risk_count,
       round((e).avg_score::numeric, 10) AS avg_score, (e).high_count AS engagement_high
  FROM (SELECT cohort.risk_counts(risk_level, churn_score) AS r,
               cohort.engagement_stats(email_opens, website_visits, total_purchases) AS e
          FROM stat_customers) s;
RESET ALL;

SELECT * FROM expected;
SELECT (SELECT row(s.*)::text FROM serial s) = (SELECT row(x.*)::text FROM expected x) AS serial_matches_sql,
       (SELECT row(p.*)::text FROM parallel p) = (SELECT row(x.*)::text FROM expected x) AS parallel_matches_sql;

-- Grouped: one statistics row per group, equal to plain SQL per group.
SELECT count(*) AS groups_differing FROM (
  SELECT user_id % 10 AS g, (cohort.risk_counts(risk_level, churn_score)).high_risk_count AS h
    FROM stat_customers GROUP BY 1
  EXCEPT
  SELECT user_id % 10, count(*) FILTER (WHERE lower(trim(risk_level)) = 'high') FROM stat_customers GROUP BY 1) d;

-- A corrupted state array is rejected, not trusted.
\set VERBOSITY default
SELECT cohort.risk_counts_final('{1,2,3}'::float8[]);
SELECT cohort.risk_counts_combine('{0,0,0,0,0,0}'::float8[], '{1,NULL,0,0,0,0}'::float8[]);
DROP TABLE stat_customers;
-- States are checked, never trusted: NULL, NaN or fractional counts are errors, not crashes.
SELECT cohort.risk_counts_accum(NULL, 'high', 1);
SELECT cohort.engagement_accum(NULL, 1, 1, 1);
SELECT cohort.risk_counts_final('{NaN,0,0,0,0,0}');
SELECT cohort.risk_counts_final('{1e300,0,0,0,0,0}');
SELECT cohort.engagement_final('{-1,0,0,0,0}');
SELECT cohort.engagement_final('{1.5,0,0,0,0}');
SELECT (cohort.risk_counts_final('{2,1.5,2,1,0,1}')).*;
-- Ordinary roles use the aggregates but not their support functions.
CREATE ROLE regress_cohort_stats;
SET ROLE regress_cohort_stats;
SELECT (cohort.risk_counts(r, s)).total_customers FROM (VALUES ('high', 0.5::float8)) v(r, s);
SELECT cohort.risk_counts_final('{0,0,0,0,0,0}');
RESET ROLE;
DROP ROLE regress_cohort_stats;

-- statistics_many's membership bits (definitions that read no customers column) count against
-- cohort.state_memory_limit with the per-user table: 640 definitions over one accumulator need
-- 10 words of bits a user, and stop with 53200 under a limit their table alone fits in.
CREATE TABLE mask_events AS SELECT u::bigint AS user_id, 'buy'::text AS event, '2026-01-01'::timestamptz AS ts
  FROM generate_series(1, 3000) u;
CREATE TABLE mask_customers AS SELECT u::bigint AS user_id, 'high'::text AS risk_level, 0.5::float8 AS churn_score
  FROM generate_series(1, 3000) u;
CREATE TABLE mask_defs AS SELECT array_agg(format('{"performed": {"event": "buy", "op": ">=", "value": %s}}', i)::cohort.definition ORDER BY i) AS defs
  FROM generate_series(1, 640) i;
SELECT count(*) FROM cohort.statistics_many((SELECT defs[1:1] FROM mask_defs), 'mask_events', 'mask_customers', '2026-06-01');
SELECT state_bytes AS one_bytes FROM cohort.last_evaluation() \gset
SELECT set_config('cohort.state_memory_limit', (:one_bytes / 1024 + 64) || 'kB', false) IS NOT NULL AS limit_set;
DO $$
BEGIN
  PERFORM count(*) FROM cohort.statistics_many((SELECT defs FROM mask_defs), 'mask_events', 'mask_customers', '2026-06-01');
  RAISE NOTICE 'no error';
EXCEPTION WHEN out_of_memory THEN
  RAISE NOTICE '53200: %', regexp_replace(SQLERRM, '[0-9]+ kB', 'N kB');
END $$;
RESET cohort.state_memory_limit;
SELECT count(*) AS definitions, sum(total_customers) AS customers_counted, (SELECT state_bytes - :one_bytes FROM cohort.last_evaluation()) AS more_bytes
  FROM cohort.statistics_many((SELECT defs FROM mask_defs), 'mask_events', 'mask_customers', '2026-06-01');
DROP TABLE mask_events, mask_customers, mask_defs;
