// The hot loop: batches of event rows into the per-user table.
#include "pg/event_folding.hpp"

#include <string>

#include "core/fold_ahead.hpp"
#include "pg/settings.hpp"

namespace cohort::pg {
namespace {

constexpr std::size_t kBatchRows = 4096;

// Folds one batch of events into the per-user table (each user looked up ahead, fold_ahead.hpp).
void fold(const EventBatch& b, UserTable& table) {
  const std::size_t P = b.props, F = b.filters;
  fold_ahead(table, b.rows, b.users.data(), b.events.data(), [&](std::size_t r) {
    EventRow row;
    row.user_id = b.users[r];
    row.event = b.events[r];
    row.ts = b.ts[r];
    row.numbers = b.numbers.data() + r * P;
    row.texts = b.texts.data() + r * P;
    row.nulls = reinterpret_cast<const bool*>(b.nulls.data() + r * P);
    row.filters = reinterpret_cast<const bool*>(b.passes.data() + r * F);
    return row;
  });
}

}  // namespace

void StateBudget::charge(const UserTable& table) { charge_bytes(table.bytes(), table.size()); }

void StateBudget::charge_bytes(uint64_t now, std::size_t users) {
  uint64_t total = now;
  if (shared_ != nullptr) total = pg_atomic_add_fetch_u64(shared_, static_cast<int64>(now - charged_));
  charged_ = now;
  const std::size_t limit = state_memory_limit_bytes();
  if (total > limit)
    throw SqlError(ERRCODE_OUT_OF_MEMORY,
                   "cohort evaluation needs more than " + std::to_string(limit / 1024) + " kB for " +
                       std::to_string(users) + " users",
                   shared_ != nullptr ? "The per-user tables of the leader and its parallel workers count together."
                                      : std::string(),
                   "Raise cohort.state_memory_limit (or work_mem, whose 64-fold is the default limit).");
}

void StateBudget::release(uint64_t bytes) {
  if (shared_ != nullptr) pg_atomic_sub_fetch_u64(shared_, static_cast<int64>(bytes));
}

uint64_t fold_events(EventSource& source, UserTable& table, MemoryContext batch_context, StateBudget& budget) {
  const Program& program = table.program();
  EventBatch batch;
  batch.reserve(kBatchRows, program.properties().size(), program.filters().size());
  uint64_t rows = 0;
  source.for_each_batch(batch, batch_context, [&](const EventBatch& b) {
    fold(b, table);
    rows += b.rows;
    budget.charge(table);
  });
  return rows;
}

}  // namespace cohort::pg
