-- ClickHouse-style analytics aggregates: window_funnel, retention, sequence_match, sequence_count
-- (see docs/analytics.md). The event-list states are `internal` (they grow with the events of a
-- group) and ship between parallel workers through SERIALFUNC/DESERIALFUNC; retention keeps a
-- fixed bigint state, so it combines without serialization (and Citus can combine it too).
-- SSPACE is the planner's estimate of a group's state (about 80 events of 12 bytes, a typical
-- user); without it PostgreSQL assumes 8 kB for an `internal` state, and hash aggregation over many
-- users then plans to spill, or the planner sorts every row instead. The states are allocated in the
-- aggregate memory context, which hash aggregation measures when it creates a group.

-- window_funnel

CREATE FUNCTION @extschema@.window_funnel_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool[])
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool[]) IS
  'window_funnel transition: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_modes_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool[])
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_modes_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_modes_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool[]) IS
  'window_funnel transition (form with modes): adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_combine(pg_catalog.internal, pg_catalog.internal)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_combine(pg_catalog.internal, pg_catalog.internal) IS
  'window_funnel combine: merges two partial event lists';

CREATE FUNCTION @extschema@.window_funnel_serialize(pg_catalog.internal)
  RETURNS pg_catalog.bytea
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_serialize(pg_catalog.internal) IS
  'window_funnel serialize: partial state to bytea';

CREATE FUNCTION @extschema@.window_funnel_deserialize(pg_catalog.bytea, pg_catalog.internal)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_deserialize(pg_catalog.bytea, pg_catalog.internal) IS
  'window_funnel deserialize: validated bytea to partial state';

CREATE FUNCTION @extschema@.window_funnel_final(pg_catalog.internal)
  RETURNS pg_catalog.int4
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_final(pg_catalog.internal) IS
  'window_funnel final: the highest step reached (0 without rows)';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, ts pg_catalog.timestamptz, VARIADIC steps pg_catalog.bool[]) (
  SFUNC = @extschema@.window_funnel_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.timestamptz, VARIADIC pg_catalog.bool[]) IS
  'ClickHouse windowFunnel: the longest chain of steps, in order, within the window from its first step';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, modes pg_catalog.text[], ts pg_catalog.timestamptz,
    VARIADIC steps pg_catalog.bool[]) (
  SFUNC = @extschema@.window_funnel_modes_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, VARIADIC pg_catalog.bool[]) IS
  'ClickHouse windowFunnel with modes: strict_deduplication, strict_order, strict_increase, strict_once, allow_reentry';

-- window_funnel with 2 to 8 plain boolean steps: non-variadic overloads of the two aggregates
-- above. PostgreSQL prefers an exact non-variadic match, so `window_funnel(w, ts, a, b, c)` resolves
-- here and the executor does not build a boolean[] for every row (see docs/analytics.md,
-- Performance). One C transition function per form reads the steps positionally; state,
-- combine, serialize, deserialize and final functions are the variadic aggregates', so results are
-- the same. With 1 step, more than 8, or `VARIADIC array`, the variadic aggregates are used.

CREATE FUNCTION @extschema@.window_funnel_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition, 2 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition, 3 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition, 4 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition, 5 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition, 6 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition, 7 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition, 8 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_modes_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_modes_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_modes_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition (form with modes), 2 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_modes_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_modes_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_modes_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition (form with modes), 3 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_modes_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_modes_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_modes_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition (form with modes), 4 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_modes_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_modes_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_modes_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition (form with modes), 5 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_modes_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_modes_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_modes_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition (form with modes), 6 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_modes_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_modes_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_modes_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition (form with modes), 7 plain steps: adds one row to the event list';

