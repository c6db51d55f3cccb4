// Rows waiting for their groups' aggregate states, and the per-call-site buffer that holds them:
// a transition appends each row to a small sequential buffer instead of writing into a random
// group's event list, and the buffer is handed to the groups in batches (prefetching them) before
// any state is read. Shared by window_funnel (funnel_agg.hpp) and sequence_* (sequence_agg.hpp);
// `Agg` is a group's state with `state.add(ts, mask)` and `state.next_slot()`.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "pg/guard.hpp"

namespace cohort::pg {

// One row waiting for its group's state.
template <typename Agg>
struct PendingRow {
  Agg* agg;
  std::int64_t ts;
  std::uint32_t mask;
};

// Rows of one call site waiting for their states, in arrival order.
template <typename Agg>
class PendingRows {
 public:
  static constexpr std::size_t kCapacity = 8192;

  explicit PendingRows(PendingRow<Agg>* buffer) : rows_(buffer) {}
  bool full() const { return count_ == kCapacity; }
  void push(Agg* agg, std::int64_t ts, std::uint32_t mask) { rows_[count_++] = PendingRow<Agg>{agg, ts, mask}; }
  // Adds every waiting row to its state, in arrival order (may throw std::bad_alloc: the
  // aggregation then ends with an error).
  void flush() {
    const std::size_t n = count_;
    count_ = 0;  // an exception below ends the aggregation: never hand a row over twice
    for (std::size_t i = 0; i < std::min(n, kHeaderAhead); ++i) __builtin_prefetch(rows_[i].agg);
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kHeaderAhead < n) __builtin_prefetch(rows_[i + kHeaderAhead].agg);
      if (i + kSlotAhead < n) __builtin_prefetch(rows_[i + kSlotAhead].agg->state.next_slot(), 1);
      rows_[i].agg->state.add(rows_[i].ts, rows_[i].mask);
    }
  }
  // Forgets the waiting rows (their states were freed).
  void discard() { count_ = 0; }

 private:
  // Rows ahead whose state header, and then whose next slot, are prefetched while flushing.
  static constexpr std::size_t kHeaderAhead = 16;
  static constexpr std::size_t kSlotAhead = 8;

  PendingRow<Agg>* rows_;
  std::size_t count_ = 0;
};

// The buffering half of what a transition keeps between calls (in fn_extra, for the whole
// query): the waiting rows and the aggregate memory context their states live in.
template <typename Agg>
struct CallSiteRows {
  // A buffer of kCapacity rows in `mcxt`.
  static PendingRow<Agg>* allocate_rows(MemoryContext mcxt) {
    PendingRow<Agg>* rows = nullptr;
    pg_call([&] {
      rows = static_cast<PendingRow<Agg>*>(MemoryContextAlloc(mcxt, PendingRows<Agg>::kCapacity * sizeof(PendingRow<Agg>)));
    });
    return rows;
  }

  explicit CallSiteRows(PendingRow<Agg>* buffer) : pending(buffer) {}

  // True when rows whose states live in `aggregate_context` may wait here: the first context
  // seen (again after it was reset). A second context at once (grouping sets) flushes and stops
  // buffering.
  bool buffering(MemoryContext aggregate_context) {
    if (direct) return false;
    if (context == aggregate_context) return true;
    if (context != nullptr) {  // a second aggregate context at once
      go_direct();
      return false;
    }
    // First rows in this context (or first since it was reset): learn when it is reset again.
    pg_call([&] {
      auto* callback = static_cast<MemoryContextCallback*>(
          MemoryContextAlloc(aggregate_context, sizeof(MemoryContextCallback)));
      callback->func = forget_waiting_rows;
      callback->arg = this;
      MemoryContextRegisterResetCallback(aggregate_context, callback);
    });
    context = aggregate_context;
    return true;
  }
  // Stops buffering for good, after handing the waiting rows over.
  void go_direct() {
    direct = true;
    pending.flush();
  }

  std::uint64_t rows_seen = 0;  // for the periodic memory check
  PendingRows<Agg> pending;
  MemoryContext context = nullptr;  // where the waiting rows' states live; null: none yet or reset
  bool direct = false;              // rows go straight to their states from now on

 private:
  // Reset callback of the aggregate context the waiting rows' states live in: they are gone.
  static void forget_waiting_rows(void* arg) {
    auto* site = static_cast<CallSiteRows*>(arg);
    site->pending.discard();
    site->context = nullptr;
  }
};

}  // namespace cohort::pg
