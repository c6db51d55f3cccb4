# Extension versioning. 0.1.0 is the first version, so there is no upgrade path to test yet:
# this checks that ALTER EXTENSION cohort UPDATE is a no-op at the current version (same objects,
# same data), and that DROP EXTENSION / CREATE EXTENSION gives back the same objects.
# NOTE: when 0.2.0 ships with sql/install/cohort--0.1.0--0.2.0.sql, extend this test: install
# 0.1.0 (CREATE EXTENSION cohort VERSION '0.1.0'), save cohorts, ALTER EXTENSION cohort UPDATE,
# and compare the object list with a fresh 0.2.0 install and the rows with those saved before.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# initdb refuses to run as root: run the TAP tests as an ordinary user (see t/README.md).
plan skip_all => 'TAP tests need a non-root user (initdb refuses root)' if $> == 0;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

# Every member object of the extension, described, plus the ACLs of the catalog tables.
my $objects_q = q{
  SELECT string_agg(pg_describe_object(classid, objid, objsubid), E'\n' ORDER BY 1)
    FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
     AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cohort')};
my $acl_q = q{SELECT relname, relacl::text, relrowsecurity, relforcerowsecurity FROM pg_class
               WHERE relnamespace = 'cohort'::regnamespace AND relkind IN ('r', 'v', 'S') ORDER BY relname};

$node->safe_psql('postgres', 'CREATE EXTENSION cohort');
my $version = $node->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'cohort'});
is($version, $node->safe_psql('postgres', q{SELECT default_version FROM pg_available_extensions WHERE name = 'cohort'}),
	'installed at the default version');
is($node->safe_psql('postgres', q{SELECT string_agg(version, ',') FROM pg_available_extension_versions WHERE name = 'cohort'}),
	$version, 'one version available (no upgrade scripts yet)');
my $objects = $node->safe_psql('postgres', $objects_q);
my $acls = $node->safe_psql('postgres', $acl_q);
cmp_ok(scalar(split /\n/, $objects), '>', 80, 'the extension has its objects');

$node->safe_psql('postgres', q{
  CREATE TABLE ev (user_id bigint, event text, ts timestamptz);
  INSERT INTO ev SELECT i, 'buy', '2026-01-01' FROM generate_series(1, 10) i;
  SELECT cohort.set_sources('ev');
  SELECT cohort.create('kept', '[{"action": "buy", "condition": ">=", "value": 1}]');
});
my $rows_q = q{SELECT id, name, definition::text, total_customers, updated_at FROM cohort.cohorts ORDER BY id};
my $rows = $node->safe_psql('postgres', $rows_q);

# ALTER EXTENSION ... UPDATE at the current version: a notice, nothing changes.
my ($ret, $out, $err) = $node->psql('postgres', 'ALTER EXTENSION cohort UPDATE');
is($ret, 0, 'ALTER EXTENSION cohort UPDATE succeeds');
like($err, qr/version "\Q$version\E" of extension "cohort" is already installed/, 'and says it is already at this version');
($ret, $out, $err) = $node->psql('postgres', "ALTER EXTENSION cohort UPDATE TO '$version'");
is($ret, 0, 'ALTER EXTENSION cohort UPDATE TO the current version succeeds');
($ret, $out, $err) = $node->psql('postgres', q{ALTER EXTENSION cohort UPDATE TO '9.9.9'});
like($err, qr/extension "cohort" has no update path from version "\Q$version\E" to version "9.9.9"/, 'an unknown target version is refused');
is($node->safe_psql('postgres', $objects_q), $objects, 'same objects after the no-op update');
is($node->safe_psql('postgres', $acl_q), $acls, 'same privileges and row-level security after the no-op update');
is($node->safe_psql('postgres', $rows_q), $rows, 'saved cohorts untouched by the no-op update');

# DROP EXTENSION is refused while a user table has a column of the type; CASCADE is needed.
$node->safe_psql('postgres', q{CREATE TABLE saved (d cohort.definition); INSERT INTO saved VALUES ('{}')});
($ret, $out, $err) = $node->psql('postgres', 'DROP EXTENSION cohort');
like($err, qr/cannot drop extension cohort because other objects depend on it/, 'DROP EXTENSION refused while a table uses the type');
$node->safe_psql('postgres', 'DROP TABLE saved');
# Without dependents it drops, taking the saved cohorts (extension configuration) with it.
$node->safe_psql('postgres', 'DROP EXTENSION cohort');
is($node->safe_psql('postgres', q{SELECT to_regclass('cohort.cohorts') IS NULL AND to_regtype('cohort.definition') IS NULL}), 't',
	'the extension\'s objects are gone');
$node->safe_psql('postgres', 'CREATE EXTENSION cohort');
is($node->safe_psql('postgres', $objects_q), $objects, 'CREATE EXTENSION after DROP gives the same objects');
is($node->safe_psql('postgres', $acl_q), $acls, 'and the same privileges and row-level security');
is($node->safe_psql('postgres', q{SELECT count(*) FROM cohort.cohorts}), '0', 'with an empty catalog');
is($node->safe_psql('postgres', q{SELECT cohort.set_sources('ev'); SELECT cohort.create('again', '[{"action": "buy", "condition": ">=", "value": 1}]') > 0;
                                  SELECT total_customers FROM cohort.cohorts}),
	"\nt\n10", 'and a working catalog');
# The control file fixes the schema (schema = cohort, not relocatable): another schema is refused.
$node->safe_psql('postgres', 'CREATE DATABASE other');
($ret, $out, $err) = $node->psql('other', 'CREATE SCHEMA analytics; CREATE EXTENSION cohort SCHEMA analytics');
like($err, qr/extension "cohort" must be installed in schema "cohort"/, 'CREATE EXTENSION in another schema is refused');
$node->safe_psql('other', 'CREATE EXTENSION cohort');
is($node->safe_psql('other', $objects_q), $objects, 'a second database gets the same objects');

$node->stop;
done_testing();
