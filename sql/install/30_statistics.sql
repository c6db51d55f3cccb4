-- Engagement and churn-risk statistics

CREATE TYPE @extschema@.statistics AS (
  total_customers pg_catalog.int8,
  avg_churn_score pg_catalog.float8,
  high_risk_count pg_catalog.int8,
  medium_risk_count pg_catalog.int8,
  low_risk_count pg_catalog.int8
);

CREATE TYPE @extschema@.engagement AS (
  customers pg_catalog.int8,
  avg_score pg_catalog.float8,
  high_count pg_catalog.int8,
  medium_count pg_catalog.int8,
  low_count pg_catalog.int8
);

CREATE FUNCTION @extschema@.engagement_score(
    email_opens pg_catalog.float8, website_visits pg_catalog.float8, total_purchases pg_catalog.float8)
  RETURNS pg_catalog.float8
  AS 'MODULE_PATHNAME', 'cohort_engagement_score' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_score(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8) IS
  'email_opens*0.3 + website_visits*0.4 + total_purchases*0.3, a NULL part counting as 0';

CREATE FUNCTION @extschema@.engagement_level(score pg_catalog.float8) RETURNS pg_catalog.text
  AS 'MODULE_PATHNAME', 'cohort_engagement_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_level(pg_catalog.float8) IS
  'high (score >= 20), medium (>= 10) or low';

CREATE FUNCTION @extschema@.risk_counts_accum(pg_catalog.float8[], pg_catalog.text, pg_catalog.float8)
  RETURNS pg_catalog.float8[]
  AS 'MODULE_PATHNAME', 'cohort_risk_counts_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.risk_counts_combine(pg_catalog.float8[], pg_catalog.float8[])
  RETURNS pg_catalog.float8[]
  AS 'MODULE_PATHNAME', 'cohort_risk_counts_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.risk_counts_final(pg_catalog.float8[]) RETURNS @extschema@.statistics
  AS 'MODULE_PATHNAME', 'cohort_risk_counts_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The state is a real type (float8[]), not internal, so PostgreSQL ships partial states between
-- parallel workers itself and Citus can combine them on the coordinator; no SERIALFUNC is needed.
CREATE AGGREGATE @extschema@.risk_counts(risk_level pg_catalog.text, churn_score pg_catalog.float8) (
  SFUNC = @extschema@.risk_counts_accum,
  STYPE = pg_catalog.float8[],
  INITCOND = '{0,0,0,0,0,0}',
  COMBINEFUNC = @extschema@.risk_counts_combine,
  FINALFUNC = @extschema@.risk_counts_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.risk_counts(pg_catalog.text, pg_catalog.float8) IS
  'cohort statistics: customers, average churn score, and high/medium/low risk counts';

CREATE FUNCTION @extschema@.engagement_accum(pg_catalog.float8[], pg_catalog.float8, pg_catalog.float8, pg_catalog.float8)
  RETURNS pg_catalog.float8[]
  AS 'MODULE_PATHNAME', 'cohort_engagement_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_combine(pg_catalog.float8[], pg_catalog.float8[])
  RETURNS pg_catalog.float8[]
  AS 'MODULE_PATHNAME', 'cohort_engagement_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_final(pg_catalog.float8[]) RETURNS @extschema@.engagement
  AS 'MODULE_PATHNAME', 'cohort_engagement_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.engagement_stats(
    email_opens pg_catalog.float8, website_visits pg_catalog.float8, total_purchases pg_catalog.float8) (
  SFUNC = @extschema@.engagement_accum,
  STYPE = pg_catalog.float8[],
  INITCOND = '{0,0,0,0,0}',
  COMBINEFUNC = @extschema@.engagement_combine,
  FINALFUNC = @extschema@.engagement_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.engagement_stats(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8) IS
  'engagement of a set of customers: count, average score, and high/medium/low counts';

-- The support functions are for the aggregates (which check their owner's right to call them);
-- direct calls are not needed by anyone.
REVOKE EXECUTE ON FUNCTION
  @extschema@.risk_counts_accum(pg_catalog.float8[], pg_catalog.text, pg_catalog.float8),
  @extschema@.risk_counts_combine(pg_catalog.float8[], pg_catalog.float8[]),
  @extschema@.risk_counts_final(pg_catalog.float8[]),
  @extschema@.engagement_accum(pg_catalog.float8[], pg_catalog.float8, pg_catalog.float8, pg_catalog.float8),
  @extschema@.engagement_combine(pg_catalog.float8[], pg_catalog.float8[]),
  @extschema@.engagement_final(pg_catalog.float8[])
  FROM PUBLIC;
