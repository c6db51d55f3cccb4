#!/usr/bin/env bash
# Benchmark: cohort against hand-written SQL on the same server and data, in one run.
#   test/bench/run.sh [users] [events]      (default 100000 users, 10000000 events)
# Builds and installs the extension, starts a throwaway cluster with 4 GB of shared buffers (a
# table above a quarter of shared_buffers is read through a small ring, never cached there),
# generates the data (test/bench/generate.sql) and prints the table of test/bench/bench.sql.
set -euo pipefail
cd "$(dirname "$0")/../.."
users="${1:-100000}"
events="${2:-10000000}"
scripts/install-deps.sh
scripts/build.sh
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== data: $users users, $events events"
pg_virtualenv -v 15 -o shared_buffers=4GB -o work_mem=64MB -o max_wal_size=4GB -o synchronous_commit=off bash -c "
  set -euo pipefail
  psql -X -q -v users=$users -v events=$events -f test/bench/generate.sql
  psql -X -q -f test/bench/bench.sql
"
