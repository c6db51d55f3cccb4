// sequence patterns (parser errors with positions) and the matcher against a brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/arena.hpp"
#include "core/errors.hpp"
#include "core/event_list.hpp"
#include "core/sequence_match.hpp"
#include "core/sequence_pattern.hpp"

using cohort::SequenceState;
using cohort::TimedEvent;

namespace {

constexpr std::int64_t S = 1000000;  // one second in microseconds

// The error message of parsing `pattern`, or "ok".
std::string parse_error(const std::string& pattern, unsigned conditions = 3) {
  try {
    cohort::parse_sequence_pattern(pattern, conditions);
  } catch (const cohort::CohortError& e) {
    return e.what();
  }
  return "ok";
}

bool match(const std::string& pattern, std::vector<TimedEvent> rows, unsigned conditions = 3) {
  SequenceState s(cohort::heap_arena(), pattern, conditions);
  for (const TimedEvent& e : rows) s.add(e.ts, e.mask);
  return s.match();
}

std::uint64_t count(const std::string& pattern, std::vector<TimedEvent> rows, unsigned conditions = 3) {
  SequenceState s(cohort::heap_arena(), pattern, conditions);
  for (const TimedEvent& e : rows) s.add(e.ts, e.mask);
  return s.count();
}

TEST(SequencePattern, ParsesElementsAndTimeConditions) {
  auto p = cohort::parse_sequence_pattern("(?1).*(?t>=5)(?t<10)(?2).(?3)", 3);
  ASSERT_EQ(p.steps.size(), 4u);
  EXPECT_EQ(p.steps[0].condition, 0);
  EXPECT_TRUE(p.steps[0].gap_before);
  EXPECT_EQ(p.steps[1].condition, 1);
  EXPECT_TRUE(p.steps[1].gap_before);
  ASSERT_EQ(p.steps[1].constraints.size(), 2u);
  EXPECT_EQ(p.steps[1].constraints[0].micros, 5 * S);
  EXPECT_EQ(p.steps[2].condition, -1);
  EXPECT_FALSE(p.steps[2].gap_before);
  EXPECT_FALSE(p.steps[3].gap_before);
  EXPECT_EQ(p.conditions_used, 0b111u);
}

TEST(SequencePattern, ErrorsNameThePosition) {
  EXPECT_EQ(parse_error(""), "invalid sequence pattern at position 1: the pattern is empty");
  EXPECT_EQ(parse_error("(?1)(?2"), "invalid sequence pattern at position 8: expected \")\"");
  EXPECT_EQ(parse_error("(?1)(?4)"), "invalid sequence pattern at position 7: condition number 4 is out of range 1..3");
  EXPECT_EQ(parse_error("(?0)"), "invalid sequence pattern at position 3: condition number 0 is out of range 1..3");
  EXPECT_NE(parse_error("(?1)x").find("position 5:"), std::string::npos);
  EXPECT_NE(parse_error("(?1) ").find("position 5:"), std::string::npos);
  EXPECT_NE(parse_error("(?t>1)(?1)").find("position 1: a time condition must follow"), std::string::npos);
  EXPECT_NE(parse_error("(?1)(?t>1)").find("position 5: a time condition must be followed"), std::string::npos);
  EXPECT_NE(parse_error("(?1)(?t>1).*").find("position 5"), std::string::npos);
  EXPECT_NE(parse_error("(?1)(?t=1)(?2)").find("position 8: expected a time comparison"), std::string::npos);
  EXPECT_NE(parse_error("(?1)(?t>)(?2)").find("position 9: expected a number of seconds"), std::string::npos);
  EXPECT_NE(parse_error("(?1)(?t>9999999999999)(?2)").find("too large"), std::string::npos);
  EXPECT_NE(parse_error(".*").find("no event"), std::string::npos);
  EXPECT_NE(parse_error("(?x)").find("position 3: expected a condition number"), std::string::npos);
  EXPECT_EQ(parse_error("(?1)(?t>1)(?t<5)(?2)"), "ok");
  try {
    cohort::parse_sequence_pattern(std::string(1001, '.'), 1);
    FAIL();
  } catch (const cohort::CohortError& e) {
    EXPECT_EQ(e.kind(), cohort::ErrorKind::ProgramLimit);
  }
}

TEST(SequenceMatch, AdjacencyAnyAndStar) {
  std::vector<TimedEvent> abc{{0, 1}, {1 * S, 2}, {2 * S, 4}};
  EXPECT_TRUE(match("(?1)(?2)", abc));
  EXPECT_FALSE(match("(?1)(?3)", abc));
  EXPECT_TRUE(match("(?1).(?3)", abc));
  EXPECT_TRUE(match("(?1).*(?3)", abc));
  EXPECT_TRUE(match(".(?3)", abc));
  EXPECT_FALSE(match("(?3).", abc));
  EXPECT_FALSE(match("(?2)(?1)", abc));
  EXPECT_TRUE(match("(?1)(?2)(?3)", abc));
  EXPECT_TRUE(match("...", abc));
  EXPECT_FALSE(match("....", abc));
  // Rows without a true condition are not events.
  EXPECT_TRUE(match("(?1)(?2)", {{0, 1}, {1, 0}, {2, 2}}));
}

TEST(SequenceMatch, TimeConditionsIncludingEdges) {
  std::vector<TimedEvent> ev{{0, 1}, {60 * S, 2}, {120 * S, 4}};
  EXPECT_TRUE(match("(?1)(?t<=120)(?3)", ev));
  EXPECT_FALSE(match("(?1)(?t<120)(?3)", ev));
  EXPECT_TRUE(match("(?1)(?t==60)(?2)", ev));
  EXPECT_FALSE(match("(?1)(?t!=60)(?2)", ev));
  EXPECT_TRUE(match("(?1)(?t>=60)(?2)", ev));
  EXPECT_FALSE(match("(?1)(?t>60)(?2)", ev));
  EXPECT_TRUE(match("(?1)(?t>60)(?t<200)(?3)", ev));
  EXPECT_FALSE(match("(?1)(?t>60)(?t<120)(?3)", ev));
  // A time condition allows events between the two events it relates.
  EXPECT_TRUE(match("(?1)(?t>=100)(?3)", ev));
}

TEST(SequenceMatch, EqualTimestampsOrderByLowestCondition) {
  EXPECT_TRUE(match("(?1)(?2)", {{7, 2}, {7, 1}}));
  EXPECT_FALSE(match("(?2)(?1)", {{7, 2}, {7, 1}}));
  EXPECT_TRUE(match("(?1)(?t==0)(?2)", {{7, 2}, {7, 1}}));
}

TEST(SequenceCount, NonOverlappingMatches) {
  std::vector<TimedEvent> ababab;
  for (int i = 0; i < 6; ++i) ababab.push_back({i * 60 * S, i % 2 == 0 ? 1u : 2u});
  EXPECT_EQ(count("(?1)(?2)", ababab), 3u);
  EXPECT_EQ(count("(?1).*(?2)", ababab), 3u);
  EXPECT_EQ(count("(?1)(?t>=120)(?2)", ababab), 1u);
  EXPECT_EQ(count("(?1)(?2)", {{0, 1}, {1, 1}, {2, 2}, {3, 2}}), 1u);
  EXPECT_EQ(count(".", ababab), 6u);
  EXPECT_EQ(count("(?3)", ababab), 0u);
  EXPECT_EQ(count("(?1)", {}), 0u);
}

// All matches by exhaustive search: index tuples i1 < ... < im from `from`, respecting adjacency,
// conditions and time conditions; returns the smallest end + 1, or kNoMatch.
std::size_t brute_find(const cohort::SequencePattern& p, const std::vector<TimedEvent>& ev, std::size_t from) {
  std::size_t best = cohort::kNoMatch;
  std::vector<std::size_t> idx;
  auto dfs = [&](auto&& self, std::size_t e) -> void {
    if (e == p.steps.size()) {
      best = std::min(best, idx.back() + 1);
      return;
    }
    const auto& s = p.steps[e];
    std::size_t lo = e == 0 ? from : idx.back() + 1;
    std::size_t hi = (e == 0 || s.gap_before) ? ev.size() : std::min(ev.size(), idx.back() + 2);
    for (std::size_t i = lo; i < hi; ++i) {
      if (s.condition >= 0 ? !((ev[i].mask >> s.condition) & 1u) : ev[i].mask == 0) continue;
      bool ok = true;
      if (e > 0)
        for (const auto& c : s.constraints) ok = ok && c.holds(cohort::elapsed(ev[idx.back()].ts, ev[i].ts));
      if (!ok) continue;
      idx.push_back(i);
      self(self, e + 1);
      idx.pop_back();
    }
  };
  dfs(dfs, 0);
  return best;
}

TEST(SequenceMatch, MatchesBruteForceOnRandomInputs) {
  std::mt19937 rng(777);
  const char* atoms[] = {"(?1)", "(?2)", "(?3)", ".", ".*", "(?t<=2)", "(?t>1)", "(?t==1)", "(?t!=2)", "(?t<3)", "(?t>=2)"};
  int checked = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string pattern;
    int len = 1 + static_cast<int>(rng() % 5);
    for (int i = 0; i < len; ++i) pattern += atoms[rng() % 11];
    cohort::SequencePattern p;
    try {
      p = cohort::parse_sequence_pattern(pattern, 3);
    } catch (const cohort::CohortError&) {
      continue;
    }
    cohort::EventList list(cohort::heap_arena());
    std::size_t n = rng() % 9;
    for (std::size_t i = 0; i < n; ++i)
      list.add(static_cast<std::int64_t>(rng() % 6) * S, 1 + static_cast<std::uint32_t>(rng() % 7));
    cohort::SortedEvents sorted(list);
    std::vector<TimedEvent> ev(sorted.data(), sorted.data() + sorted.size());
    for (std::size_t from = 0; from <= ev.size(); ++from) {
      ASSERT_EQ(cohort::find_sequence(p, ev.data(), ev.size(), from, cohort::heap_arena()), brute_find(p, ev, from))
          << pattern << " from " << from << " round " << round;
    }
    ++checked;
  }
  EXPECT_GT(checked, 500);  // most random patterns are valid
}

