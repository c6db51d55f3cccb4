// RowRelevance: per event, the windows and filters its accumulators ask of a row.
#include "core/row_relevance.hpp"

#include <algorithm>
#include <limits>

namespace cohort {

RowRelevance::RowRelevance(const Program& program, const std::vector<int64_t>& window_lower)
    : needs_(program.events().size()),
      earliest_(program.events().size(), std::numeric_limits<int64_t>::max()),
      time_decides_(program.events().size(), 0) {
  for (const AccumulatorSpec& acc : program.accumulators()) {
    Need need{window_lower_bound(acc, window_lower), acc.filters};
    const auto e = static_cast<std::size_t>(acc.event);
    earliest_[e] = std::min(earliest_[e], need.lower);
    needs_[e].push_back(std::move(need));
  }
  for (std::size_t e = 0; e < needs_.size(); ++e)
    for (const Need& need : needs_[e])
      if (need.filters.empty() && need.lower == earliest_[e]) time_decides_[e] = 1;
}

bool RowRelevance::feeds(int event, int64_t ts, const char* passes) const {
  for (const Need& need : needs_[static_cast<std::size_t>(event)]) {
    if (ts < need.lower) continue;
    if (std::all_of(need.filters.begin(), need.filters.end(), [&](int f) { return passes[f] != 0; })) return true;
  }
  return false;
}

}  // namespace cohort
