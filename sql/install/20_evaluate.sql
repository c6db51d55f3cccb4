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


CREATE FUNCTION @extschema@.last_evaluation(
    OUT events_scan pg_catalog.text, OUT customers_scan pg_catalog.text, OUT event_rows pg_catalog.int8,
    OUT users pg_catalog.int8, OUT state_bytes pg_catalog.int8,
    OUT workers_planned pg_catalog.int4, OUT workers_launched pg_catalog.int4,
    OUT pages_skipped pg_catalog.int8, OUT pages_guessed pg_catalog.int8)
  AS 'MODULE_PATHNAME', 'cohort_last_evaluation'
  LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.last_evaluation() IS
  'how this backend''s last cohort.evaluate read its sources: direct, direct parallel or executor scans, rows folded, users, state bytes (leader and workers), parallel workers planned and launched, events pages a BRIN index on ts let the direct scan skip, events pages the direct scan pinned by a guessed buffer without a buffer-mapping lookup';

CREATE FUNCTION @extschema@.evaluate_many(
    definitions @extschema@.definition[],
    events pg_catalog.regclass,
    customers pg_catalog.regclass DEFAULT NULL,
    as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
  RETURNS TABLE (definition_index pg_catalog.int4, user_id pg_catalog.int8)
  AS 'MODULE_PATHNAME', 'cohort_evaluate_many'
  LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 10000;
COMMENT ON FUNCTION @extschema@.evaluate_many(@extschema@.definition[], pg_catalog.regclass, pg_catalog.regclass, pg_catalog.timestamptz) IS
  'members of several definitions from one pass over the sources, as (index in the array from 1, user_id)';
