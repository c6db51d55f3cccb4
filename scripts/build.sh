#!/usr/bin/env bash
# Builds the C++ core with its unit tests (CMake) and the extension (PGXS), and installs the extension.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j "$jobs"
make -j "$jobs" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
$SUDO make install PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config > /dev/null
