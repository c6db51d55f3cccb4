// FilterOrder: the scan's choice of which rejecting test runs first.
#include "core/filter_order.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace cohort {
namespace {

// Feeds one batch of `rows` rows in the current order, where test A passes a share `a` and B a
// share `b` of the rows (independently), then ends the batch.
void run_batch(FilterOrder& order, int rows, double a, double b) {
  const double first = order.b_first() ? b : a, second = order.b_first() ? a : b;
  const auto passed_first = static_cast<std::uint64_t>(rows * first);
  const auto passed_both = static_cast<std::uint64_t>(static_cast<double>(passed_first) * second);
  order.end_batch(static_cast<std::uint64_t>(rows), passed_first, passed_both);
}

TEST(FilterOrder, StartsWithA) { EXPECT_FALSE(FilterOrder().b_first()); }

TEST(FilterOrder, KeepsTheMoreSelectiveTestFirst) {
  FilterOrder order;
  run_batch(order, 10000, 0.08, 0.5);  // win-back: few rows have the event, half are in the window
  EXPECT_FALSE(order.b_first());
  run_batch(order, 10000, 0.08, 0.5);
  EXPECT_FALSE(order.b_first());
}

TEST(FilterOrder, SwapsWhenTheSecondRejectsMore) {
  FilterOrder order;
  run_batch(order, 10000, 0.83, 0.12);  // common events, a narrow window
  EXPECT_TRUE(order.b_first());
  run_batch(order, 10000, 0.83, 0.12);  // measured the other way round now: stays
  EXPECT_TRUE(order.b_first());
  run_batch(order, 10000, 0.05, 0.9);  // the data changes: back to A first
  EXPECT_FALSE(order.b_first());
}

TEST(FilterOrder, NoDecisionOnFewRowsOrWhenTheFirstRejectsAll) {
  FilterOrder order;
  run_batch(order, static_cast<int>(FilterOrder::kMinRows) - 1, 0.9, 0.1);
  EXPECT_FALSE(order.b_first());
  run_batch(order, 10000, 0.0, 0.1);  // nothing passes A: B's rate is unknown, A is ideal anyway
  EXPECT_FALSE(order.b_first());
}

TEST(FilterOrder, NearEqualRatesKeepTheOrder) {
  FilterOrder order;
  run_batch(order, 10000, 0.5, 0.5);
  EXPECT_FALSE(order.b_first());
  run_batch(order, 10000, 0.5, 0.46);
  EXPECT_FALSE(order.b_first());
  run_batch(order, 10000, 0.5, 0.44);
  EXPECT_TRUE(order.b_first());
  // Counts a little off (a page counted in the batch before): every row passing both stays put.
  order.end_batch(4082, 4096, 4096);
  EXPECT_TRUE(order.b_first());
}

TEST(FilterOrder, EachBatchDecidesOnItsOwnCounts) {
  FilterOrder order;
  // A batch of a selective A, then a tiny batch: the tiny one alone decides nothing.
  run_batch(order, 10000, 0.1, 0.9);
  run_batch(order, 100, 0.9, 0.01);
  EXPECT_FALSE(order.b_first());
  run_batch(order, 300, 0.9, 0.01);
  EXPECT_TRUE(order.b_first());
}

}  // namespace
}  // namespace cohort
