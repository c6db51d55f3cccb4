// window_funnel strict_once on many rows sharing a timestamp (found by test/fuzz/event_list_fuzz):
// identical rows are interchangeable, and a search that still explodes stops with 54000.
#include "test_util.hpp"

#include <chrono>

#include "core/funnel.hpp"

namespace {

// The funnel level of `rows` (ts, mask) for a window of an hour.
int once_level(const std::vector<cohort::TimedEvent>& rows, unsigned steps) {
  cohort::FunnelState s(cohort::heap_arena(), cohort::FunnelParams{3600, cohort::kStrictOnce, steps});
  for (const cohort::TimedEvent& e : rows) s.add(e.ts, e.mask);
  return s.result();
}

}  // namespace

TEST(FunnelLimits, IdenticalRowsAtOneTimestampAreFast) {
  std::vector<cohort::TimedEvent> rows(40, cohort::TimedEvent{7, 0xFFFFFFFFu});
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(once_level(rows, 32), 32);
  rows.resize(20);
  EXPECT_EQ(once_level(rows, 32), 20);  // each row serves one step only
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(FunnelLimits, ExplodingSearchIsAProgramLimit) {
  // 32 different rows at one timestamp, each good for every step but one: too many partial chains.
  std::vector<cohort::TimedEvent> rows;
  for (unsigned i = 0; i < 32; ++i) rows.push_back({7, ~(1u << i)});
  auto start = std::chrono::steady_clock::now();
  try {
    once_level(rows, 32);
    FAIL() << "expected a program limit error";
  } catch (const cohort::CohortError& e) {
    EXPECT_EQ(e.kind(), cohort::ErrorKind::ProgramLimit);
    EXPECT_STREQ(e.what(), "window_funnel strict_once search is too large");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}
