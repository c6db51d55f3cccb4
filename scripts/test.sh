#!/usr/bin/env bash
# Runs every test: GoogleTest unit tests of the core and the fuzz corpus replay (plain and under
# ASan/UBSan), then pg_regress, isolation and TAP tests (SQL surface, security, differential tests,
# concurrency, dump/restore, crash, cancellation) in a throwaway PostgreSQL 15 cluster (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
scripts/install-test-module.sh

echo "== the hot loops' prefetch instructions survived compilation"
scripts/check-prefetch.sh

echo "== unit tests and fuzz corpus replay (GoogleTest and replay binaries via CTest)"
(cd build && ctest --output-on-failure -j 2)

echo "== the same under AddressSanitizer and UndefinedBehaviorSanitizer"
scripts/test-sanitizers.sh

echo "== pg_regress in a throwaway cluster"
status=0
pg_virtualenv -v 15 make installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config || status=$?
if [ "$status" -ne 0 ]; then
  [ -f regression.diffs ] && cat regression.diffs
  [ -f output_iso/regression.diffs ] && cat output_iso/regression.diffs
  exit "$status"
fi

# TAP tests make their own clusters with initdb, which refuses to run as root: as root, run them
# as the postgres user from a copy of t/ it owns (they skip themselves inside make installcheck).
echo "== TAP tests (dump/restore, crash recovery, cancellation, upgrade)"
pgbin=/usr/lib/postgresql/15/bin
pgxs=/usr/lib/postgresql/15/lib/pgxs
if [ "$(id -u)" -eq 0 ]; then
  tapdir=$(mktemp -d)
  cp -r t "$tapdir/"
  chown -R postgres "$tapdir"
  (cd "$tapdir" && runuser -u postgres -- env TESTDIR="$tapdir" PATH="$pgbin:$PATH" \
     PG_REGRESS="$pgxs/src/test/regress/pg_regress" prove -I "$pgxs/src/test/perl" -I . t/*.pl)
  rm -rf "$tapdir"
else
  TESTDIR="$PWD" PATH="$pgbin:$PATH" PG_REGRESS="$pgxs/src/test/regress/pg_regress" \
    prove -I "$pgxs/src/test/perl" -I . t/*.pl
fi
