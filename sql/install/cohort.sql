-- cohort extension install script (copied to cohort--<version>.sql at build time).
-- Every name is schema-qualified; nothing here depends on the caller's search_path.

\echo Use "CREATE EXTENSION cohort" to load this file. \quit

-- Every role may use the extension's objects; what they read is governed by their own rights.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

-- ---------------------------------------------------------------------------
-- The cohort definition type
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.definition;

CREATE FUNCTION @extschema@.definition_in(pg_catalog.cstring) RETURNS @extschema@.definition
  AS 'MODULE_PATHNAME', 'cohort_definition_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_out(@extschema@.definition) RETURNS pg_catalog.cstring
  AS 'MODULE_PATHNAME', 'cohort_definition_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_recv(pg_catalog.internal) RETURNS @extschema@.definition
  AS 'MODULE_PATHNAME', 'cohort_definition_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_send(@extschema@.definition) RETURNS pg_catalog.bytea
  AS 'MODULE_PATHNAME', 'cohort_definition_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.definition (
  INPUT = @extschema@.definition_in,
  OUTPUT = @extschema@.definition_out,
  RECEIVE = @extschema@.definition_recv,
  SEND = @extschema@.definition_send,
  INTERNALLENGTH = VARIABLE,
  STORAGE = extended,
  COLLATABLE = false
);
COMMENT ON TYPE @extschema@.definition IS
  'a cohort definition: behavioural conditions over events and attribute ranges over customers, stored in canonical JSON';

CREATE FUNCTION @extschema@.definition_to_jsonb(@extschema@.definition) RETURNS pg_catalog.jsonb
  AS 'MODULE_PATHNAME', 'cohort_definition_to_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_from_jsonb(pg_catalog.jsonb) RETURNS @extschema@.definition
  AS 'MODULE_PATHNAME', 'cohort_definition_from_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (@extschema@.definition AS pg_catalog.jsonb)
  WITH FUNCTION @extschema@.definition_to_jsonb(@extschema@.definition);
CREATE CAST (pg_catalog.jsonb AS @extschema@.definition)
  WITH FUNCTION @extschema@.definition_from_jsonb(pg_catalog.jsonb);

-- Comparison: byte order of the canonical text, so equal meaning compares equal.
CREATE FUNCTION @extschema@.definition_cmp(@extschema@.definition, @extschema@.definition) RETURNS pg_catalog.int4
  AS 'MODULE_PATHNAME', 'cohort_definition_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_eq(@extschema@.definition, @extschema@.definition) RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'cohort_definition_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_ne(@extschema@.definition, @extschema@.definition) RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'cohort_definition_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_lt(@extschema@.definition, @extschema@.definition) RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'cohort_definition_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_le(@extschema@.definition, @extschema@.definition) RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'cohort_definition_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_gt(@extschema@.definition, @extschema@.definition) RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'cohort_definition_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_ge(@extschema@.definition, @extschema@.definition) RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'cohort_definition_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.definition_hash(@extschema@.definition) RETURNS pg_catalog.int4
  AS 'MODULE_PATHNAME', 'cohort_definition_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.= (
  LEFTARG = @extschema@.definition, RIGHTARG = @extschema@.definition,
  FUNCTION = @extschema@.definition_eq, COMMUTATOR = OPERATOR(@extschema@.=),
  NEGATOR = OPERATOR(@extschema@.<>), RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
  HASHES, MERGES);
CREATE OPERATOR @extschema@.<> (
  LEFTARG = @extschema@.definition, RIGHTARG = @extschema@.definition,
  FUNCTION = @extschema@.definition_ne, COMMUTATOR = OPERATOR(@extschema@.<>),
  NEGATOR = OPERATOR(@extschema@.=), RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR @extschema@.< (
  LEFTARG = @extschema@.definition, RIGHTARG = @extschema@.definition,
  FUNCTION = @extschema@.definition_lt, COMMUTATOR = OPERATOR(@extschema@.>),
  NEGATOR = OPERATOR(@extschema@.>=), RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR @extschema@.<= (
  LEFTARG = @extschema@.definition, RIGHTARG = @extschema@.definition,
  FUNCTION = @extschema@.definition_le, COMMUTATOR = OPERATOR(@extschema@.>=),
  NEGATOR = OPERATOR(@extschema@.>), RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR @extschema@.> (
  LEFTARG = @extschema@.definition, RIGHTARG = @extschema@.definition,
  FUNCTION = @extschema@.definition_gt, COMMUTATOR = OPERATOR(@extschema@.<),
  NEGATOR = OPERATOR(@extschema@.<=), RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR @extschema@.>= (
  LEFTARG = @extschema@.definition, RIGHTARG = @extschema@.definition,
  FUNCTION = @extschema@.definition_ge, COMMUTATOR = OPERATOR(@extschema@.<=),
  NEGATOR = OPERATOR(@extschema@.<), RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);

CREATE OPERATOR CLASS @extschema@.definition_ops DEFAULT FOR TYPE @extschema@.definition USING btree AS
  OPERATOR 1 @extschema@.<, OPERATOR 2 @extschema@.<=, OPERATOR 3 @extschema@.=,
  OPERATOR 4 @extschema@.>=, OPERATOR 5 @extschema@.>,
  FUNCTION 1 @extschema@.definition_cmp(@extschema@.definition, @extschema@.definition);
CREATE OPERATOR CLASS @extschema@.definition_hash_ops DEFAULT FOR TYPE @extschema@.definition USING hash AS
  OPERATOR 1 @extschema@.=,
  FUNCTION 1 @extschema@.definition_hash(@extschema@.definition);

-- ---------------------------------------------------------------------------
-- Evaluation
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.evaluate(
    definition @extschema@.definition,
    events pg_catalog.regclass,
    customers pg_catalog.regclass DEFAULT NULL,
    as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
  RETURNS TABLE (user_id pg_catalog.int8)
  AS 'MODULE_PATHNAME', 'cohort_evaluate'
  LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.evaluate(@extschema@.definition, pg_catalog.regclass, pg_catalog.regclass, pg_catalog.timestamptz) IS
  'members of a cohort: user ids from the events (and customers) relation, read with the caller''s rights';

-- ---------------------------------------------------------------------------
-- Engagement and churn-risk statistics
-- ---------------------------------------------------------------------------

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
