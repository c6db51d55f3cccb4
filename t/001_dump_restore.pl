# pg_dump / pg_restore of a database using cohort: the saved cohorts of two roles (extension
# configuration rows), their sources, the id sequence, and definitions stored in a user table and
# indexed, come back identical (canonical text, row counts, row-level security, index lookups).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# initdb refuses to run as root: run the TAP tests as an ordinary user (see t/README.md).
plan skip_all => 'TAP tests need a non-root user (initdb refuses root)' if $> == 0;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
  CREATE ROLE tap_ann LOGIN;
  CREATE ROLE tap_ben LOGIN;
  CREATE DATABASE src;
});
$node->safe_psql('src', q{
  CREATE EXTENSION cohort;
  CREATE SCHEMA shop;
  GRANT USAGE ON SCHEMA shop TO PUBLIC;
  CREATE TABLE shop.events (user_id bigint, event text, ts timestamptz, price numeric);
  CREATE TABLE shop.customers (user_id bigint, age int, churn_score float8, risk_level text);
  INSERT INTO shop.events SELECT u % 50, 'buy', '2026-01-01'::timestamptz + (u || ' minutes')::interval, u FROM generate_series(1, 500) u;
  INSERT INTO shop.customers SELECT u, 20 + u, u / 50.0, (ARRAY['high','medium','low'])[1 + u % 3] FROM generate_series(0, 49) u;
  GRANT SELECT ON shop.events, shop.customers TO PUBLIC;
  -- Definitions in a user table, with btree, hash and expression indexes.
  CREATE TABLE public.saved (id int PRIMARY KEY, d cohort.definition NOT NULL);
  INSERT INTO public.saved VALUES
    (1, '{"min_age": 25, "max_age": 65}'), (2, '[{"action": "buy", "operation": "sum", "property": "price", "condition": ">=", "value": 1e3}]'),
    (3, '{"any": [{"engagement_level": "high"}, {"not": {"churn_risk_level": "low"}}]}'), (4, '{"min_age": 25.0, "max_age": 65}'),
    (5, '{"performed": {"event": "buy", "op": ">", "value": 2, "days": 30, "where": {"category": ["b", "a", "b"]}}}');
  CREATE INDEX saved_btree ON public.saved USING btree (d);
  CREATE INDEX saved_hash ON public.saved USING hash (d);
  CREATE INDEX saved_text ON public.saved ((d::text));
});
for my $role ('tap_ann', 'tap_ben')
{
	$node->safe_psql('src', qq{
	  SET ROLE $role;
	  SELECT cohort.set_sources('shop.events', 'shop.customers');
	  SELECT cohort.create('Adults of $role', '{"min_age": 30}', 'from $role');
	  SELECT cohort.create('Buyers', '[{"action": "buy", "condition": ">=", "value": 10}]');
	  SELECT cohort.delete(cohort.create('Gone', '{"churn_risk_level": "high"}'));
	});
}

my $cohorts_q = q{SELECT id, owner, name, description, definition::text, is_active, deleted_at IS NOT NULL,
                         total_customers, avg_churn_score, high_risk_count, medium_risk_count, low_risk_count,
                         created_at, updated_at, last_calculated
                    FROM cohort.cohorts ORDER BY id};
my $sources_q = q{SELECT owner, events, customers FROM cohort.sources ORDER BY owner};
my $saved_q = q{SELECT id, d::text FROM public.saved ORDER BY id};
my $index_q = q{SET enable_seqscan = off; SET enable_bitmapscan = off;
                SELECT count(*) FROM public.saved WHERE d OPERATOR(cohort.=) '{"max_age": 65, "min_age": 25}';
                SELECT string_agg(id::text, ',' ORDER BY id) FROM public.saved WHERE d OPERATOR(cohort.<) '{"min_age": 1}'};
my $ann_q = q{SET ROLE tap_ann; SELECT string_agg(name, ',' ORDER BY name) FROM cohort.list(include_deleted => true)};

my %before = (cohorts => $node->safe_psql('src', $cohorts_q), sources => $node->safe_psql('src', $sources_q),
	saved => $node->safe_psql('src', $saved_q), index => $node->safe_psql('src', $index_q),
	ann => $node->safe_psql('src', $ann_q));
is((split /\n/, $before{cohorts}), 6, 'six cohorts of two roles before the dump');
is($node->safe_psql('src', 'SELECT count(*) FROM public.saved WHERE d::text LIKE \'{"attribute":{"name":"age","min":25,"max":65}}\''), '2',
	'two spellings of one definition share one canonical text (what the comparisons compare)');

my $dump = $node->basedir . '/src.dump';
command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', $dump ], 'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dump ], 'pg_restore');

is($node->safe_psql('dst', $cohorts_q), $before{cohorts}, 'cohorts restored identically (canonical text, statistics, timestamps)');
is($node->safe_psql('dst', $sources_q), $before{sources}, 'sources restored identically');
is($node->safe_psql('dst', $saved_q), $before{saved}, 'definitions in a user table restored identically');
is($node->safe_psql('dst', $index_q), $before{index}, 'btree and hash index lookups give the same rows');
is($node->safe_psql('dst', $ann_q), $before{ann}, 'a role still sees exactly its own cohorts');
is($node->safe_psql('dst', q{SELECT count(*) FROM cohort.cohorts}), '6', 'no cohort duplicated by the restore');
is($node->safe_psql('dst', q{SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'cohort.cohorts'::regclass}),
	't', 'row-level security still forced');
is($node->safe_psql('dst', q{SET ROLE tap_ben; SELECT count(*) FROM cohort.cohorts WHERE owner <> current_user}),
	'0', 'the policy still hides other roles\' rows');
# The id sequence continues after the restored ids.
my $new_id = $node->safe_psql('dst', q{SET ROLE tap_ann; SELECT cohort.create('After restore', '{}')});
cmp_ok($new_id, '>', $node->safe_psql('src', 'SELECT max(id) FROM cohort.cohorts'), 'new ids continue after the restored ones');
is($node->safe_psql('dst', q{REINDEX TABLE public.saved; SELECT count(*) FROM public.saved}), '5', 'indexes rebuild');
# A plain-format dump of the restored database restores too (text path of the type).
my $plain = $node->basedir . '/dst.sql';
command_ok([ 'pg_dump', '-d', $node->connstr('dst'), '-f', $plain ], 'pg_dump plain');
$node->safe_psql('postgres', 'CREATE DATABASE dst2');
command_ok([ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-q', '-d', $node->connstr('dst2'), '-f', $plain ], 'psql restore of the plain dump');
is($node->safe_psql('dst2', $saved_q), $before{saved}, 'definitions identical after a second, plain-text round trip');
is($node->safe_psql('dst2', q{SELECT count(*) FROM cohort.cohorts}), '7', 'seven cohorts after the second round trip');

$node->stop;
done_testing();
