-- The cohort definition type

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
  COLLATABLE = false,
  CATEGORY = 'S'  -- string category: an untyped literal resolves to a definition before a number
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


CREATE FUNCTION @extschema@.describe(definition @extschema@.definition) RETURNS pg_catalog.text[]
  AS 'MODULE_PATHNAME', 'cohort_describe' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.describe(@extschema@.definition) IS
  'readable tags, one per top-level condition, e.g. {"engagement: high","age 25-65"}';
