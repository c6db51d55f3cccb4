#!/usr/bin/env bash
# Runs pg_regress files against a throwaway PostgreSQL 15 server running under Valgrind memcheck
# (every backend and parallel worker) and fails if any Valgrind error has a frame in cohort.so.
#   scripts/valgrind-server.sh [regress-file...]    (default: the files below; about 8 minutes)
# Debian's server is not built with USE_VALGRIND, so memory inside palloc blocks is not tracked
# chunk by chunk: this finds uninitialised reads and accesses outside malloc'd blocks and the stack.
set -euo pipefail
cd "$(dirname "$0")/.."

files=("$@")
[ ${#files[@]} -eq 0 ] && files=(evaluate scan_paths funnel_buffering analytics parallel funnel_levels statistics)

scripts/install-deps.sh
if ! command -v valgrind > /dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends valgrind
fi
scripts/build.sh
scripts/install-test-module.sh

pgbin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d)
port=5497
# initdb and the server refuse to run as root: as root, run them as the postgres user.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$pgbin/initdb" -D "$dir/data" -A trust -U postgres > "$dir/initdb.log"
cp scripts/valgrind-postgres.supp "$dir/"
"${as_owner[@]}" bash -c "valgrind --trace-children=yes --leak-check=no --error-limit=no --num-callers=40 \
    --suppressions='$dir/valgrind-postgres.supp' \
    --log-file='$dir/valgrind.%p.log' '$pgbin/postgres' -D '$dir/data' -p $port -k '$dir' \
    -c listen_addresses='' -c max_parallel_workers=4 > '$dir/server.log' 2>&1 &"
stop_server() { "${as_owner[@]}" "$pgbin/pg_ctl" -D "$dir/data" stop -m fast > /dev/null 2>&1 || true; }
trap stop_server EXIT
for _ in $(seq 300); do
  "$pgbin/pg_isready" -q -h "$dir" -p $port && break
  sleep 1
done

echo "== pg_regress under Valgrind: ${files[*]}"
status=0
PGHOST="$dir" PGPORT=$port PGUSER=postgres \
  /usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress --inputdir=./ --bindir="$pgbin" \
  --load-extension=cohort --dbname=contrib_regression "${files[@]}" || status=$?
stop_server
trap - EXIT
[ "$status" -ne 0 ] && [ -f regression.diffs ] && cat regression.diffs

# Every Valgrind error block (a header line up to the next blank "==pid==" line) with a frame of
# ours: in cohort.so, in namespace cohort, or a cohort_ entry point.
ours=$(awk '/^==[0-9]+== [A-Z]/ { block = $0 "\n"; inside = 1; next }
            inside && /^==[0-9]+== *$/ { if (block ~ /cohort\.so|cohort::|cohort_[a-z_]+ \(/) { printf "%s\n", block; n++ } inside = 0; next }
            inside { block = block $0 "\n" }
            END { exit n > 0 }' "$dir"/valgrind.*.log) || true
total=$(grep -h "ERROR SUMMARY" "$dir"/valgrind.*.log | awk '{s += $4} END {print s + 0}')
echo "== Valgrind: $(ls "$dir"/valgrind.*.log | wc -l) processes, $total errors in all (PostgreSQL's and the loader's included), logs in $dir"
if [ -n "$ours" ]; then
  echo "== errors with a frame of ours:"
  echo "$ours"
  exit 1
fi
echo "== none with a frame of ours"
exit "$status"
