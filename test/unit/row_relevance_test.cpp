// RowRelevance: which events rows can feed an accumulator, checked against UserTable itself.
#include "core/row_relevance.hpp"

#include <limits>
#include <random>

#include "test_util.hpp"

using cohort::RowRelevance;
using cohort_test::Harness;
using cohort_test::kDay;
using cohort_test::kFiveConditionEvents;
using cohort_test::window_bounds;

namespace {

const int64_t kAsOf = 1000 * kDay;  // Harness default

TEST(RowRelevance, WindowsPerEvent) {
  Harness h(kFiveConditionEvents);
  const cohort::Program& p = h.program();
  RowRelevance r(p, window_bounds(p));
  const int cart = p.event_index("cart_added"), view = p.event_index("product_viewed");
  EXPECT_TRUE(r.may_feed(cart, kAsOf - 30 * kDay));
  EXPECT_FALSE(r.may_feed(cart, kAsOf - 30 * kDay - 1));
  EXPECT_TRUE(r.may_feed(view, kAsOf - 60 * kDay));
  EXPECT_TRUE(r.time_decides(cart));
  EXPECT_FALSE(r.time_decides(view));  // its only accumulator has a filter
  const char pass[] = {1}, fail[] = {0};
  EXPECT_TRUE(r.feeds(view, kAsOf - 60 * kDay, pass));
  EXPECT_FALSE(r.feeds(view, kAsOf - 60 * kDay, fail));
  EXPECT_FALSE(r.feeds(view, kAsOf - 91 * kDay, pass));
}

TEST(RowRelevance, NoWindowMeansAnyTime) {
  Harness h(R"({"all": [{"performed": {"event": "buy", "op": ">=", "value": 1, "days": 7}},
                        {"performed": {"event": "buy", "op": ">=", "value": 3}}]})");
  RowRelevance r(h.program(), window_bounds(h.program()));
  EXPECT_TRUE(r.may_feed(0, std::numeric_limits<int64_t>::min()));
  EXPECT_TRUE(r.time_decides(0));
}

TEST(RowRelevance, AnUnfilteredLaterWindowDoesNotDecideAlone) {
  // buy over 90 days needs the filter; buy over 10 days does not: a row 50 days back needs the filter.
  Harness h(R"({"any": [{"performed": {"event": "buy", "op": ">=", "value": 1, "days": 90, "where": {"shop": "a"}}},
                        {"performed": {"event": "buy", "op": ">=", "value": 1, "days": 10}}]})");
  RowRelevance r(h.program(), window_bounds(h.program()));
  EXPECT_FALSE(r.time_decides(0));
  const char fail[] = {0};
  EXPECT_TRUE(r.feeds(0, kAsOf - 5 * kDay, fail));
  EXPECT_FALSE(r.feeds(0, kAsOf - 50 * kDay, fail));
}

// Differential: with count(*) accumulators only, a row changes a user's slots exactly when
// RowRelevance says it feeds one (checked on random rows, events, times and filter results).
TEST(RowRelevance, AgreesWithUserTable) {
  const char* def = R"({"any": [
      {"performed": {"event": "a", "op": ">=", "value": 1, "days": 10}},
      {"performed": {"event": "a", "op": ">=", "value": 1, "days": 40, "where": {"x": "1"}}},
      {"performed": {"event": "a", "op": ">=", "value": 1, "days": 80, "where": {"x": "1", "y": "1"}}},
      {"performed": {"event": "b", "op": ">=", "value": 1, "where": {"y": "1"}}},
      {"performed": {"event": "b", "op": ">=", "value": 1, "days": 20}},
      {"performed": {"event": "c", "op": ">=", "value": 1, "days": 50}}]})";
  std::mt19937 rng(7);
  int fed = 0, not_fed = 0;
  for (int i = 0; i < 3000; ++i) {
    Harness h(def);
    const cohort::Program& p = h.program();
    RowRelevance r(p, window_bounds(p));
    const std::string event = std::string(1, static_cast<char>('a' + rng() % 3));
    const int64_t ts = kAsOf - static_cast<int64_t>(rng() % 100) * kDay - static_cast<int64_t>(rng() % 2);
    Harness::Props props;
    if (rng() % 2) props["x"] = "1";
    if (rng() % 2) props["y"] = "1";
    std::vector<char> passes;
    for (const auto& f : p.filters()) passes.push_back(props.count(f.column) ? 1 : 0);
    const int e = p.event_index(event);
    const bool feeds = r.feeds(e, ts, passes.data());
    if (feeds) EXPECT_TRUE(r.may_feed(e, ts)) << event << " " << ts;
    if (r.time_decides(e)) EXPECT_EQ(feeds, r.may_feed(e, ts)) << event << " " << ts;
    h.add(1, event, ts, props);
    const double* slots = h.table().find(1);
    bool changed = false;
    for (int s = 0; s < p.slots_per_user(); ++s) changed = changed || slots[s] != 0;
    EXPECT_EQ(changed, feeds) << event << " at " << (kAsOf - ts) << " us before as_of";
    (feeds ? fed : not_fed)++;
  }
  EXPECT_GT(fed, 500);
  EXPECT_GT(not_fed, 500);
}

}  // namespace
