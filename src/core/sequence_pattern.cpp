// The sequence pattern parser.
#include "core/sequence_pattern.hpp"

#include <string>

#include "core/errors.hpp"

namespace cohort {
namespace {

// Largest number of seconds whose microseconds fit an int64.
constexpr std::uint64_t kMaxSeconds = 9223372036854ULL;

// A recursive-descent-free scanner over the pattern text.
class PatternParser {
 public:
  PatternParser(std::string_view text, unsigned conditions) : text_(text), conditions_(conditions) {}

  SequencePattern parse() {
    if (text_.empty()) fail(0, "the pattern is empty");
    bool gap = true;  // a match may start anywhere: an implicit ".*" before the first element
    std::vector<TimeConstraint> pending;
    std::size_t pending_pos = 0;
    while (pos_ < text_.size()) {
      std::size_t start = pos_;
      if (take("(?t")) {
        if (out_.steps.empty()) fail(start, "a time condition must follow an event ((?N) or .)");
        TimeConstraint c{time_op(), 0};
        c.micros = static_cast<std::int64_t>(number(kMaxSeconds, "number of seconds")) * 1000000;
        expect(')');
        if (pending.empty()) pending_pos = start;
        pending.push_back(c);
        gap = true;  // any number of events may lie between the two events
      } else if (take("(?")) {
        std::size_t num_pos = pos_;
        std::uint64_t n = number(kMaxSeconds, "condition number");
        if (n < 1 || n > conditions_)
          fail(num_pos, "condition number " + std::to_string(n) + " is out of range 1.." + std::to_string(conditions_));
        expect(')');
        push_step(static_cast<int>(n - 1), gap, pending, start);
        gap = false;
      } else if (take(".*")) {
        gap = true;
      } else if (take(".")) {
        push_step(-1, gap, pending, start);
        gap = false;
      } else {
        fail(start, "expected \"(?N)\", \".\", \".*\" or \"(?t<op><seconds>)\"");
      }
    }
    if (!pending.empty()) fail(pending_pos, "a time condition must be followed by an event ((?N) or .)");
    if (out_.steps.empty()) fail(0, "the pattern has no event ((?N) or .)");
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& what) const {
    throw CohortError(ErrorKind::InvalidParameter,
                      "invalid sequence pattern at position " + std::to_string(at + 1) + ": " + what,
                      "The pattern is \"" + std::string(text_) + "\".");
  }

  bool take(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  void expect(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) fail(pos_, std::string("expected \"") + c + "\"");
    ++pos_;
  }

  TimeOp time_op() {
    if (take("<=")) return TimeOp::LessEqual;
    if (take(">=")) return TimeOp::GreaterEqual;
    if (take("==")) return TimeOp::Equal;
    if (take("!=")) return TimeOp::NotEqual;
    if (take("<")) return TimeOp::Less;
    if (take(">")) return TimeOp::Greater;
    fail(pos_, "expected a time comparison (<, <=, >, >=, == or !=)");
  }

  // A run of decimal digits, at most `max`.
  std::uint64_t number(std::uint64_t max, const char* what) {
    std::size_t start = pos_;
    std::uint64_t v = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      v = v * 10 + static_cast<std::uint64_t>(text_[pos_] - '0');
      if (v > max) fail(start, std::string(what) + " is too large");
      ++pos_;
    }
    if (pos_ == start) fail(start, std::string("expected a ") + what);  // what: "number of seconds", ...
    return v;
  }

  void push_step(int condition, bool gap, std::vector<TimeConstraint>& pending, std::size_t at) {
    if (out_.steps.size() >= kMaxPatternSteps)
      throw CohortError(ErrorKind::ProgramLimit,
                        "sequence pattern has more than " + std::to_string(kMaxPatternSteps) + " events",
                        "The limit was reached at position " + std::to_string(at + 1) + ".");
    PatternStep s;
    s.condition = condition;
    s.gap_before = gap;
    s.constraints = std::move(pending);
    pending.clear();
    if (condition >= 0) out_.conditions_used |= 1u << condition;
    out_.steps.push_back(std::move(s));
  }

  std::string_view text_;
  unsigned conditions_;
  std::size_t pos_ = 0;
  SequencePattern out_;
};

}  // namespace

bool TimeConstraint::holds(std::uint64_t gap) const {
  std::uint64_t m = static_cast<std::uint64_t>(micros);
  switch (op) {
    case TimeOp::Less: return gap < m;
    case TimeOp::LessEqual: return gap <= m;
    case TimeOp::Greater: return gap > m;
    case TimeOp::GreaterEqual: return gap >= m;
    case TimeOp::Equal: return gap == m;
    case TimeOp::NotEqual: return gap != m;
  }
  return false;
}

SequencePattern parse_sequence_pattern(std::string_view text, unsigned conditions) {
  return PatternParser(text, conditions).parse();
}

}  // namespace cohort
