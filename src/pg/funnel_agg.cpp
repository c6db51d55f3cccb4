// window_funnel states and the rows waiting for them (see funnel_agg.hpp).
#include "pg/funnel_agg.hpp"

#include <algorithm>
#include <cstring>

#include "pg/guard.hpp"

namespace cohort::pg {
namespace {

// Rows ahead whose state header, and then whose next slot, are prefetched while flushing.
constexpr std::size_t kHeaderAhead = 16;
constexpr std::size_t kSlotAhead = 8;

// Reset callback of the aggregate context the waiting rows' states live in: they are gone.
void forget_waiting_rows(void* arg) {
  auto* site = static_cast<FunnelCallSite*>(arg);
  site->pending.discard();
  site->context = nullptr;
}

}  // namespace

void FunnelAgg::settle() {
  if (pending != nullptr) pending->flush();
}

void PendingRows::flush() {
  const std::size_t n = count_;
  count_ = 0;  // an exception below ends the aggregation: never hand a row over twice
  for (std::size_t i = 0; i < std::min(n, kHeaderAhead); ++i) __builtin_prefetch(rows_[i].agg);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kHeaderAhead < n) __builtin_prefetch(rows_[i + kHeaderAhead].agg);
    if (i + kSlotAhead < n) __builtin_prefetch(rows_[i + kSlotAhead].agg->state.next_slot(), 1);
    rows_[i].agg->state.add(rows_[i].ts, rows_[i].mask);
  }
}

FunnelCallSite* FunnelCallSite::of(FunctionCallInfo fcinfo) {
  auto* site = static_cast<FunnelCallSite*>(fcinfo->flinfo->fn_extra);
  if (site != nullptr) return site;
  pg_call([&] {
    MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
    auto* buffer = static_cast<PendingRow*>(MemoryContextAlloc(mcxt, PendingRows::kCapacity * sizeof(PendingRow)));
    site = new (MemoryContextAlloc(mcxt, sizeof(FunnelCallSite))) FunnelCallSite(buffer);
  });
  fcinfo->flinfo->fn_extra = site;
  return site;
}

bool FunnelCallSite::buffering(MemoryContext aggregate_context) {
  if (direct) return false;
  if (context == aggregate_context) return true;
  if (context != nullptr) {  // a second aggregate context at once
    go_direct();
    return false;
  }
  // First rows in this context (or first since it was reset): learn when it is reset again.
  pg_call([&] {
    auto* callback = static_cast<MemoryContextCallback*>(MemoryContextAlloc(aggregate_context, sizeof(MemoryContextCallback)));
    callback->func = forget_waiting_rows;
    callback->arg = this;
    MemoryContextRegisterResetCallback(aggregate_context, callback);
  });
  context = aggregate_context;
  return true;
}

bool FunnelCallSite::same_params(const Interval& window, unsigned row_steps, const ArrayType* modes) const {
  if (!has_params || row_steps != params.steps || window.time != window_raw.time || window.day != window_raw.day ||
      window.month != window_raw.month)
    return false;
  if (modes == nullptr) return modes_raw == nullptr;
  return modes_raw != nullptr && modes_len == VARSIZE(modes) && std::memcmp(modes_raw, modes, modes_len) == 0;
}

void FunnelCallSite::note_params(const Interval& window, const ArrayType* modes,
                                 const cohort::FunnelParams& converted) {
  if (same_params(window, converted.steps, modes)) return;
  if (has_params) {  // rows with different parameters: each is checked against its group's
    go_direct();
    return;
  }
  if (modes != nullptr) {
    modes_len = VARSIZE(modes);
    pg_call([&] { modes_raw = static_cast<char*>(MemoryContextAlloc(GetMemoryChunkContext(this), modes_len)); });
    std::memcpy(modes_raw, modes, modes_len);
  }
  window_raw = window;
  params = converted;
  has_params = true;
}

void FunnelCallSite::go_direct() {
  direct = true;
  pending.flush();
}

}  // namespace cohort::pg
