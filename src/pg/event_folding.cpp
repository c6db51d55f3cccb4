// The hot loop: batches of event rows into the per-user table.
#include "pg/event_folding.hpp"

#include <string>

#include "pg/settings.hpp"

namespace cohort::pg {
namespace {

constexpr std::size_t kBatchRows = 4096;

// Folds one batch of events into the per-user table.
void fold(const EventBatch& b, UserTable& table) {
  const std::size_t P = b.props, F = b.filters;
  constexpr std::size_t kPrefetchDistance = 8;
  for (std::size_t r = 0; r < b.rows; ++r) {
    if (r + kPrefetchDistance < b.rows)
      table.prefetch(b.users[r + kPrefetchDistance], b.events[r + kPrefetchDistance] >= 0);
    EventRow row;
    row.user_id = b.users[r];
    row.event = b.events[r];
    row.ts = b.ts[r];
    row.numbers = b.numbers.data() + r * P;
    row.texts = b.texts.data() + r * P;
    row.nulls = reinterpret_cast<const bool*>(b.nulls.data() + r * P);
    row.filters = reinterpret_cast<const bool*>(b.passes.data() + r * F);
    table.add(row);
  }
}

}  // namespace

void check_memory(const UserTable& table) {
  std::size_t limit = state_memory_limit_bytes();
  if (table.bytes() > limit)
    throw SqlError(ERRCODE_OUT_OF_MEMORY,
                   "cohort evaluation needs more than " + std::to_string(limit / 1024) + " kB for " +
                       std::to_string(table.size()) + " users",
                   {}, "Raise cohort.state_memory_limit (or work_mem, whose 64-fold is the default limit).");
}

uint64_t fold_events(EventSource& source, UserTable& table, MemoryContext batch_context) {
  const Program& program = table.program();
  EventBatch batch;
  batch.reserve(kBatchRows, program.properties().size(), program.filters().size());
  uint64_t rows = 0;
  while (true) {
    MemoryContextReset(batch_context);
    if (!source.next(batch, batch_context)) break;
    fold(batch, table);
    rows += batch.rows;
    check_memory(table);
  }
  return rows;
}

}  // namespace cohort::pg
