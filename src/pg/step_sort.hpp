// Funnel step rows sorted by user, time and tie key in a PostgreSQL tuplesort: within work_mem,
// spilling to temporary files beyond it, for cohort.funnel_levels once its rows outgrow
// cohort.state_memory_limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/event_list.hpp"
#include "pg/guard.hpp"

namespace cohort::pg {

class StepSort {
 public:
  // Begins the sort in memory context `context`, which must outlive it (not SPI's procedure
  // context: SPI_finish() deletes it). Its temporary files belong to the current resource owner,
  // so an error ends them with the transaction.
  explicit StepSort(MemoryContext context);
  // Adds `n` rows: users[i] with events[i].
  void put(const int64_t* users, const TimedEvent* events, std::size_t n);
  // Sorts what was added; call once, before next().
  void sort();
  // Reads up to `capacity` rows in order into `users` and `events` (resized to what was read);
  // false once every row has been read.
  bool next(std::size_t capacity, std::vector<int64_t>& users, std::vector<TimedEvent>& events);
  // Frees the sort and its temporary files.
  void end();

 private:
  TupleDesc desc_ = nullptr;
  TupleTableSlot* in_ = nullptr;   // rows going in (virtual)
  TupleTableSlot* out_ = nullptr;  // rows coming out (the sort's minimal tuples)
  Tuplesortstate* sort_ = nullptr;
};

}  // namespace cohort::pg
