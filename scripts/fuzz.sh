#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz and runs each one for
# SECONDS seconds (default 60) on its corpus; new interesting inputs are merged into
# test/fuzz/corpus/<name>, crashes are written to build-fuzz/artifacts/. Prints executions per target.
#   scripts/fuzz.sh [seconds-per-target] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(definition binary_recv sequence_pattern event_list numeric_decode)
jobs=2

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCOHORT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build-fuzz -j "$jobs" --target "${targets[@]/%/_fuzz}"

mkdir -p build-fuzz/artifacts build-fuzz/logs
export ASAN_OPTIONS="detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
status=0
summary=""
for name in "${targets[@]}"; do
  corpus="test/fuzz/corpus/$name"
  work="build-fuzz/work/$name"      # the fuzzer's own growing corpus, merged back at the end
  rm -rf "$work" && mkdir -p "$work" "$corpus"
  dict="test/fuzz/dict/$name.dict"
  [ "$name" = binary_recv ] && dict="test/fuzz/dict/definition.dict"
  args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -max_len=4096
        -artifact_prefix="build-fuzz/artifacts/$name-")
  [ -f "$dict" ] && args+=(-dict="$dict")
  log="build-fuzz/logs/$name.log"
  echo "== $name: ${seconds}s"
  rc=0
  "build-fuzz/${name}_fuzz" "${args[@]}" "$work" "$corpus" > "$log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  if [ "$rc" -ne 0 ]; then
    status=1
    tail -n 40 "$log"
    summary+="$name: FAILED (exit $rc) after ${execs:-?} executions, see $log and build-fuzz/artifacts/"$'\n'
    continue
  fi
  # Keep only inputs that add coverage to the checked-in corpus.
  "build-fuzz/${name}_fuzz" -merge=1 "${args[@]:1}" "$corpus" "$work" >> "$log" 2>&1
  summary+="$name: ${execs} executions clean, corpus $(ls "$corpus" | wc -l) files"$'\n'
done
echo "== summary (${seconds}s per target)"
printf '%s' "$summary"
exit "$status"
