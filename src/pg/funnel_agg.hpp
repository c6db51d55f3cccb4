// The window_funnel aggregate state and its call site: rows wait for their states in the call
// site's buffer (pending_rows.hpp) while they share the parameters of every earlier row.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/funnel.hpp"
#include "pg/memory_arena.hpp"
#include "pg/pending_rows.hpp"

namespace cohort::pg {

// One group's window_funnel state: its arena, the core state, the window interval and modes
// bytes as given (so constant arguments are converted and parsed once per group, not per row),
// and where rows of this group may still be waiting.
struct FunnelAgg {
  FunnelAgg(MemoryContext context, const cohort::FunnelParams& params, PendingRows<FunnelAgg>* waiting)
      : arena(context), state(arena, params), pending(waiting) {}
  // Hands every waiting row over to its state (this group's and the others of its call site).
  void settle();

  MemoryContextArena arena;
  cohort::FunnelState state;
  PendingRows<FunnelAgg>* pending;  // null when no row of this group can be waiting
  Interval window_raw{};  // all zero (never a valid window) until the first row sets it
  char* modes_raw = nullptr;
  std::size_t modes_len = 0;
};
// One state per group: a byte more and every group takes a 256-byte AllocSet chunk, not 128.
static_assert(sizeof(FunnelAgg) <= 128, "a window_funnel group's state fits 128 bytes");

// What a window_funnel transition keeps between calls (in fn_extra, for the whole query): the
// waiting rows (CallSiteRows) and the parameters every row so far had, so a row with the same
// ones needs no look at its group's state.
struct FunnelCallSite : CallSiteRows<FunnelAgg> {
  // The call site of this transition call, created on first use.
  static FunnelCallSite* of(FunctionCallInfo fcinfo);
  // Records the parameters of a row (raw window and modes bytes or null, and as converted); a row
  // whose parameters differ from earlier rows' flushes and stops buffering.
  void note_params(const Interval& window, const ArrayType* modes, const cohort::FunnelParams& converted);
  // True when a row has the parameters every earlier row had.
  bool same_params(const Interval& window, unsigned steps, const ArrayType* modes) const;

  bool has_params = false;
  cohort::FunnelParams params;  // as converted
  Interval window_raw{};
  char* modes_raw = nullptr;  // in fn_mcxt; null for the forms without modes
  std::size_t modes_len = 0;

 private:
  explicit FunnelCallSite(PendingRow<FunnelAgg>* buffer) : CallSiteRows<FunnelAgg>(buffer) {}
};

}  // namespace cohort::pg
