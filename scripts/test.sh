#!/usr/bin/env bash
# Runs every test: GoogleTest unit tests of the core, then pg_regress (SQL surface, security,
# differential tests) in a throwaway PostgreSQL 15 cluster made by pg_virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh

echo "== unit tests (GoogleTest via CTest)"
(cd build && ctest --output-on-failure -j 2)

echo "== pg_regress in a throwaway cluster"
status=0
pg_virtualenv -v 15 make installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config || status=$?
if [ "$status" -ne 0 ]; then
  [ -f regression.diffs ] && cat regression.diffs
  exit "$status"
fi
