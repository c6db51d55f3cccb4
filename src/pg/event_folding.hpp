// Folding an events source into a per-user table, shared by the leader and parallel workers.
#pragma once

#include <cstdint>

#include "core/user_table.hpp"
#include "pg/sources.hpp"

namespace cohort::pg {

// Charges per-user tables against cohort.state_memory_limit: one table alone, or every table of a
// parallel evaluation together, through a counter in shared memory that each participant adds
// its own table's growth to.
class StateBudget {
 public:
  StateBudget() = default;
  explicit StateBudget(pg_atomic_uint64* shared_total) : shared_(shared_total) {}
  // Charges the growth of `table` since the last call; raises 53200 when the total passes the limit.
  void charge(const UserTable& table);
  // The same for `bytes` of state in all held by this participant for `users` users.
  void charge_bytes(uint64_t bytes, std::size_t users);
  // Gives back bytes another participant held (a parallel worker whose table has been merged).
  void release(uint64_t bytes);
  // Bytes this participant has charged.
  uint64_t charged() const { return charged_; }

 private:
  pg_atomic_uint64* shared_ = nullptr;
  uint64_t charged_ = 0;
};

// Reads every batch of `source` into `table` (batches live in `batch_context`, reset per batch),
// charging the table's growth to `budget`; returns the rows folded.
uint64_t fold_events(EventSource& source, UserTable& table, MemoryContext batch_context, StateBudget& budget);

}  // namespace cohort::pg
