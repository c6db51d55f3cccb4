// window_funnel states and the rows waiting for them (see funnel_agg.hpp).
#include "pg/funnel_agg.hpp"

#include <algorithm>
#include <cstring>

#include "pg/guard.hpp"

namespace cohort::pg {

void FunnelAgg::settle() {
  if (pending != nullptr) pending->flush();
}

FunnelCallSite* FunnelCallSite::of(FunctionCallInfo fcinfo) {
  auto* site = static_cast<FunnelCallSite*>(fcinfo->flinfo->fn_extra);
  if (site != nullptr) return site;
  MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
  PendingRow<FunnelAgg>* buffer = allocate_rows(mcxt);
  pg_call([&] { site = new (MemoryContextAlloc(mcxt, sizeof(FunnelCallSite))) FunnelCallSite(buffer); });
  fcinfo->flinfo->fn_extra = site;
  return site;
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

}  // namespace cohort::pg
