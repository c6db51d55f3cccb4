#!/usr/bin/env bash
# Benchmark: cohort against hand-written SQL on the same server and data, in one run.
#   test/bench/run.sh [users] [events]      (default 100000 users, 10000000 events)
#   BENCH_HUGE_PAGES=1 test/bench/run.sh ...   (as root: shared memory in 2 MB huge pages)
# Builds and installs the extension, starts a throwaway cluster with 4 GB of shared buffers (a
# table above a quarter of shared_buffers is read through a small ring, never cached there),
# generates the data (test/bench/generate.sql) and prints the table of test/bench/bench.sql, then
# restarts the server, reads the events by parallel workers and prints cases 1, 2 and 6 again with
# the pages scattered over shared buffers (test/bench/scattered.sql), and last the floors of
# test/bench/scan_floor.c over the events table's pages outside PostgreSQL.
# With BENCH_HUGE_PAGES=1 it reserves enough huge pages for the run (vm.nr_hugepages), starts the
# cluster with huge_pages=on and gives the old reservation back on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
users="${1:-100000}"
events="${2:-10000000}"
scripts/install-deps.sh
scripts/build.sh
tmp="$(mktemp -d)"
huge_options=()
if [ "${BENCH_HUGE_PAGES:-0}" = 1 ]; then
  # 4 GB of shared buffers and PostgreSQL's other shared memory: 2,300 pages of 2 MB.
  old_huge_pages="$(cat /proc/sys/vm/nr_hugepages)"
  trap 'echo "$old_huge_pages" > /proc/sys/vm/nr_hugepages; rm -rf "$tmp"' EXIT
  echo 2300 > /proc/sys/vm/nr_hugepages
  [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 2300 ] || { echo "BENCH_HUGE_PAGES=1: the kernel reserved only $(cat /proc/sys/vm/nr_hugepages) huge pages" >&2; exit 1; }
  huge_options=(-o huge_pages=on)
else
  trap 'rm -rf "$tmp"' EXIT
fi
cc -O2 -Wall -isystem "$(/usr/lib/postgresql/15/bin/pg_config --includedir-server)" -o "$tmp/scan_floor" test/bench/scan_floor.c
export SCAN_FLOOR="$tmp/scan_floor"
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== data: $users users, $events events"
pg_virtualenv -v 15 -o shared_buffers=4GB -o work_mem=64MB -o max_wal_size=4GB -o synchronous_commit=off "${huge_options[@]}" bash -c "
  set -euo pipefail
  # The page size of the server's shared memory, from the postmaster's mappings (huge_pages=try,
  # the default, takes huge pages only where the kernel has them reserved).
  postmaster=\$(head -1 \"\$(psql -X -At -c 'SHOW data_directory')/postmaster.pid\")
  if grep -q 'KernelPageSize: *2048 kB' /proc/\$postmaster/smaps; then pages='2 MB huge pages'; else pages='4 kB pages'; fi
  echo \"== shared memory: \$pages (huge_pages = \$(psql -X -At -c 'SHOW huge_pages'))\"
  psql -X -q -v users=$users -v events=$events -f test/bench/generate.sql
  psql -X -q -f test/bench/bench.sql
  # The same server restarted, the events read into shared buffers by parallel workers: pages
  # scattered over the pool (test/bench/scattered.sql).
  pg_ctlcluster \$PGVERSION regress restart
  for i in 1 2 3 4 5; do
    psql -X -q -At -c 'SET max_parallel_workers_per_gather = 2' -c 'SELECT count(*) FROM events' >/dev/null
  done
  psql -X -q -f test/bench/scattered.sql
  psql -X -q -c CHECKPOINT
  echo '== floors outside PostgreSQL: the events table read into memory (test/bench/scan_floor.c, medians of 5)'
  rel=\$(psql -X -At -c \"SELECT current_setting('data_directory') || '/' || pg_relation_filepath('events')\")
  \"\$SCAN_FLOOR\" \"\$rel\"
"
