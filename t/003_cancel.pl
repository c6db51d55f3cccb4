# statement_timeout and pg_cancel_backend stop a long cohort.evaluate over ~3M events within a
# fraction of its run time (it checks for interrupts between batches; its executor path, the
# executor's own checks), serially and with parallel workers (cohort's own, and those the planner
# gives the executor path's query; none is left running; a terminated worker fails the
# statement, not the server); a
# timeout stops funnel_levels while its rows are in a temporary file, leaving none; and a
# cancelled cohort.recalculate_all leaves no partial writes: every stored statistic is unchanged.
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
  CREATE TABLE big (user_id bigint, event text, ts timestamptz, price numeric, category text, tag text);
  INSERT INTO big SELECT (random() * 200000)::bigint, (ARRAY['buy', 'view', 'cart'])[1 + i % 3],
                         '2026-01-01'::timestamptz + (i % 100000) * interval '1 minute', i % 1000,
                         (ARRAY['a', 'b', 'c', 'd'])[1 + i % 4], (i % 100003)::text
    FROM generate_series(1, 3000000) i;
  -- Its user_id computed: a view cohort reads through the executor (not a plain filter of the table).
  CREATE VIEW big_view AS SELECT user_id + 0 AS user_id, event, ts, price, category, tag FROM big;
  -- About 24,000 pages, below the pages cohort wants before it starts workers by itself.
  ALTER TABLE big SET (parallel_workers = 2);
  VACUUM ANALYZE big;
});
# A heavy definition: several aggregates, count_distinct over a text column with many values
# (every column type the direct scan reads, so the table is read directly; the view is not).
my $def = q{'[{"action": "buy", "operation": "sum", "property": "price", "condition": ">=", "value": 10, "logic": "OR"},
              {"action": "view", "operation": "count_distinct", "property": "tag", "condition": ">=", "value": 2, "logic": "OR"},
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
	is($node->safe_psql('postgres', "$q; SELECT events_scan FROM cohort.last_evaluation()"),
	   "$n\n" . ($q eq $eval_direct ? 'direct' : 'executor'), 'scan path as intended');
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
	my $running = qq{FROM pg_stat_activity WHERE query LIKE '$pattern' AND state = 'active' AND backend_type = 'client backend'};
	$node->poll_query_until('postgres', qq{SELECT count(*) = 1 $running})
	  or die 'the evaluation did not start';
	select(undef, undef, undef, 0.3);    # let it get into the scan
	my $t0 = time;
	$node->safe_psql('postgres', qq{SELECT pg_cancel_backend(pid) $running});
	# A cancel not honoured within a second: record what each backend is doing then, to tell a
	# leader that never raised the error from an abort waiting for its workers or a stalled host.
	$h->pump_nb while $h->pumpable && time - $t0 < 1.0 && !select(undef, undef, undef, 0.01);
	if ($h->pumpable)
	{
		diag("cancel not done after 1 s; backends:\n"
			  . $node->safe_psql('postgres',
				q{SELECT string_agg(pid || ' ' || backend_type || ' ' || state || ' '
				                    || coalesce(wait_event_type || ':' || wait_event, 'on CPU'), E'\n')
				    FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type IN ('client backend', 'parallel worker')}));
	}
	$h->finish;
	return (time - $t0, $err);
}
my ($elapsed, $err) = cancel_running($eval_direct, 'SELECT count(*) FROM cohort.evaluate(%');
like($err, qr/canceling statement due to user request/, 'pg_cancel_backend cancels evaluate');
cmp_ok($elapsed, '<', 1.5, sprintf('cancelled %.2f s after pg_cancel_backend', $elapsed));

# The same with two parallel workers taking every page (the leader only merges).
my $par = 'SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;';
my $no_workers = q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'parallel worker'};
my $t0 = time;
my $n_par = $node->safe_psql('postgres', "$par $eval_direct");
my $full_par = time - $t0;
note(sprintf('uncancelled, parallel: %.2f s', $full_par));
is($n_par, $node->safe_psql('postgres', $eval_direct), 'parallel evaluation finds the same members');
is($node->safe_psql('postgres', "$par $eval_direct; SELECT events_scan || ' ' || workers_launched FROM cohort.last_evaluation()"),
   "$n_par\ndirect parallel 2", 'two workers ran');
