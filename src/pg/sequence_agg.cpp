// sequence_match / sequence_count states and the rows waiting for them (see sequence_agg.hpp).
#include "pg/sequence_agg.hpp"

#include <cstring>

#include "pg/guard.hpp"

namespace cohort::pg {

SequenceCallSite* SequenceCallSite::of(FunctionCallInfo fcinfo) {
  auto* site = static_cast<SequenceCallSite*>(fcinfo->flinfo->fn_extra);
  if (site != nullptr) return site;
  MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
  PendingRow<SequenceAgg>* buffer = allocate_rows(mcxt);
  pg_call([&] { site = new (MemoryContextAlloc(mcxt, sizeof(SequenceCallSite))) SequenceCallSite(buffer); });
  fcinfo->flinfo->fn_extra = site;
  return site;
}

void SequenceCallSite::note_params(std::string_view pattern, unsigned conditions) {
  if (same_params(pattern, conditions)) return;
  if (has_params) {  // rows with different parameters: each is checked against its group's
    go_direct();
    return;
  }
  char* copy = nullptr;
  pg_call([&] { copy = static_cast<char*>(MemoryContextAlloc(GetMemoryChunkContext(this), pattern.size() + 1)); });
  if (!pattern.empty()) std::memcpy(copy, pattern.data(), pattern.size());
  pattern_ = copy;
  pattern_len_ = pattern.size();
  conditions_ = conditions;
  has_params = true;
}

}  // namespace cohort::pg
