-- The catalog of saved cohorts: one row per cohort, each role seeing and changing only its own
-- (row-level security on current_user), kept by pg_dump as extension configuration.

CREATE SEQUENCE @extschema@.cohorts_id_seq AS pg_catalog.int8;

CREATE TABLE @extschema@.cohorts (
  id                bigint PRIMARY KEY DEFAULT pg_catalog.nextval('@extschema@.cohorts_id_seq'::pg_catalog.regclass),
  owner             name NOT NULL DEFAULT CURRENT_USER,
  name              text NOT NULL,
  description       text,
  definition        @extschema@.definition NOT NULL,
  is_active         boolean NOT NULL DEFAULT true,
  created_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
  updated_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
  deleted_at        timestamptz,
  last_calculated   timestamptz,
  total_customers   bigint NOT NULL DEFAULT 0,
  avg_churn_score   double precision,
  high_risk_count   bigint NOT NULL DEFAULT 0,
  medium_risk_count bigint NOT NULL DEFAULT 0,
  low_risk_count    bigint NOT NULL DEFAULT 0,
  CONSTRAINT cohorts_name_valid CHECK (pg_catalog.btrim(name) OPERATOR(pg_catalog.<>) '' AND pg_catalog.length(name) OPERATOR(pg_catalog.<=) 200),
  CONSTRAINT cohorts_soft_delete_consistent CHECK (is_active OPERATOR(pg_catalog.=) (deleted_at IS NULL))
);
ALTER SEQUENCE @extschema@.cohorts_id_seq OWNED BY @extschema@.cohorts.id;
COMMENT ON TABLE @extschema@.cohorts IS 'saved cohorts; each role sees only its own rows (row-level security)';

-- Names are unique per owner among active cohorts, ignoring case.
CREATE UNIQUE INDEX cohorts_owner_name_active
  ON @extschema@.cohorts (owner, pg_catalog.lower(name)) WHERE is_active;

