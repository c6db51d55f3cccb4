-- cohort extension install script (copied to cohort--<version>.sql at build time).
-- Every name is schema-qualified; nothing here depends on the caller's search_path.

\echo Use "CREATE EXTENSION cohort" to load this file. \quit

-- Every role may use the extension's objects; what they read is governed by their own rights.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