$t0 = time;
my ($ret, $out);
($ret, $out, $err) = $node->psql('postgres', "$par SET statement_timeout = '200ms'; $eval_direct");
$elapsed = time - $t0;
like($err, qr/canceling statement due to statement timeout/, 'statement_timeout cancels a parallel evaluation');
cmp_ok($elapsed, '<', 0.2 + 0.5 * $full_par, sprintf('stopped after %.2f s of a %.2f s evaluation', $elapsed, $full_par));
ok($node->poll_query_until('postgres', $no_workers), 'no parallel worker left after the timeout');
($elapsed, $err) = cancel_running("$par $eval_direct", 'SET max_parallel_workers_per_gather = 2;%');
like($err, qr/canceling statement due to user request/, 'pg_cancel_backend cancels a parallel evaluation');
cmp_ok($elapsed, '<', 1.5, sprintf('cancelled %.2f s after pg_cancel_backend', $elapsed));
ok($node->poll_query_until('postgres', $no_workers), 'no parallel worker left after the cancel');

# The executor path (the view): its query runs in one call, so the planner may give it workers
# (here made cheap); they read the rows, and a timeout and a cancel stop it with none left.
my $par_exec = "$par SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;";
is($node->safe_psql('postgres', "$par_exec $eval_view"), $node->safe_psql('postgres', $eval_view),
   'the executor path with workers finds the same members');
$t0 = time;
($ret, $out, $err) = $node->psql('postgres', "$par_exec SET statement_timeout = '200ms'; $eval_view");
$elapsed = time - $t0;
like($err, qr/canceling statement due to statement timeout/, 'statement_timeout cancels the executor path with workers');
cmp_ok($elapsed, '<', 0.2 + 0.5 * $full{$eval_view}, sprintf('stopped after %.2f s', $elapsed));
ok($node->poll_query_until('postgres', $no_workers), 'no parallel worker left after the timeout');
{
	my ($pout, $perr) = ('', '');
	my $h = IPC::Run::start([ 'psql', '-X', '-d', $node->connstr('postgres'), '-c', "$par_exec $eval_view" ],
		'>', \$pout, '2>', \$perr);
	ok($node->poll_query_until('postgres', q{SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'parallel worker'}),
	   'the executor path\'s query runs in two workers');
	my $t1 = time;
	$node->safe_psql('postgres',
		q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND query LIKE 'SET max_parallel%'});
	$h->finish;
	like($perr, qr/canceling statement due to user request/, 'pg_cancel_backend cancels the executor path with workers');
	cmp_ok(time - $t1, '<', 1.5, sprintf('cancelled %.2f s after pg_cancel_backend', time - $t1));
	ok($node->poll_query_until('postgres', $no_workers), 'no parallel worker left after the cancel');
}

# Terminating one worker mid-scan fails the statement with the worker's error; the leader's
# session and the server go on.
{
	my ($pout, $perr) = ('', '');
	my $h = IPC::Run::start([ 'psql', '-X', '-d', $node->connstr('postgres'), '-c', "$par $eval_direct" ],
		'>', \$pout, '2>', \$perr);
	$node->poll_query_until('postgres', q{SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'parallel worker'})
	  or die 'the parallel workers did not start';
	my $killed = $node->safe_psql('postgres',
		q{SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity WHERE backend_type = 'parallel worker' LIMIT 1) w});
	$h->finish;
	is($killed, '1', 'one worker terminated');
	like($perr, qr/terminating background worker "parallel worker" due to administrator command/,
		'the statement fails with the worker\'s error');
	ok($node->poll_query_until('postgres', $no_workers), 'no parallel worker left after the termination');
	is($node->safe_psql('postgres', "$par $eval_direct"), $n_par, 'a parallel evaluation works afterwards');
}

# funnel_levels past cohort.state_memory_limit writes its rows to a temporary file (36 MB of rows
# against an 8 MB limit; the 200,000 users stay in memory): a timeout half-way through stops it,
# and no temporary file is left.
{
	my $funnel = q{SET cohort.state_memory_limit = '8MB'; SET work_mem = '1MB';
	               SELECT count(*) FROM cohort.funnel_levels('big', '1 day', ARRAY['view', 'cart', 'buy'], '2027-01-01')};
	my $t0 = time;
	my $n_funnel = $node->safe_psql('postgres', $funnel);
	my $full_funnel = time - $t0;
	note(sprintf('uncancelled funnel_levels, rows in a temporary file: %.2f s', $full_funnel));
	cmp_ok($n_funnel, '>', 1000, 'funnel_levels past the limit finds users');
	my $timeout_ms = int(500 * $full_funnel) + 1;
	my ($fret, $fout, $ferr) = $node->psql('postgres', "SET statement_timeout = '${timeout_ms}ms'; $funnel");
	like($ferr, qr/canceling statement due to statement timeout/, 'statement_timeout cancels funnel_levels with its rows in a temporary file');
	is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_ls_tmpdir()}), '0', 'no temporary file left after the timeout');
	is($node->safe_psql('postgres', $funnel), $n_funnel, 'funnel_levels works afterwards');
}

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
