#!/usr/bin/env bash
# Builds the core, its unit tests and the fuzz-corpus replay binaries with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan) and runs them all with CTest; any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=2
cmake -S . -B build-asan -DCOHORT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug > /dev/null
cmake --build build-asan -j "$jobs"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
echo "== unit tests and fuzz corpus replay under ASan/UBSan"
(cd build-asan && ctest --output-on-failure -j "$jobs")
