// Which events rows can change some accumulator: the scan drops the others before any lookup.
#pragma once

#include <cstdint>
#include <vector>

#include "core/program.hpp"

namespace cohort {

// For each of a program's events, the windows and filters of the accumulators it feeds. A row
// feeds an accumulator when it has the accumulator's event, its time is at or after the
// accumulator's window bound and it passes all the accumulator's filters (UserTable::fold_into()'s tests).
// Only used where the universe does not depend on which rows are read (a customers relation, or no
// definition matching an all-zero state): a row that feeds nothing leaves every state as it was.
class RowRelevance {
 public:
  // `window_lower` holds the lower ts bound of each of program.window_days().
  RowRelevance(const Program& program, const std::vector<int64_t>& window_lower);
  // Whether a row of `event` (a Program::events() index) at `ts` can feed some accumulator, before
  // its filters are known: at or after the earliest window bound among the event's accumulators.
  bool may_feed(int event, int64_t ts) const { return ts >= earliest_[static_cast<std::size_t>(event)]; }
  // The earliest window bound among `event`'s accumulators (INT64_MIN: one has no window).
  int64_t earliest(int event) const { return earliest_[static_cast<std::size_t>(event)]; }
  // Whether `event` is decided by may_feed() alone: one of its accumulators has no filter and the
  // earliest bound.
  bool time_decides(int event) const { return time_decides_[static_cast<std::size_t>(event)] != 0; }
  // Whether a row of `event` at `ts` with filter results `passes` (per Program::filters(), nonzero
  // when the row passes) feeds some accumulator.
  bool feeds(int event, int64_t ts, const char* passes) const;

 private:
  // What one accumulator asks of a row of its event.
  struct Need {
    int64_t lower;             // INT64_MIN without a window
    std::vector<int> filters;  // Program::filters() indexes, all must pass
  };
  std::vector<std::vector<Need>> needs_;  // per event
  std::vector<int64_t> earliest_;         // per event: the lowest `lower` of its needs
  std::vector<char> time_decides_;        // per event
};

}  // namespace cohort
