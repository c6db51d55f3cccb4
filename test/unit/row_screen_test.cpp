// RowScreen: the events scan's first test by name length and time, against the exact tests.
#include "core/row_screen.hpp"

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "test_util.hpp"

using cohort::RowRelevance;
using cohort::RowScreen;
using cohort_test::Harness;
using cohort_test::kDay;

namespace {

const int64_t kAsOf = 1000 * kDay;  // Harness default
const int64_t kMin = std::numeric_limits<int64_t>::min();
const int64_t kMax = std::numeric_limits<int64_t>::max();

// Lower bound of each of the program's windows, as the Harness sets them.
std::vector<int64_t> bounds(const cohort::Program& p) {
  std::vector<int64_t> lower;
  for (int32_t d : p.window_days()) lower.push_back(kAsOf - d * kDay);
  return lower;
}

// Benchmark case 2's events: cart_added (10 bytes) and payment_successful (18) over 30 days,
// product_viewed (14) over 90.
const char* kFive = R"({"any": [{"all": [
    {"performed": {"event": "cart_added", "aggregate": "sum", "property": "price", "op": ">=", "value": 5000, "days": 30}},
    {"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1, "days": 30}}}]},
  {"performed": {"event": "product_viewed", "op": ">=", "value": 12, "days": 90, "where": {"category": "electronics"}}}]})";

TEST(RowScreen, EachLengthFromItsEventsWindow) {
  Harness h(kFive);
  const cohort::Program& p = h.program();
  RowRelevance r(p, bounds(p));
  RowScreen s(p, false, kAsOf - 90 * kDay, kAsOf, &r);
  EXPECT_TRUE(s.may_pass(10, kAsOf - 30 * kDay));
  EXPECT_FALSE(s.may_pass(10, kAsOf - 30 * kDay - 1));  // cart_added: 30 days
  EXPECT_TRUE(s.may_pass(14, kAsOf - 90 * kDay));
  EXPECT_FALSE(s.may_pass(14, kAsOf - 90 * kDay - 1));  // product_viewed: 90 days
  EXPECT_TRUE(s.may_pass(18, kAsOf));
  EXPECT_FALSE(s.may_pass(18, kAsOf + 1));  // after as_of
  EXPECT_FALSE(s.may_pass(16, kAsOf - kDay));  // no wanted name is 16 bytes long
  EXPECT_FALSE(s.may_pass(0, kAsOf - kDay));
}

TEST(RowScreen, WithoutRelevanceTheScanWindowForWantedLengths) {
  Harness h(kFive);
  RowScreen s(h.program(), false, kAsOf - 90 * kDay, kAsOf, nullptr);
  EXPECT_TRUE(s.may_pass(10, kAsOf - 90 * kDay));
  EXPECT_FALSE(s.may_pass(10, kAsOf - 90 * kDay - 1));
  EXPECT_FALSE(s.may_pass(16, kAsOf - kDay));
}

TEST(RowScreen, EveryEventPassesEveryLengthInTheWindow) {
  Harness h(kFive);
  RowScreen s(h.program(), true, kMin, kAsOf, nullptr);
  for (std::size_t length : {0, 1, 16, 254, 255, 256, 100000}) {
    EXPECT_TRUE(s.may_pass(length, kMin)) << length;
    EXPECT_TRUE(s.may_pass(length, kAsOf)) << length;
    EXPECT_FALSE(s.may_pass(length, kAsOf + 1)) << length;
  }
}

TEST(RowScreen, NamesOfOneLengthTakeTheEarliestBound) {
  // "buy" over 7 days and "add" without a window share length 3; "pay" is not wanted.
  Harness h(R"({"any": [{"performed": {"event": "buy", "op": ">=", "value": 1, "days": 7}},
                        {"performed": {"event": "add", "op": ">=", "value": 1}}]})");
  const cohort::Program& p = h.program();
  RowRelevance r(p, bounds(p));
  RowScreen s(p, false, kMin, kAsOf, &r);
  EXPECT_TRUE(s.may_pass(3, kMin));
  EXPECT_FALSE(s.may_pass(4, kAsOf));
}

