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
using cohort_test::kFiveConditionEvents;
using cohort_test::window_bounds;

namespace {

const int64_t kAsOf = 1000 * kDay;  // Harness default
const int64_t kMin = std::numeric_limits<int64_t>::min();
const int64_t kMax = std::numeric_limits<int64_t>::max();

// In kFiveConditionEvents, cart_added is 10 bytes long, product_viewed 14, payment_successful 18.
TEST(RowScreen, EachLengthFromItsEventsWindow) {
  Harness h(kFiveConditionEvents);
  const cohort::Program& p = h.program();
  RowRelevance r(p, window_bounds(p));
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
  Harness h(kFiveConditionEvents);
  RowScreen s(h.program(), false, kAsOf - 90 * kDay, kAsOf, nullptr);
  EXPECT_TRUE(s.may_pass(10, kAsOf - 90 * kDay));
  EXPECT_FALSE(s.may_pass(10, kAsOf - 90 * kDay - 1));
  EXPECT_FALSE(s.may_pass(16, kAsOf - kDay));
}

TEST(RowScreen, EveryEventPassesEveryLengthInTheWindow) {
  Harness h(kFiveConditionEvents);
  RowScreen open(h.program(), true, kMin, kAsOf, nullptr);
  RowScreen bounded(h.program(), true, kAsOf - 90 * kDay, kAsOf, nullptr);
  for (std::size_t length : {0, 1, 16, 254, 255, 256, 100000}) {
    EXPECT_TRUE(open.may_pass(length, kMin)) << length;
    EXPECT_TRUE(open.may_pass(length, kAsOf)) << length;
    EXPECT_FALSE(open.may_pass(length, kAsOf + 1)) << length;
    EXPECT_TRUE(bounded.may_pass(length, kAsOf - 90 * kDay)) << length;
    EXPECT_FALSE(bounded.may_pass(length, kAsOf - 90 * kDay - 1)) << length;
  }
}

TEST(RowScreen, NamesOfOneLengthTakeTheEarliestBound) {
  // "buy" over 7 days and "add" without a window share length 3. Both orders of the two names are
  // compiled (normalizing sorts leaves, so each order is checked for a bound that the later name
  // overwrites instead of lowering).
  Harness h(R"({"any": [{"performed": {"event": "buy", "op": ">=", "value": 1, "days": 7}},
                        {"performed": {"event": "add", "op": ">=", "value": 1}}]})");
  Harness g(R"({"any": [{"performed": {"event": "add", "op": ">=", "value": 1}},
                        {"performed": {"event": "buy", "op": ">=", "value": 1, "days": 7}}]})");
  for (const cohort::Program* p : {&h.program(), &g.program()}) {
    RowRelevance r(*p, window_bounds(*p));
    RowScreen s(*p, false, kMin, kAsOf, &r);
    EXPECT_TRUE(s.may_pass(3, kMin));
    EXPECT_FALSE(s.may_pass(4, kAsOf));
  }
}

TEST(RowScreen, LongNamesShareTheLastLength) {
  const std::string long_name(300, 'x');
  Harness h(R"({"performed": {"event": ")" + long_name + R"(", "op": ">=", "value": 1, "days": 5}})");
  const cohort::Program& p = h.program();
  RowRelevance r(p, window_bounds(p));
  RowScreen s(p, false, kAsOf - 5 * kDay, kAsOf, &r);
  EXPECT_TRUE(s.may_pass(300, kAsOf - kDay));
  EXPECT_TRUE(s.may_pass(255, kAsOf - kDay));  // conservative: the name test decides
  EXPECT_TRUE(s.may_pass(5000, kAsOf - kDay));
  EXPECT_FALSE(s.may_pass(254, kAsOf - kDay));
  EXPECT_FALSE(s.may_pass(300, kAsOf - 6 * kDay));
}

TEST(RowScreen, NoWantedLengthPassesOnlyInfinityUpToInfinity) {
  Harness h(kFiveConditionEvents);
  // A length no event has passes only a time of 'infinity', and only when as_of is 'infinity'
  // too; the name test then rejects the row.
  RowScreen open(h.program(), false, kMin, kMax, nullptr);
  EXPECT_FALSE(open.may_pass(16, kMax - 1));
  EXPECT_TRUE(open.may_pass(16, kMax));
  RowScreen closed(h.program(), false, kMin, kAsOf, nullptr);
  EXPECT_FALSE(closed.may_pass(16, kMax));
}

// Differential: the screen never rejects a row the exact tests keep (the name is an event of the
// program, the time is in the scan's window and, with relevance, at or after the event's earliest
// window bound), never passes a row outside the window (the scan does not test it again), and
// rejects some rows of wanted names by time alone. Random names, some of a wanted length but not
// wanted, one of 300 bytes, and random times around every bound; with and without relevance, a
// lower bound and every event.
TEST(RowScreen, NeverRejectsWhatTheExactTestsKeep) {
  const std::string def = R"({"any": [
      {"performed": {"event": "ab", "op": ">=", "value": 1, "days": 10}},
      {"performed": {"event": "cd", "op": ">=", "value": 1, "days": 40, "where": {"x": "1"}}},
      {"performed": {"event": "efg", "op": ">=", "value": 1, "days": 80}},
      {"performed": {"event": "hijk", "op": ">=", "value": 1}},
      {"not": {"performed": {"event": "lmnop", "op": ">=", "value": 2, "days": 20}}},
      {"performed": {"event": ")" + std::string(300, 'w') + R"(", "op": ">=", "value": 1, "days": 30}}]})";
  const std::vector<std::string> names = {"ab", "cd", "zz", "efg", "xyz", "hijk", "lmnop", "q", "", "longer_name",
                                          std::string(300, 'w'), std::string(256, 'w')};
  std::mt19937 rng(11);
  int kept = 0, wanted_rejected_by_time = 0;
  for (bool every_event : {false, true}) {
    for (bool with_relevance : {false, true}) {
      for (int64_t lower : {kMin, kAsOf - 80 * kDay}) {
        Harness h(def);
        const cohort::Program& p = h.program();
        RowRelevance r(p, window_bounds(p));
        const bool use_relevance = with_relevance && !every_event;  // as the scan sets it
        RowScreen s(p, every_event, lower, kAsOf, use_relevance ? &r : nullptr);
        for (int i = 0; i < 5000; ++i) {
          const std::string& name = names[rng() % names.size()];
          const int64_t ts = kAsOf + kDay - static_cast<int64_t>(rng() % 120) * kDay + static_cast<int64_t>(rng() % 3) - 1;
          const int e = p.event_index(name);
          const bool in_window = ts <= kAsOf && ts >= lower;
          const bool exact = (every_event || e >= 0) && in_window && (!use_relevance || r.may_feed(e, ts));
          const bool screened = s.may_pass(name.size(), ts);
          const std::string where = name.substr(0, 12) + " at " + std::to_string(kAsOf - ts) + " us before as_of";
          if (exact) {
            EXPECT_TRUE(screened) << where;
            ++kept;
          }
          if (screened) EXPECT_TRUE(in_window) << where;
          if (e >= 0 && in_window && !screened) ++wanted_rejected_by_time;
        }
      }
    }
  }
  EXPECT_GT(kept, 8000);
  EXPECT_GT(wanted_rejected_by_time, 1000);  // with relevance: "ab" older than 10 days, and so on
}

}  // namespace
