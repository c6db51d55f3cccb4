// Folding an events source into a per-user table, shared by the leader and parallel workers.
#pragma once

#include <cstdint>

#include "core/user_table.hpp"
#include "pg/sources.hpp"

namespace cohort::pg {

// Raises 53200 when the per-user state outgrows cohort.state_memory_limit.
void check_memory(const UserTable& table);

// Reads every batch of `source` into `table` (batches live in `batch_context`, reset per batch);
// returns the rows folded.
uint64_t fold_events(EventSource& source, UserTable& table, MemoryContext batch_context);

}  // namespace cohort::pg
