#!/usr/bin/env bash
# The main job: installs what is needed, builds and installs cohort, then starts a throwaway
# PostgreSQL 15 cluster, loads sample customers and events, and prints cohorts with statistics.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh

scale="${COHORT_DEMO_SCALE:-1}"
pg_virtualenv -v 15 bash -c "
  set -euo pipefail
  psql -X -q -v ON_ERROR_STOP=1 -v scale=$scale -v as_of=\"$(date -u +'%Y-%m-%d %H:00+00')\" -f test/data/sample_data.sql
  psql -X -v ON_ERROR_STOP=1 -f scripts/demo.sql
"
