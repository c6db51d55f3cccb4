// sequence_match / sequence_count patterns (ClickHouse syntax) compiled to a list of steps.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace cohort {

// Most event elements ((?N) or .) one pattern may have.
constexpr std::size_t kMaxPatternSteps = 1000;

// A time condition (?t<op><seconds>) between two neighbouring matched events.
enum class TimeOp { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual };

struct TimeConstraint {
  TimeOp op;
  std::int64_t micros;  // the seconds of the pattern, in microseconds

  // Whether `gap` microseconds between the two events satisfy the condition.
  bool holds(std::uint64_t gap) const;
  // True for <, <= and ==: a gap that fails stays failed as time goes on.
  bool is_upper_bound() const { return op == TimeOp::Less || op == TimeOp::LessEqual || op == TimeOp::Equal; }
};

// One event element: the condition it needs and how it relates to the previous element.
struct PatternStep {
  int condition = -1;           // 0-based condition index; -1 for "." (any event)
  bool gap_before = false;      // other events may come between the previous element and this one
  std::vector<TimeConstraint> constraints;  // on the time since the previous element's event
};

// A compiled pattern: its event elements in order (at least one).
struct SequencePattern {
  std::vector<PatternStep> steps;
  std::uint32_t conditions_used = 0;  // bit i set if (?i+1) appears
};

// Parses `text` for a call with `conditions` conditions. Throws CohortError InvalidParameter with
// the 1-based character position of the problem, or ProgramLimit for too many elements.
SequencePattern parse_sequence_pattern(std::string_view text, unsigned conditions);

}  // namespace cohort
