-- Functions bench.sql and scattered.sql share (session-local, in pg_temp).

-- Becomes `role` for the rest of the transaction, or the benchmark's own role again (NULL).
CREATE FUNCTION pg_temp.as_role(role text) RETURNS void LANGUAGE sql AS $$SELECT set_config('role', coalesce(role, 'none'), true)$$;

-- Runs `sql` once, returning seconds.
CREATE FUNCTION pg_temp.time_once(sql text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; n bigint;
BEGIN
  t0 := clock_timestamp();
  EXECUTE 'SELECT count(*) FROM (' || sql || ') q' INTO n;
  RETURN extract(epoch FROM clock_timestamp() - t0);
END $$;
-- Runs `sql` (a single-row query) as it is, returning seconds.
CREATE FUNCTION pg_temp.time_plain(sql text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; r record;
BEGIN
  t0 := clock_timestamp();
  EXECUTE sql INTO r;
  RETURN extract(epoch FROM clock_timestamp() - t0);
END $$;
-- Same members (or the same level counts) from both, run as `role` (NULL: the benchmark's own).
CREATE FUNCTION pg_temp.differences(a text, b text, role text DEFAULT NULL) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  PERFORM pg_temp.as_role(role);
  EXECUTE format('SELECT (SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) x) + (SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) y)', a, b, b, a) INTO n;
  PERFORM pg_temp.as_role(NULL);
  RETURN n;
END $$;
