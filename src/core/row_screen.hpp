// The events scan's first test of a row: its name's length and its time, with one branch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/program.hpp"
#include "core/row_relevance.hpp"

namespace cohort {

// Rejects an events row by its name's length and its time alone, where no event the scan wants
// has a name of that length whose accumulators could use a row at that time. The scan's window
// (`lower` to `upper`) it applies exactly: a row it passes is in the window, and the caller does
// not test that again. The rest is conservative: a row it passes still goes through
// Program::event_index() and RowRelevance::may_feed(). It replaces a test per name and a test per
// window bound, whose branches mispredict on rows in random order, with two comparisons against a
// table indexed by the length.
class RowScreen {
 public:
  // The scan keeps rows at or before `upper` and at or after `lower`; with `every_event` rows of
  // every name (the universe needs them), otherwise only the program's events, each from the
  // earliest time its accumulators use (`relevance`, when given).
  RowScreen(const Program& program, bool every_event, int64_t lower, int64_t upper, const RowRelevance* relevance);
  // Whether a row whose event name is `length` bytes long, at `ts`, may be kept: false whenever
  // `ts` is outside the scan's window.
  bool may_pass(std::size_t length, int64_t ts) const {
    return (ts >= lower_[std::min(length, kLongNames)]) & (ts <= upper_);
  }

 private:
  // Names this long or longer share the last entry (the earliest of their bounds).
  static constexpr std::size_t kLongNames = 255;
  int64_t lower_[kLongNames + 1];  // per name length: the earliest time a row may be kept
  int64_t upper_;
};

}  // namespace cohort
