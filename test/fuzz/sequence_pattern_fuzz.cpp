// Fuzz target: the sequence_match / sequence_count pattern parser. The first byte picks the number
// of conditions (1..32), the rest is the pattern. Any text parses or throws CohortError; a parsed
// pattern is well formed, and writing it back as text parses to the same steps.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "core/sequence_pattern.hpp"
#include "fuzz_check.hpp"

using cohort_fuzz::check;
using cohort_fuzz::fail;

namespace {

// The text of a time comparison.
const char* op_text(cohort::TimeOp op) {
  switch (op) {
    case cohort::TimeOp::Less: return "<";
    case cohort::TimeOp::LessEqual: return "<=";
    case cohort::TimeOp::Greater: return ">";
    case cohort::TimeOp::GreaterEqual: return ">=";
    case cohort::TimeOp::Equal: return "==";
    case cohort::TimeOp::NotEqual: return "!=";
  }
  fail("unknown time operator");
}

// A pattern text that compiles to `p`: ".*" only where a gap is not implied already.
std::string render(const cohort::SequencePattern& p) {
  std::string out;
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    const cohort::PatternStep& s = p.steps[i];
    for (const cohort::TimeConstraint& c : s.constraints)
      out += std::string("(?t") + op_text(c.op) + std::to_string(c.micros / 1000000) + ")";
    if (i > 0 && s.gap_before && s.constraints.empty()) out += ".*";
    out += s.condition < 0 ? std::string(".") : "(?" + std::to_string(s.condition + 1) + ")";
  }
  return out;
}

// Whether two compiled patterns are the same.
bool same(const cohort::SequencePattern& a, const cohort::SequencePattern& b) {
  if (a.conditions_used != b.conditions_used || a.steps.size() != b.steps.size()) return false;
  for (std::size_t i = 0; i < a.steps.size(); ++i) {
    const cohort::PatternStep& x = a.steps[i];
    const cohort::PatternStep& y = b.steps[i];
    if (x.condition != y.condition || x.gap_before != y.gap_before || x.constraints.size() != y.constraints.size())
      return false;
    for (std::size_t k = 0; k < x.constraints.size(); ++k)
      if (x.constraints[k].op != y.constraints[k].op || x.constraints[k].micros != y.constraints[k].micros)
        return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  unsigned conditions = 1 + data[0] % 32;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  cohort::SequencePattern p;
  try {
    p = cohort::parse_sequence_pattern(text, conditions);
  } catch (const cohort::CohortError&) {
    return 0;
  } catch (const std::exception& e) {
    fail(std::string("parse_sequence_pattern threw a non-CohortError: ") + e.what());
  }
  check(!p.steps.empty() && p.steps.size() <= cohort::kMaxPatternSteps, "bad number of steps");
  check(p.steps[0].gap_before && p.steps[0].constraints.empty(), "the first step has a gap and no time condition");
  std::uint32_t used = 0;
  for (const cohort::PatternStep& s : p.steps) {
    check(s.condition >= -1 && s.condition < static_cast<int>(conditions), "condition index out of range");
    if (s.condition >= 0) used |= 1u << s.condition;
    check(s.constraints.empty() || s.gap_before, "a time condition without a gap");
    for (const cohort::TimeConstraint& c : s.constraints)
      check(c.micros >= 0 && c.micros % 1000000 == 0, "time condition is not whole non-negative seconds");
  }
  check(used == p.conditions_used, "conditions_used does not match the steps");
  std::string text2 = render(p);
  cohort::SequencePattern p2;
  try {
    p2 = cohort::parse_sequence_pattern(text2, conditions);
  } catch (const std::exception& e) {
    fail("rendered pattern \"" + text2 + "\" does not parse: " + e.what());
  }
  check(same(p, p2), "rendered pattern \"" + text2 + "\" compiles differently");
  return 0;
}