TEST(SequenceState, SerializeRoundTripAndCorruption) {
  SequenceState a(cohort::heap_arena(), "(?1)(?2)", 2);
  a.add(5, 2);
  a.add(1, 1);
  a.add(3, 0);  // not an event
  EXPECT_EQ(a.size(), 2u);
  std::string bytes(a.serialized_size(), '\0');
  a.serialize(reinterpret_cast<unsigned char*>(bytes.data()));
  SequenceState b = SequenceState::deserialize(cohort::heap_arena(), bytes);
  EXPECT_EQ(b.pattern(), "(?1)(?2)");
  EXPECT_EQ(b.conditions(), 2u);
  EXPECT_TRUE(b.match());
  EXPECT_TRUE(b.match());  // the final step may run twice
  EXPECT_EQ(b.count(), 1u);

  auto rejects = [](const std::string& s) {
    try {
      SequenceState::deserialize(cohort::heap_arena(), s);
    } catch (const cohort::CohortError& e) {
      return e.kind() == cohort::ErrorKind::InvalidBinary;
    }
    return false;
  };
  EXPECT_FALSE(rejects(bytes));
  EXPECT_TRUE(rejects(""));
  EXPECT_TRUE(rejects(bytes.substr(0, bytes.size() - 3)));
  EXPECT_TRUE(rejects(bytes + "z"));
  std::string bad = bytes;
  bad[1] = 'F';
  EXPECT_TRUE(rejects(bad));
  bad = bytes;
  bad[2] = 0;  // zero conditions
  EXPECT_TRUE(rejects(bad));
  bad = bytes;
  bad[6] = 100;  // pattern length past the end
  EXPECT_TRUE(rejects(bad));
  bad = bytes;
  bad[10 + 3] = '9';  // (?9) with 2 conditions
  EXPECT_TRUE(rejects(bad));
  bad = bytes;
  bad[10 + 8 + 8 + 8] = 0;  // first event without a true condition
  EXPECT_TRUE(rejects(bad));
  bad = bytes;
  bad[10 + 8 + 8 + 8] = 4;  // first event names condition 3 of 2
  EXPECT_TRUE(rejects(bad));
}

TEST(SequenceState, MergeRequiresTheSamePattern) {
  SequenceState a(cohort::heap_arena(), "(?1)(?2)", 2), b(cohort::heap_arena(), "(?1)(?2)", 2);
  a.add(10, 2);
  b.add(0, 1);
  a.merge(b);
  EXPECT_TRUE(a.match());
  SequenceState c(cohort::heap_arena(), "(?2)", 2);
  EXPECT_THROW(a.merge(c), cohort::CohortError);
  EXPECT_THROW(a.check_same("(?1)(?2)", 3), cohort::CohortError);
}

}  // namespace
