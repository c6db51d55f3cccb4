// Sort-based funnel levels for many users.
#include "core/funnel_levels.hpp"

#include <algorithm>

#include "core/errors.hpp"

namespace cohort {

FunnelLevels::FunnelLevels(const FunnelParams& params, Arena& arena)
    : params_(params), arena_(arena), rows_(ArenaAllocator<Row>(arena)) {
  if (params.modes & kStrictOrder)
    throw CohortError(ErrorKind::InvalidParameter, "strict_order needs every event of a user, not only the steps");
}

void FunnelLevels::finish(const std::function<void(std::int64_t, int)>& emit) {
  std::sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) {
    if (a.user_id != b.user_id) return a.user_id < b.user_id;
    return event_before(a.event, b.event);
  });
  std::vector<TimedEvent, ArenaAllocator<TimedEvent>> run{ArenaAllocator<TimedEvent>(arena_)};
  for (std::size_t i = 0; i < rows_.size();) {
    std::size_t end = i;
    run.clear();
    while (end < rows_.size() && rows_[end].user_id == rows_[i].user_id) run.push_back(rows_[end++].event);
    emit(rows_[i].user_id, window_funnel(params_, run.data(), run.size(), arena_));
    i = end;
  }
}

}  // namespace cohort
