#!/usr/bin/env bash
# Checks that the hot loops kept their prefetch instructions. GCC drops the __builtin_prefetch
# calls of an inline function it takes for one without effects (it had silently dropped every
# prefetch of the per-user table), and no test of results or timing would notice.
#   scripts/check-prefetch.sh      (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

# The object files whose loops prefetch: folding events into the per-user table, the customers
# pass, the direct scan's next page, and the buffered aggregate transitions. (The direct scan's
# tuples are not prefetched: it reads them in ascending address order, which the hardware
# prefetcher streams in.)
objects=(src/pg/event_folding.o src/pg/evaluator.o src/pg/heap_scan.o
         src/pg/funnel_agg.o src/pg/sequence_agg.o src/pg/analytics_aggregates.o)
# Lines of `object`'s disassembly whose instruction matches the extended regex `mnemonic`.
count_instructions() {
  objdump -d --no-show-raw-insn "$1" | grep -cE $'\t'"($2)"$'[ \t]' || true
}

status=0
for object in "${objects[@]}"; do
  # prefetcht0/t1/t2/nta/w on x86-64, prfm on AArch64.
  if [ "$(count_instructions "$object" 'prefetch[a-z0-9]*|prfm')" -eq 0 ]; then
    echo "no prefetch instruction in $object" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "prefetch instructions present in ${#objects[@]} object files"
exit "$status"
