#!/usr/bin/env bash
# Benchmark: cohort against hand-written SQL on the same server and data, in one run.
#   test/bench/run.sh [users] [events]      (default 100000 users, 10000000 events)
# Builds and installs the extension, starts a throwaway cluster with 4 GB of shared buffers (a
# table above a quarter of shared_buffers is read through a small ring, never cached there),
# generates the data (test/bench/generate.sql) and prints the table of test/bench/bench.sql, then
# the floors of test/bench/scan_floor.c over the events table's pages outside PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/../.."
users="${1:-100000}"
events="${2:-10000000}"
scripts/install-deps.sh
scripts/build.sh
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -isystem "$(/usr/lib/postgresql/15/bin/pg_config --includedir-server)" -o "$tmp/scan_floor" test/bench/scan_floor.c
export SCAN_FLOOR="$tmp/scan_floor"
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== data: $users users, $events events"
pg_virtualenv -v 15 -o shared_buffers=4GB -o work_mem=64MB -o max_wal_size=4GB -o synchronous_commit=off bash -c "
  set -euo pipefail
  psql -X -q -v users=$users -v events=$events -f test/bench/generate.sql
  psql -X -q -f test/bench/bench.sql
  psql -X -q -c CHECKPOINT
  echo '== floors outside PostgreSQL: the events table read into memory (test/bench/scan_floor.c, medians of 5)'
  rel=\$(psql -X -At -c \"SELECT current_setting('data_directory') || '/' || pg_relation_filepath('events')\")
  \"\$SCAN_FLOOR\" \"\$rel\"
"