CREATE TABLE @extschema@.sources (
  owner      name PRIMARY KEY DEFAULT CURRENT_USER,
  events     text NOT NULL,
  customers  text,
  updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.sources IS
  'per role: the events and customers relations its saved cohorts evaluate over (schema-qualified names)';

ALTER TABLE @extschema@.cohorts ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.cohorts FORCE ROW LEVEL SECURITY;
CREATE POLICY cohorts_own_rows ON @extschema@.cohorts
  USING (owner OPERATOR(pg_catalog.=) CURRENT_USER) WITH CHECK (owner OPERATOR(pg_catalog.=) CURRENT_USER);
ALTER TABLE @extschema@.sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.sources FORCE ROW LEVEL SECURITY;
CREATE POLICY sources_own_rows ON @extschema@.sources
  USING (owner OPERATOR(pg_catalog.=) CURRENT_USER) WITH CHECK (owner OPERATOR(pg_catalog.=) CURRENT_USER);

GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.cohorts, @extschema@.sources TO PUBLIC;
GRANT USAGE ON SEQUENCE @extschema@.cohorts_id_seq TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.cohorts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cohorts_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sources', '');

-- Raises 42704 "cohort N does not exist" (also for another role's cohort, so existence never leaks).
CREATE FUNCTION @extschema@.raise_no_cohort(id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'cohort % does not exist', id USING ERRCODE = 'undefined_object';
END $$;

-- Checks that a relation has the given columns, naming the first missing one.
CREATE FUNCTION @extschema@.check_columns(rel regclass, role text, columns text[]) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  missing text;
BEGIN
  IF rel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = rel) THEN
    RAISE EXCEPTION '% relation with OID % does not exist', role, rel::oid USING ERRCODE = 'undefined_table';
  END IF;
  SELECT c INTO missing FROM unnest(columns) c
   WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                      WHERE a.attrelid = rel AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped)
   LIMIT 1;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'column "%" does not exist in % relation %', missing, role, rel
      USING ERRCODE = 'undefined_column', HINT = 'A source with other column names can be wrapped in a view.';
  END IF;
  IF NOT has_table_privilege(rel, 'SELECT') AND NOT has_any_column_privilege(rel, 'SELECT') THEN
    RAISE EXCEPTION 'permission denied for % relation %', role, rel USING ERRCODE = 'insufficient_privilege';
  END IF;
END $$;

-- Records the relations the caller's saved cohorts evaluate over.
CREATE FUNCTION @extschema@.set_sources(events regclass, customers regclass DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF events IS NULL THEN
    RAISE EXCEPTION 'argument "events" of cohort.set_sources must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  PERFORM @extschema@.check_columns(events, 'events', ARRAY['user_id', 'event', 'ts']);
  IF customers IS NOT NULL THEN
    PERFORM @extschema@.check_columns(customers, 'customers', ARRAY['user_id']);
  END IF;
  INSERT INTO @extschema@.sources AS s (owner, events, customers)
  VALUES (CURRENT_USER,
          (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = events),
          (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = customers))
  ON CONFLICT (owner) DO UPDATE SET events = excluded.events, customers = excluded.customers, updated_at = now();
END $$;
COMMENT ON FUNCTION @extschema@.set_sources(regclass, regclass) IS
  'sets the events (and customers) relations that the caller''s saved cohorts evaluate over';

-- The caller's sources; 55000 when none are set, 42P01 when a source was dropped.
CREATE FUNCTION @extschema@.caller_sources(OUT events regclass, OUT customers regclass)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s record;
BEGIN
  SELECT * INTO s FROM @extschema@.sources WHERE owner = CURRENT_USER;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no cohort sources are set for role %', CURRENT_USER
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Call cohort.set_sources(events, customers) first.';
  END IF;
  events := to_regclass(s.events);
  IF events IS NULL THEN
    RAISE EXCEPTION 'events relation % of role % no longer exists', s.events, CURRENT_USER
      USING ERRCODE = 'undefined_table', HINT = 'Call cohort.set_sources(events, customers) again.';
  END IF;
  IF s.customers IS NOT NULL THEN
    customers := to_regclass(s.customers);
    IF customers IS NULL THEN
      RAISE EXCEPTION 'customers relation % of role % no longer exists', s.customers, CURRENT_USER
        USING ERRCODE = 'undefined_table', HINT = 'Call cohort.set_sources(events, customers) again.';
    END IF;
  END IF;
END $$;

-- Statistics of several definitions' members from one pass over the sources, one row per
-- definition (index from 1): from customers.churn_score and risk_level when a customers relation is
-- given, otherwise only the member count.
CREATE FUNCTION @extschema@.member_statistics(
    definitions @extschema@.definition[], events regclass, customers regclass, as_of timestamptz)
  RETURNS TABLE (definition_index integer, total_customers bigint, avg_churn_score double precision,
                 high_risk_count bigint, medium_risk_count bigint, low_risk_count bigint)
  AS 'MODULE_PATHNAME', 'cohort_member_statistics'
  LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 10;
COMMENT ON FUNCTION @extschema@.member_statistics(@extschema@.definition[], regclass, regclass, timestamptz) IS
  'statistics_many without the column checks: one pass over the events, one over the customers';

CREATE FUNCTION @extschema@.statistics_many(
    definitions @extschema@.definition[], events regclass, customers regclass DEFAULT NULL,
    as_of timestamptz DEFAULT now())
  RETURNS TABLE (definition_index integer, total_customers bigint, avg_churn_score double precision,
                 high_risk_count bigint, medium_risk_count bigint, low_risk_count bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF definitions IS NULL THEN
    RETURN;
  END IF;
  IF customers IS NOT NULL THEN
    PERFORM @extschema@.check_columns(customers, 'customers', ARRAY['user_id', 'risk_level', 'churn_score']);
  END IF;
  RETURN QUERY SELECT * FROM @extschema@.member_statistics(definitions, events, customers, as_of);
END $$;
COMMENT ON FUNCTION @extschema@.statistics_many(@extschema@.definition[], regclass, regclass, timestamptz) IS
  'statistics of several definitions from one pass over the sources, one row per definition';

-- Statistics of one definition's members.
CREATE FUNCTION @extschema@.compute_statistics(
    definition @extschema@.definition, events regclass, customers regclass DEFAULT NULL,
    as_of timestamptz DEFAULT now())
  RETURNS @extschema@.statistics
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT ROW(s.total_customers, s.avg_churn_score, s.high_risk_count, s.medium_risk_count,
             s.low_risk_count)::@extschema@.statistics
    FROM @extschema@.statistics_many(ARRAY[definition], events, customers, as_of) s
$$;
COMMENT ON FUNCTION @extschema@.compute_statistics(@extschema@.definition, regclass, regclass, timestamptz) IS
  'total customers, average churn score and high/medium/low risk counts of a cohort''s members';

-- Stores fresh statistics on a cohort row of the caller (sources required) and returns them.
CREATE FUNCTION @extschema@.store_statistics(cohort_id bigint) RETURNS @extschema@.statistics
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c @extschema@.cohorts;
  src record;
  stats @extschema@.statistics;
BEGIN
  SELECT * INTO c FROM @extschema@.cohorts WHERE id = cohort_id AND owner = CURRENT_USER FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM @extschema@.raise_no_cohort(cohort_id);
  END IF;
  src := @extschema@.caller_sources();
  stats := @extschema@.compute_statistics(c.definition, src.events, src.customers, now());
  UPDATE @extschema@.cohorts
     SET total_customers = stats.total_customers, avg_churn_score = stats.avg_churn_score,
         high_risk_count = stats.high_risk_count, medium_risk_count = stats.medium_risk_count,
         low_risk_count = stats.low_risk_count, last_calculated = now()
   WHERE id = cohort_id;
  RETURN stats;
END $$;

-- Trims white space (blanks, tabs, line breaks) and checks a cohort name.
CREATE FUNCTION @extschema@.checked_name(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  clean text := btrim(name, E' \t\n\r\f\v');
BEGIN
  IF clean IS NULL OR clean = '' THEN
    RAISE EXCEPTION 'cohort name must not be empty' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF length(clean) > 200 THEN
    RAISE EXCEPTION 'cohort name is too long' USING ERRCODE = 'invalid_parameter_value',
      DETAIL = format('The name has %s characters; the limit is 200.', length(clean));
  END IF;
  RETURN clean;
END $$;

-- True when the caller has sources set (statistics can be computed).
CREATE FUNCTION @extschema@.caller_has_sources() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM @extschema@.sources WHERE owner = CURRENT_USER) $$;

-- Saves a new cohort of the caller and computes its statistics; returns its id.
CREATE FUNCTION @extschema@.create(name text, definition @extschema@.definition, description text DEFAULT NULL)
  RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  new_id bigint;
  clean_name text := @extschema@.checked_name(name);
BEGIN
  IF definition IS NULL THEN
    RAISE EXCEPTION 'cohort definition must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  BEGIN
    INSERT INTO @extschema@.cohorts (owner, name, description, definition)
    VALUES (CURRENT_USER, clean_name, nullif(description, ''), definition)
    RETURNING id INTO new_id;
  EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'cohort "%" already exists', clean_name
      USING ERRCODE = 'unique_violation', HINT = 'Cohort names are unique per role, ignoring case.';
  END;
  IF @extschema@.caller_has_sources() THEN
    PERFORM @extschema@.store_statistics(new_id);
  END IF;
  RETURN new_id;
END $$;
COMMENT ON FUNCTION @extschema@.create(text, @extschema@.definition, text) IS
  'saves a cohort of the caller, computes its statistics (when sources are set) and returns its id';

-- Changes what is given (NULL: keep; '' clears the description); recomputes statistics on a new definition.
CREATE FUNCTION @extschema@.update(id bigint, name text DEFAULT NULL, definition @extschema@.definition DEFAULT NULL,
                                   description text DEFAULT NULL)
  RETURNS @extschema@.cohorts
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c @extschema@.cohorts;
  cohort_id bigint := id;
  new_name text := CASE WHEN name IS NULL THEN NULL ELSE @extschema@.checked_name(name) END;
  new_definition @extschema@.definition := definition;
  new_description text := description;
BEGIN
  SELECT * INTO c FROM @extschema@.cohorts x WHERE x.id = cohort_id AND x.owner = CURRENT_USER FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM @extschema@.raise_no_cohort(cohort_id);
  END IF;
  BEGIN
    UPDATE @extschema@.cohorts x
       SET name = coalesce(new_name, x.name),
           description = CASE WHEN new_description IS NULL THEN x.description ELSE nullif(new_description, '') END,
           definition = coalesce(new_definition, x.definition),
           updated_at = now()
     WHERE x.id = cohort_id;
  EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'cohort "%" already exists', new_name
      USING ERRCODE = 'unique_violation', HINT = 'Cohort names are unique per role, ignoring case.';
  END;
  IF new_definition IS NOT NULL AND new_definition OPERATOR(@extschema@.<>) c.definition
     AND @extschema@.caller_has_sources() THEN
    PERFORM @extschema@.store_statistics(cohort_id);
  END IF;
  SELECT * INTO c FROM @extschema@.cohorts x WHERE x.id = cohort_id;
  RETURN c;
END $$;

-- Soft-deletes a cohort (restorable).
CREATE FUNCTION @extschema@.delete(id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  cohort_id bigint := id;
BEGIN
  UPDATE @extschema@.cohorts x SET is_active = false, deleted_at = coalesce(x.deleted_at, now())
   WHERE x.id = cohort_id AND x.owner = CURRENT_USER;
  IF NOT FOUND THEN
    PERFORM @extschema@.raise_no_cohort(cohort_id);
  END IF;
END $$;

-- Brings back a soft-deleted cohort; 23505 when an active cohort now holds its name.
CREATE FUNCTION @extschema@.restore(id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  cohort_id bigint := id;
  cohort_name text;
BEGIN
  SELECT x.name INTO cohort_name FROM @extschema@.cohorts x WHERE x.id = cohort_id AND x.owner = CURRENT_USER;
  IF NOT FOUND THEN
    PERFORM @extschema@.raise_no_cohort(cohort_id);
  END IF;
  BEGIN
    UPDATE @extschema@.cohorts x SET is_active = true, deleted_at = NULL, updated_at = now()
     WHERE x.id = cohort_id AND NOT x.is_active;
  EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'cohort % cannot be restored: an active cohort is named "%"', cohort_id, cohort_name
      USING ERRCODE = 'unique_violation', HINT = 'Rename or delete the active cohort first.';
  END;
END $$;

-- Removes a cohort for good.
CREATE FUNCTION @extschema@.purge(id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  cohort_id bigint := id;
BEGIN
  DELETE FROM @extschema@.cohorts x WHERE x.id = cohort_id AND x.owner = CURRENT_USER;
  IF NOT FOUND THEN
    PERFORM @extschema@.raise_no_cohort(cohort_id);
  END IF;
END $$;

-- One cohort of the caller (active or deleted).
CREATE FUNCTION @extschema@.get(id bigint) RETURNS @extschema@.cohorts
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c @extschema@.cohorts;
  cohort_id bigint := id;
BEGIN
  SELECT * INTO c FROM @extschema@.cohorts x WHERE x.id = cohort_id AND x.owner = CURRENT_USER;
  IF NOT FOUND THEN
    PERFORM @extschema@.raise_no_cohort(cohort_id);
  END IF;
  RETURN c;
END $$;

-- Checks an optional level filter value.
CREATE FUNCTION @extschema@.checked_level(level text, what text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF level IS NULL OR level = '' THEN
    RETURN NULL;
  END IF;
  IF lower(level) NOT IN ('high', 'medium', 'low') THEN
    RAISE EXCEPTION 'invalid % filter "%"', what, level
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Expected high, medium or low.';
  END IF;
  RETURN lower(level);
END $$;

-- The caller's cohorts, searched by name/description and filtered by the levels in their criteria.
CREATE FUNCTION @extschema@.list(search text DEFAULT NULL, engagement_level text DEFAULT NULL,
                                 churn_risk_level text DEFAULT NULL, include_deleted boolean DEFAULT false)
  RETURNS SETOF @extschema@.cohorts
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  engagement text := @extschema@.checked_level(engagement_level, 'engagement_level');
  churn text := @extschema@.checked_level(churn_risk_level, 'churn_risk_level');
  pattern text := '%' || replace(replace(replace(coalesce(search, ''), '\', '\\'), '%', '\%'), '_', '\_') || '%';
BEGIN
  RETURN QUERY
    SELECT * FROM @extschema@.cohorts x
     WHERE x.owner = CURRENT_USER
       AND (x.is_active OR coalesce(include_deleted, false))
       AND (search IS NULL OR x.name ILIKE pattern OR x.description ILIKE pattern)
       AND (engagement IS NULL OR jsonb_path_exists(x.definition::jsonb, '$.** ? (@.engagement_level == $l)',
                                                    jsonb_build_object('l', engagement)))
       AND (churn IS NULL OR jsonb_path_exists(x.definition::jsonb, '$.** ? (@.churn_risk_level == $l)',
                                               jsonb_build_object('l', churn)))
     ORDER BY lower(x.name), x.id;
END $$;

-- The members of a saved cohort over the caller's sources.
CREATE FUNCTION @extschema@.members(id bigint, as_of timestamptz DEFAULT now())
  RETURNS TABLE (user_id bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c @extschema@.cohorts := @extschema@.get(id);
  src record := @extschema@.caller_sources();
BEGIN
  RETURN QUERY SELECT m.user_id FROM @extschema@.evaluate(c.definition, src.events, src.customers, as_of) m;
END $$;

-- Recomputes, stores and returns a cohort's statistics.
CREATE FUNCTION @extschema@.recalculate(id bigint) RETURNS @extschema@.statistics
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT @extschema@.store_statistics(id) $$;

-- Recomputes every active cohort of the caller from one pass over the sources; one row per cohort.
CREATE FUNCTION @extschema@.recalculate_all()
  RETURNS TABLE (id bigint, name text, total_customers bigint, avg_churn_score double precision,
                 high_risk_count bigint, medium_risk_count bigint, low_risk_count bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  src record := @extschema@.caller_sources();
  ids bigint[];
  defs @extschema@.definition[];
BEGIN
  SELECT array_agg(x.id ORDER BY x.id), array_agg(x.definition ORDER BY x.id) INTO ids, defs
    FROM (SELECT c.id, c.definition FROM @extschema@.cohorts c
           WHERE c.owner = CURRENT_USER AND c.is_active ORDER BY c.id FOR UPDATE) x;
  IF ids IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
    WITH stats AS (
      SELECT * FROM @extschema@.statistics_many(defs, src.events, src.customers, now())),
    updated AS (
      UPDATE @extschema@.cohorts c
         SET total_customers = s.total_customers, avg_churn_score = s.avg_churn_score,
             high_risk_count = s.high_risk_count, medium_risk_count = s.medium_risk_count,
             low_risk_count = s.low_risk_count, last_calculated = now()
        FROM stats s
       WHERE c.id = ids[s.definition_index]
      RETURNING c.id, c.name, c.total_customers, c.avg_churn_score, c.high_risk_count,
                c.medium_risk_count, c.low_risk_count)
    SELECT * FROM updated u ORDER BY u.id;
END $$;

-- A text bar of the risk distribution: high, medium and low shares of `width` characters.
CREATE FUNCTION @extschema@.risk_bar(high bigint, medium bigint, low bigint, width integer DEFAULT 20)
  RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE WHEN t IS NULL OR width IS NULL OR width < 1 THEN ''
         ELSE repeat(CASE WHEN getdatabaseencoding() = 'UTF8' THEN chr(9608) ELSE 'H' END, h)
           || repeat(CASE WHEN getdatabaseencoding() = 'UTF8' THEN chr(9618) ELSE 'M' END, hm - h)
           || repeat(CASE WHEN getdatabaseencoding() = 'UTF8' THEN chr(9617) ELSE 'L' END, width - hm)
         END
    FROM (SELECT t, round(width * hi::numeric / t)::int AS h, round(width * (hi + me)::numeric / t)::int AS hm
            FROM (SELECT hi, me, nullif(hi + me + lo, 0) AS t
                    FROM (SELECT greatest(coalesce(high, 0), 0) AS hi, greatest(coalesce(medium, 0), 0) AS me,
                                 greatest(coalesce(low, 0), 0) AS lo) c) t) b
$$;
COMMENT ON FUNCTION @extschema@.risk_bar(bigint, bigint, bigint, integer) IS
  'text bar of a risk distribution (negative counts as 0): full blocks high, medium shade medium, light shade low';

-- One row per cohort of the caller, for people and BI tools.
CREATE VIEW @extschema@.overview WITH (security_invoker = true, security_barrier = true) AS
SELECT c.id, c.name, c.description,
       @extschema@.describe(c.definition) AS tags,
       pg_catalog.array_to_string(@extschema@.describe(c.definition), '; ') AS criteria,
       c.total_customers,
       pg_catalog.round(c.avg_churn_score::pg_catalog.numeric, 3) AS avg_churn_score,
       c.high_risk_count, c.medium_risk_count, c.low_risk_count,
       pg_catalog.round(c.high_risk_count::pg_catalog.numeric / NULLIF(c.total_customers, 0), 3) AS high_risk_share,
       pg_catalog.round(c.medium_risk_count::pg_catalog.numeric / NULLIF(c.total_customers, 0), 3) AS medium_risk_share,
       pg_catalog.round(c.low_risk_count::pg_catalog.numeric / NULLIF(c.total_customers, 0), 3) AS low_risk_share,
       @extschema@.risk_bar(c.high_risk_count, c.medium_risk_count, c.low_risk_count) AS risk_distribution,
       c.is_active, c.created_at, c.updated_at, c.last_calculated, c.definition
  FROM @extschema@.cohorts c
 WHERE c.owner OPERATOR(pg_catalog.=) CURRENT_USER;
COMMENT ON VIEW @extschema@.overview IS 'the caller''s cohorts with statistics, readable criteria and risk distribution';
GRANT SELECT ON @extschema@.overview TO PUBLIC;