TEST(RowScreen, LongNamesShareTheLastLength) {
  const std::string long_name(300, 'x');
  Harness h(R"({"performed": {"event": ")" + long_name + R"(", "op": ">=", "value": 1, "days": 5}})");
  const cohort::Program& p = h.program();
  RowRelevance r(p, bounds(p));
  RowScreen s(p, false, kAsOf - 5 * kDay, kAsOf, &r);
  EXPECT_TRUE(s.may_pass(300, kAsOf - kDay));
  EXPECT_TRUE(s.may_pass(255, kAsOf - kDay));  // conservative: the name test decides
  EXPECT_TRUE(s.may_pass(5000, kAsOf - kDay));
  EXPECT_FALSE(s.may_pass(254, kAsOf - kDay));
  EXPECT_FALSE(s.may_pass(300, kAsOf - 6 * kDay));
}

TEST(RowScreen, NoWantedLengthRejectsEvenAtInfinity) {
  Harness h(kFive);
  // A length no event has keeps only 'infinity' when as_of is 'infinity' too; the name test then
  // rejects the row.
  RowScreen open(h.program(), false, kMin, kMax, nullptr);
  EXPECT_FALSE(open.may_pass(16, kMax - 1));
  EXPECT_TRUE(open.may_pass(16, kMax));
  RowScreen closed(h.program(), false, kMin, kAsOf, nullptr);
  EXPECT_FALSE(closed.may_pass(16, kMax));
}

// Differential: the screen never rejects a row the exact tests keep (the name is an event of the
// program, the time is in the scan's window and, with relevance, at or after the event's earliest
// window bound), and rejects a clear share of the others. Random names, some of a wanted length
// but not wanted, and random times around every bound.
TEST(RowScreen, NeverRejectsWhatTheExactTestsKeep) {
  const char* def = R"({"any": [
      {"performed": {"event": "ab", "op": ">=", "value": 1, "days": 10}},
      {"performed": {"event": "cd", "op": ">=", "value": 1, "days": 40, "where": {"x": "1"}}},
      {"performed": {"event": "efg", "op": ">=", "value": 1, "days": 80}},
      {"performed": {"event": "hijk", "op": ">=", "value": 1}},
      {"not": {"performed": {"event": "lmnop", "op": ">=", "value": 2, "days": 20}}}]})";
  const std::vector<std::string> names = {"ab", "cd", "zz", "efg", "xyz", "hijk", "lmnop", "q", "", "longer_name"};
  std::mt19937 rng(11);
  int kept = 0, rejected_by_screen = 0;
  for (bool with_relevance : {false, true}) {
    for (int64_t lower : {kMin, kAsOf - 80 * kDay}) {
      Harness h(def);
      const cohort::Program& p = h.program();
      RowRelevance r(p, bounds(p));
      RowScreen s(p, false, lower, kAsOf, with_relevance ? &r : nullptr);
      for (int i = 0; i < 5000; ++i) {
        const std::string& name = names[rng() % names.size()];
        const int64_t ts = kAsOf + kDay - static_cast<int64_t>(rng() % 120) * kDay + static_cast<int64_t>(rng() % 3) - 1;
        const int e = p.event_index(name);
        const bool exact = e >= 0 && ts <= kAsOf && ts >= lower && (!with_relevance || r.may_feed(e, ts));
        const bool screened = s.may_pass(name.size(), ts);
        if (exact) {
          EXPECT_TRUE(screened) << name << " at " << (kAsOf - ts) << " us before as_of";
          ++kept;
        } else if (!screened) {
          ++rejected_by_screen;
        }
      }
    }
  }
  EXPECT_GT(kept, 2000);
  EXPECT_GT(rejected_by_screen, 5000);
}

}  // namespace
