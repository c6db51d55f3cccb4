// The window_funnel aggregate state, and the rows waiting for it: the transition appends each
// row to a small sequential buffer of its call site instead of writing into a random group's list,
// and the buffer is handed to the groups in batches (prefetching them) before any state is read.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/funnel.hpp"
#include "pg/memory_arena.hpp"

namespace cohort::pg {

class PendingRows;

// One group's window_funnel state: its arena, the core state, the window interval and modes
// bytes as given (so constant arguments are converted and parsed once per group, not per row),
// and where rows of this group may still be waiting.
struct FunnelAgg {
  FunnelAgg(MemoryContext context, const cohort::FunnelParams& params, PendingRows* waiting)
      : arena(context), state(arena, params), pending(waiting) {}
  // Hands every waiting row over to its state (this group's and the others of its call site).
  void settle();

  MemoryContextArena arena;
  cohort::FunnelState state;
  PendingRows* pending;   // null when no row of this group can be waiting
  Interval window_raw{};  // all zero (never a valid window) until the first row sets it
  char* modes_raw = nullptr;
  std::size_t modes_len = 0;
};

// One row waiting for its group's state.
struct PendingRow {
  FunnelAgg* agg;
  std::int64_t ts;
  std::uint32_t mask;
};

// Rows of one call site waiting for their states, in arrival order.
class PendingRows {
 public:
  static constexpr std::size_t kCapacity = 8192;

  explicit PendingRows(PendingRow* buffer) : rows_(buffer) {}
  bool full() const { return count_ == kCapacity; }
  void push(FunnelAgg* agg, std::int64_t ts, std::uint32_t mask) { rows_[count_++] = PendingRow{agg, ts, mask}; }
  // Adds every waiting row to its state, in arrival order (may throw std::bad_alloc: the
  // aggregation then ends with an error).
  void flush();
  // Forgets the waiting rows (their states were freed).
  void discard() { count_ = 0; }

 private:
  PendingRow* rows_;
  std::size_t count_ = 0;
};

// What a window_funnel transition keeps between calls (in fn_extra, for the whole query): the
// waiting rows, the aggregate memory context their states live in, and the parameters every row
// so far had, so a row with the same ones needs no look at its group's state.
struct FunnelCallSite {
  // The call site of this transition call, created on first use.
  static FunnelCallSite* of(FunctionCallInfo fcinfo);
  // True when rows whose states live in `context` may wait here: the first context seen (again
  // after it was reset). A second context at once (grouping sets) flushes and stops buffering.
  bool buffering(MemoryContext context);
  // Records the parameters of a row (raw window and modes bytes or null, and as converted); a row
  // whose parameters differ from earlier rows' flushes and stops buffering.
  void note_params(const Interval& window, const ArrayType* modes, const cohort::FunnelParams& converted);
  // True when a row has the parameters every earlier row had.
  bool same_params(const Interval& window, unsigned steps, const ArrayType* modes) const;

  std::uint64_t rows_seen = 0;  // for the periodic memory check
  PendingRows pending;
  MemoryContext context = nullptr;  // where the waiting rows' states live; null: none yet or reset
  bool direct = false;              // rows go straight to their states from now on
  bool has_params = false;
  cohort::FunnelParams params;  // as converted
  Interval window_raw{};
  char* modes_raw = nullptr;  // in fn_mcxt; null for the forms without modes
  std::size_t modes_len = 0;

 private:
  explicit FunnelCallSite(PendingRow* buffer) : pending(buffer) {}
  // Stops buffering for good, after handing the waiting rows over.
  void go_direct();
};

}  // namespace cohort::pg
