// Parallel evaluation: workers and the leader share one heap scan of the events (or the tables of
// a partitioned events relation), each folds its rows into its own per-user table, and the leader
// merges the workers' tables into its own.
#pragma once

#include <cstdint>
#include <vector>

#include "core/user_table.hpp"
#include "pg/sources.hpp"

namespace cohort::pg {

// How a parallel fold went.
struct ParallelFold {
  int planned = 0;
  int launched = 0;
  uint64_t rows = 0;
  uint64_t worker_state_bytes = 0;  // the workers' per-user tables, held until merged
  uint64_t pages_skipped = 0;       // by all participants (HeapScan::skip_pages_before)
  uint64_t pages_guessed = 0;       // by all participants (HeapScan::pages_guessed)
};

// Workers the direct scan `source` of `relid` may use, chosen as the planner sizes a parallel scan:
// the table's parallel_workers storage parameter, or, when the pages the scan will read
// (source.pages_to_read(), asked only when a parallel scan is possible at all, since it may ask a
// BRIN index) reach 32 times min_parallel_table_scan_size (below that, workers cost more than
// they save), one worker for min_parallel_table_scan_size and one more for every tripling, capped
// by max_parallel_workers_per_gather. 0 when max_parallel_workers_per_gather is 0, for temporary
// tables, inside parallel mode, and in parallel workers.
int parallel_workers_for(Oid relid, EventSource& source);

// Folds the events of `spec` into `table` with up to `workers` workers and the leader. With
// `pages` (one table), the participants share one parallel heap scan, each reading only the pages
// of that set (the one the caller's direct scan decided, shared through shared memory); without
// (a partitioned table or inheritance tree), each takes whole tables of `parts` in turn from a
// shared counter. `parts` is the caller's direct scan's list of tables (with `pages`, the table
// alone: the relation, or the table behind a view of it), shared the same way, so that every participant reads the same tables. The caller has
// checked that the direct scan applies (open_heap_events succeeded and its source is_direct()).
ParallelFold fold_events_parallel(const Program& program, EventScanSpec spec, const std::vector<int64_t>& bounds,
                                  int workers, const PageSet* pages, const std::vector<Oid>& parts,
                                  const RowPolicies& policies, UserTable& table, MemoryContext batch_context);

}  // namespace cohort::pg

// Entry point of a parallel worker (found by name through the library).
extern "C" PGDLLEXPORT void cohort_parallel_events_main(dsm_segment* seg, shm_toc* toc);
