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
  // Adds one row (buffered: rows go into the sort a batch at a time).
  void add(int64_t user, const TimedEvent& event) {
    users_.push_back(user);
    events_.push_back(event);
    if (users_.size() == kBatchRows) put_buffered();
  }
  // Sorts what was added; call once, before next().
  void sort();
  // Reads up to `capacity` rows in order into `users` and `events` (resized to what was read);
  // false once every row has been read.
  bool next(std::size_t capacity, std::vector<int64_t>& users, std::vector<TimedEvent>& events);
  // Frees the sort and its temporary files.
  void end();

 private:
  static constexpr std::size_t kBatchRows = 4096;

  // Puts the buffered rows into the sort and empties the buffer.
  void put_buffered();

  std::vector<int64_t> users_;       // rows added and not yet put into the sort
  std::vector<TimedEvent> events_;
  TupleDesc desc_ = nullptr;
  TupleTableSlot* in_ = nullptr;   // rows going in (virtual)
  TupleTableSlot* out_ = nullptr;  // rows coming out (the sort's minimal tuples)
  Tuplesortstate* sort_ = nullptr;
};

}  // namespace cohort::pg
