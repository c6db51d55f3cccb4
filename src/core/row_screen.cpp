// RowScreen: the per-length time bounds of the events scan's first test.
#include "core/row_screen.hpp"

#include <algorithm>
#include <iterator>
#include <limits>

namespace cohort {

RowScreen::RowScreen(const Program& program, bool every_event, int64_t lower, int64_t upper,
                     const RowRelevance* relevance)
    : upper_(upper) {
  // A length no wanted name has keeps no row: INT64_MAX admits only a time of 'infinity' (when
  // `upper` is 'infinity' too), which the name test then rejects. Every bound is at least `lower`.
  std::fill(std::begin(lower_), std::end(lower_), every_event ? lower : std::numeric_limits<int64_t>::max());
  if (every_event) return;
  const auto& events = program.events();
  for (std::size_t e = 0; e < events.size(); ++e) {
    int64_t bound = lower;
    if (relevance != nullptr) bound = std::max(bound, relevance->earliest(static_cast<int>(e)));
    int64_t& entry = lower_[std::min(events[e].size(), kLongNames)];
    entry = std::min(entry, bound);
  }
}

}  // namespace cohort
