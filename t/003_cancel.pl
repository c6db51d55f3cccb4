# statement_timeout and pg_cancel_backend stop a long cohort.evaluate over ~3M events within a
# fraction of its run time (it checks for interrupts between batches), and a cancelled
# cohort.recalculate_all leaves no partial writes: every stored statistic is unchanged.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# initdb refuses to run as root: run the TAP tests as an ordinary user (see t/README.md).
plan skip_all => 'TAP tests need a non-root user (initdb refuses root)' if $> == 0;
use Time::HiRes qw(time);
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->append_conf('postgresql.conf', "fsync = off\nmax_parallel_workers_per_gather = 0\n");
$node->start;

$node->safe_psql('postgres', q{
  CREATE EXTENSION cohort;
  CREATE TABLE small (user_id bigint, event text, ts timestamptz, price numeric, category text);
  INSERT INTO small SELECT i, 'buy', '2026-01-01', i, 'a' FROM generate_series(1, 100) i;
  CREATE TABLE big (user_id bigint, event text, ts timestamptz, price numeric, category text);
  INSERT INTO big SELECT (random() * 200000)::bigint, (ARRAY['buy', 'view', 'cart'])[1 + i % 3],
                         '2026-01-01'::timestamptz + (i % 100000) * interval '1 minute', i % 1000,
                         (ARRAY['a', 'b', 'c', 'd'])[1 + i % 4]
    FROM generate_series(1, 3000000) i;
  CREATE VIEW big_view AS SELECT * FROM big;
  VACUUM ANALYZE big;
});
# A heavy definition: several aggregates, count_distinct over a numeric column's text.
my $def = q{'[{"action": "buy", "operation": "sum", "property": "price", "condition": ">=", "value": 10, "logic": "OR"},
              {"action": "view", "operation": "count_distinct", "property": "price", "condition": ">=", "value": 2, "logic": "OR"},
              {"action": "cart", "operation": "avg", "property": "price", "condition": ">", "value": 500, "logic": "OR"},
              {"action": "view", "operation": "count_distinct", "property": "category", "condition": ">=", "value": 3}]'};
my $eval_direct = "SELECT count(*) FROM cohort.evaluate($def, 'big', NULL, '2027-01-01')";
my $eval_view = "SELECT count(*) FROM cohort.evaluate($def, 'big_view', NULL, '2027-01-01')";

# How long the evaluations take uncancelled (the test is meaningful only if they are long).
my %full;
for my $q ($eval_direct, $eval_view)
{
	my $t0 = time;
	my $n = $node->safe_psql('postgres', $q);
	$full{$q} = time - $t0;
	cmp_ok($n, '>', 1000, 'uncancelled evaluation finds members');
	note(sprintf('uncancelled: %.2f s', $full{$q}));
}

# statement_timeout, on the direct (page by page) and the executor (view) paths.
for my $q ($eval_direct, $eval_view)
{
	my $t0 = time;
	my ($ret, $out, $err) = $node->psql('postgres', "SET statement_timeout = '200ms'; $q");
	my $elapsed = time - $t0;
	like($err, qr/canceling statement due to statement timeout/, 'statement_timeout cancels evaluate');
	cmp_ok($elapsed, '<', 0.2 + 0.5 * $full{$q}, sprintf('stopped after %.2f s of a %.2f s evaluation', $elapsed, $full{$q}));
}

# pg_cancel_backend from another session.
sub cancel_running
{
	my ($sql, $pattern) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ 'psql', '-X', '-d', $node->connstr('postgres'), '-c', $sql ], '>', \$out, '2>', \$err);
	$node->poll_query_until('postgres', qq{SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE '$pattern' AND state = 'active'})
	  or die 'the evaluation did not start';
	select(undef, undef, undef, 0.3);    # let it get into the scan
	my $t0 = time;
	$node->safe_psql('postgres', qq{SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '$pattern' AND state = 'active'});
	$h->finish;
	return (time - $t0, $err);
}
my ($elapsed, $err) = cancel_running($eval_direct, 'SELECT count(*) FROM cohort.evaluate(%');
like($err, qr/canceling statement due to user request/, 'pg_cancel_backend cancels evaluate');
cmp_ok($elapsed, '<', 1.5, sprintf('cancelled %.2f s after pg_cancel_backend', $elapsed));

# A cancelled recalculate_all changes no statistic: cohorts get statistics over the small table,
# then the sources switch to the big one and recalculate_all is stopped part-way.
$node->safe_psql('postgres', q{
  SELECT cohort.set_sources('small');
  SELECT cohort.create('c' || i, ('[{"action": "buy", "operation": "count_distinct", "property": "price", "condition": ">=", "value": ' || i || '}]')::cohort.definition)
    FROM generate_series(1, 5) i;
});
my $stats_q = q{SELECT id, total_customers, last_calculated, updated_at FROM cohort.cohorts ORDER BY id};
my $before = $node->safe_psql('postgres', $stats_q);
like($before, qr/^\d+\|100\|/, 'statistics over the small table stored');
$node->safe_psql('postgres', q{SELECT cohort.set_sources('big')});
my ($ret, $out);
($ret, $out, $err) = $node->psql('postgres', q{SET statement_timeout = '500ms'; SELECT count(*) FROM cohort.recalculate_all()});
like($err, qr/canceling statement due to statement timeout/, 'recalculate_all cancelled by statement_timeout');
is($node->safe_psql('postgres', $stats_q), $before, 'no statistic written by the cancelled recalculate_all');
($elapsed, $err) = cancel_running('SELECT count(*) FROM cohort.recalculate_all()', 'SELECT count(*) FROM cohort.recalculate_all()%');
like($err, qr/canceling statement due to user request/, 'recalculate_all cancelled by pg_cancel_backend');
is($node->safe_psql('postgres', $stats_q), $before, 'no statistic written by the cancelled recalculate_all (pg_cancel_backend)');
# The backend is fine afterwards.
is($node->safe_psql('postgres', q{SELECT count(*) FROM cohort.evaluate('{}', 'small')}), '100', 'evaluation works after the cancels');

$node->stop;
done_testing();