CREATE FUNCTION @extschema@.window_funnel_modes_plain_transition(
    pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_window_funnel_modes_plain_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_modes_plain_transition(pg_catalog.internal, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'window_funnel transition (form with modes), 8 plain steps: adds one row to the event list';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel, 2 steps (non-variadic form of window_funnel(interval, timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel, 3 steps (non-variadic form of window_funnel(interval, timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel, 4 steps (non-variadic form of window_funnel(interval, timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool, step5 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel, 5 steps (non-variadic form of window_funnel(interval, timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool, step5 pg_catalog.bool, step6 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel, 6 steps (non-variadic form of window_funnel(interval, timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool, step5 pg_catalog.bool, step6 pg_catalog.bool, step7 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel, 7 steps (non-variadic form of window_funnel(interval, timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool, step5 pg_catalog.bool, step6 pg_catalog.bool, step7 pg_catalog.bool, step8 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel, 8 steps (non-variadic form of window_funnel(interval, timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, modes pg_catalog.text[], ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_modes_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel with modes, 2 steps (non-variadic form of window_funnel(interval, text[], timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, modes pg_catalog.text[], ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_modes_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel with modes, 3 steps (non-variadic form of window_funnel(interval, text[], timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, modes pg_catalog.text[], ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_modes_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel with modes, 4 steps (non-variadic form of window_funnel(interval, text[], timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, modes pg_catalog.text[], ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool, step5 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_modes_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel with modes, 5 steps (non-variadic form of window_funnel(interval, text[], timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, modes pg_catalog.text[], ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool, step5 pg_catalog.bool, step6 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_modes_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel with modes, 6 steps (non-variadic form of window_funnel(interval, text[], timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, modes pg_catalog.text[], ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool, step5 pg_catalog.bool, step6 pg_catalog.bool, step7 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_modes_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel with modes, 7 steps (non-variadic form of window_funnel(interval, text[], timestamptz, VARIADIC boolean[]))';

CREATE AGGREGATE @extschema@.window_funnel(
    window_size pg_catalog.interval, modes pg_catalog.text[], ts pg_catalog.timestamptz,
    step1 pg_catalog.bool, step2 pg_catalog.bool, step3 pg_catalog.bool, step4 pg_catalog.bool, step5 pg_catalog.bool, step6 pg_catalog.bool, step7 pg_catalog.bool, step8 pg_catalog.bool) (
  SFUNC = @extschema@.window_funnel_modes_plain_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.window_funnel_final,
  COMBINEFUNC = @extschema@.window_funnel_combine,
  SERIALFUNC = @extschema@.window_funnel_serialize,
  DESERIALFUNC = @extschema@.window_funnel_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool) IS
  'ClickHouse windowFunnel with modes, 8 steps (non-variadic form of window_funnel(interval, text[], timestamptz, VARIADIC boolean[]))';

-- sequence_match and sequence_count

CREATE FUNCTION @extschema@.sequence_transition(
    pg_catalog.internal, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.bool[])
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_sequence_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_transition(pg_catalog.internal, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.bool[]) IS
  'sequence_match/sequence_count transition: validates the pattern, adds rows with a true condition';

CREATE FUNCTION @extschema@.sequence_combine(pg_catalog.internal, pg_catalog.internal)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_sequence_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_combine(pg_catalog.internal, pg_catalog.internal) IS
  'sequence_match/sequence_count combine: merges two partial event lists';

CREATE FUNCTION @extschema@.sequence_serialize(pg_catalog.internal)
  RETURNS pg_catalog.bytea
  AS 'MODULE_PATHNAME', 'cohort_sequence_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_serialize(pg_catalog.internal) IS
  'sequence_match/sequence_count serialize: partial state to bytea';

CREATE FUNCTION @extschema@.sequence_deserialize(pg_catalog.bytea, pg_catalog.internal)
  RETURNS pg_catalog.internal
  AS 'MODULE_PATHNAME', 'cohort_sequence_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_deserialize(pg_catalog.bytea, pg_catalog.internal) IS
  'sequence_match/sequence_count deserialize: validated bytea to partial state';

CREATE FUNCTION @extschema@.sequence_match_final(pg_catalog.internal)
  RETURNS pg_catalog.bool
  AS 'MODULE_PATHNAME', 'cohort_sequence_match_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_match_final(pg_catalog.internal) IS
  'sequence_match final: whether the pattern matches (false without rows)';

CREATE FUNCTION @extschema@.sequence_count_final(pg_catalog.internal)
  RETURNS pg_catalog.int8
  AS 'MODULE_PATHNAME', 'cohort_sequence_count_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_count_final(pg_catalog.internal) IS
  'sequence_count final: the number of non-overlapping matches (0 without rows)';

CREATE AGGREGATE @extschema@.sequence_match(
    pattern pg_catalog.text, ts pg_catalog.timestamptz, VARIADIC conditions pg_catalog.bool[]) (
  SFUNC = @extschema@.sequence_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.sequence_match_final,
  COMBINEFUNC = @extschema@.sequence_combine,
  SERIALFUNC = @extschema@.sequence_serialize,
  DESERIALFUNC = @extschema@.sequence_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_match(pg_catalog.text, pg_catalog.timestamptz, VARIADIC pg_catalog.bool[]) IS
  'ClickHouse sequenceMatch: whether the events, in time order, match the pattern';

CREATE AGGREGATE @extschema@.sequence_count(
    pattern pg_catalog.text, ts pg_catalog.timestamptz, VARIADIC conditions pg_catalog.bool[]) (
  SFUNC = @extschema@.sequence_transition,
  STYPE = pg_catalog.internal,
  SSPACE = 1024,
  FINALFUNC = @extschema@.sequence_count_final,
  COMBINEFUNC = @extschema@.sequence_combine,
  SERIALFUNC = @extschema@.sequence_serialize,
  DESERIALFUNC = @extschema@.sequence_deserialize,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_count(pg_catalog.text, pg_catalog.timestamptz, VARIADIC pg_catalog.bool[]) IS
  'ClickHouse sequenceCount: the number of non-overlapping matches of the pattern';

-- funnel_levels: window_funnel(window_size, ts, event = steps[1], ..., event = steps[n]) for every
-- user with step events up to as_of, from one scan of the events and a sort.
CREATE FUNCTION @extschema@.funnel_levels(
    events pg_catalog.regclass, window_size pg_catalog.interval, steps pg_catalog.text[],
    as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
  RETURNS TABLE (user_id pg_catalog.int8, level pg_catalog.int4)
  AS 'MODULE_PATHNAME', 'cohort_funnel_levels'
  LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 10000;
COMMENT ON FUNCTION @extschema@.funnel_levels(pg_catalog.regclass, pg_catalog.interval, pg_catalog.text[], pg_catalog.timestamptz) IS
  'window_funnel level of every user with step events (default mode), from one scan of the events and a sort';

-- retention

CREATE FUNCTION @extschema@.retention_transition(pg_catalog.int8, pg_catalog.bool[])
  RETURNS pg_catalog.int8
  AS 'MODULE_PATHNAME', 'cohort_retention_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_transition(pg_catalog.int8, pg_catalog.bool[]) IS
  'retention transition: ORs the row''s true conditions into the packed state';

CREATE FUNCTION @extschema@.retention_combine(pg_catalog.int8, pg_catalog.int8)
  RETURNS pg_catalog.int8
  AS 'MODULE_PATHNAME', 'cohort_retention_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_combine(pg_catalog.int8, pg_catalog.int8) IS
  'retention combine: ORs two packed states';

CREATE FUNCTION @extschema@.retention_final(pg_catalog.int8)
  RETURNS pg_catalog.int4[]
  AS 'MODULE_PATHNAME', 'cohort_retention_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_final(pg_catalog.int8) IS
  'retention final: [c1, c1 and c2, ..., c1 and cN] as 0/1 (NULL without rows)';

CREATE AGGREGATE @extschema@.retention(VARIADIC conditions pg_catalog.bool[]) (
  SFUNC = @extschema@.retention_transition,
  STYPE = pg_catalog.int8,
  INITCOND = '0',
  FINALFUNC = @extschema@.retention_final,
  COMBINEFUNC = @extschema@.retention_combine,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention(VARIADIC pg_catalog.bool[]) IS
  'ClickHouse retention: [c1, c1 and c2, ..., c1 and cN] over the group, as 0/1 integers';
