#!/usr/bin/env bash
# Builds and installs the test-only table access method (test/modules/heap_copy_am: heap under
# another routine) that sql/other_access_method.sql creates, for the server of the given
# pg_config (Debian's PostgreSQL 15 by default); sudo only to write a library directory we cannot.
#   scripts/install-test-module.sh [pg_config]
set -euo pipefail
cd "$(dirname "$0")/.."
pg_config="${1:-/usr/lib/postgresql/15/bin/pg_config}"
SUDO=""
[ "$(id -u)" -ne 0 ] && [ ! -w "$("$pg_config" --pkglibdir)" ] && SUDO="sudo"
make -C test/modules/heap_copy_am PG_CONFIG="$pg_config" > /dev/null
$SUDO make -C test/modules/heap_copy_am install PG_CONFIG="$pg_config" > /dev/null
