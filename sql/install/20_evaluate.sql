-- Evaluation

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

