# A crash (pg_ctl stop -m immediate) while a long recalculation runs in a background session:
# after crash recovery every saved cohort is still there, identical, the interrupted
# recalculation left no trace, and cohorts committed during it survived.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# initdb refuses to run as root: run the TAP tests as an ordinary user (see t/README.md).
plan skip_all => 'TAP tests need a non-root user (initdb refuses root)' if $> == 0;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
  CREATE EXTENSION cohort;
  CREATE ROLE tap_owner LOGIN;
  CREATE TABLE ev (user_id bigint, event text, ts timestamptz, price numeric);
  INSERT INTO ev SELECT i % 300, 'buy', '2026-01-01', i FROM generate_series(1, 3000) i;
  CREATE TABLE cust (user_id bigint, churn_score float8, risk_level text);
  INSERT INTO cust SELECT u, u / 300.0, (ARRAY['high', 'medium', 'low'])[1 + u % 3] FROM generate_series(0, 299) u;
  -- A view that makes every evaluation slow: 1 ms per row.
  CREATE FUNCTION slow() RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT true FROM pg_sleep(0.001) $$;
  CREATE VIEW slow_ev AS SELECT * FROM ev WHERE slow();
  GRANT SELECT ON ev, cust, slow_ev TO tap_owner;
  CHECKPOINT;
});
# Cohorts committed after the last checkpoint: they survive by WAL replay.
$node->safe_psql('postgres', q{
  SET ROLE tap_owner;
  SELECT cohort.set_sources('ev', 'cust');
  SELECT cohort.create('c' || i, ('[{"action": "buy", "condition": ">=", "value": ' || i || '}]')::cohort.definition, 'd' || i)
    FROM generate_series(1, 6) i;
  SELECT cohort.delete((SELECT id FROM cohort.cohorts WHERE name = 'c6'));
  SELECT cohort.set_sources('slow_ev', 'cust');
});
my $cohorts_q = q{SELECT id, owner, name, description, definition::text, is_active, total_customers, avg_churn_score,
                         high_risk_count, medium_risk_count, low_risk_count, created_at, updated_at, last_calculated
                    FROM cohort.cohorts ORDER BY id};
my $before = $node->safe_psql('postgres', $cohorts_q);
is(scalar(split /\n/, $before), 6, 'six cohorts saved');

# The long recalculation (about 3 s per cohort), in the background.
my ($out, $err) = ('', '');
my $h = IPC::Run::start([ 'psql', '-X', '-d', $node->connstr('postgres'), '-c',
		'SET ROLE tap_owner; SELECT * FROM cohort.recalculate_all()' ], '>', \$out, '2>', \$err);
$node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE '%recalculate_all%' AND state = 'active' AND pid <> pg_backend_pid()})
  or die 'recalculation did not start';
# Meanwhile another session commits a new cohort (no statistics: its sources would be slow too).
$node->safe_psql('postgres', q{SET ROLE tap_owner; INSERT INTO cohort.cohorts (name, definition) VALUES ('committed during', '{}')});
# Let the recalculation update at least one cohort (uncommitted) before the crash.
sleep 4;
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%recalculate_all%' AND state = 'active' AND pid <> pg_backend_pid()}),
	'1', 'the recalculation is still running at the crash');
$node->stop('immediate');
$h->finish;
like($err, qr/server closed the connection|terminating connection|connection to server was lost/, 'the background session lost its server');

$node->start;
is($node->safe_psql('postgres', $cohorts_q . ' LIMIT 6'), $before, 'every saved cohort is there, unchanged, after crash recovery');
is($node->safe_psql('postgres', q{SELECT count(*) FROM cohort.cohorts WHERE name = 'committed during'}), '1',
	'a cohort committed during the recalculation survived');
is($node->safe_psql('postgres', q{SELECT count(*) FROM cohort.cohorts}), '7', 'nothing else appeared');
# The catalog works after recovery: unique index and statistics.
$node->safe_psql('postgres', q{SET ROLE tap_owner; SELECT cohort.set_sources('ev', 'cust')});
is($node->safe_psql('postgres', q{SET ROLE tap_owner; SELECT count(*) FROM cohort.recalculate_all()}), '6', 'recalculate_all works after recovery');
my ($ret, $o, $e) = $node->psql('postgres', q{SET ROLE tap_owner; SELECT cohort.create('C1', '{}')});
like($e, qr/cohort "C1" already exists/, 'the unique name index is intact after recovery');
is($node->safe_psql('postgres', q{SET ROLE tap_owner; SELECT total_customers FROM cohort.get((SELECT id FROM cohort.cohorts WHERE name = 'c1'))}),
	'300', 'statistics recomputed after recovery');

$node->stop;
done_testing();
