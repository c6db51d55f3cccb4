// The risk_counts and engagement_stats aggregate states.
#include <gtest/gtest.h>

#include <optional>
#include <string_view>

#include "core/risk_counts.hpp"

namespace {

TEST(RiskCounts, LevelIndex) {
  EXPECT_EQ(cohort::risk_level_index("low"), 0);
  EXPECT_EQ(cohort::risk_level_index(" MEDIUM\t"), 1);
  EXPECT_EQ(cohort::risk_level_index("High"), 2);
  EXPECT_EQ(cohort::risk_level_index(""), -1);
  EXPECT_EQ(cohort::risk_level_index("highest"), -1);
  EXPECT_EQ(cohort::risk_level_index("lo w"), -1);
}

TEST(RiskCounts, AddAndMerge) {
  cohort::RiskCounts a, b;
  a.add(std::string_view("low"), 0.5);
  a.add(std::string_view("HIGH"), std::nullopt);
  a.add(std::nullopt, 1.5);
  b.add(std::string_view("medium "), 2.0);
  b.add(std::string_view("unknown"), std::nullopt);
  a.merge(b);
  EXPECT_EQ(a.rows, 5);
  EXPECT_EQ(a.score_sum, 4.0);
  EXPECT_EQ(a.score_rows, 3);
  EXPECT_EQ(a.low, 1);
  EXPECT_EQ(a.medium, 1);
  EXPECT_EQ(a.high, 1);
}

TEST(EngagementCounts, AddAndMerge) {
  cohort::EngagementCounts a, b;
  a.add(std::nullopt, 50, std::nullopt);  // 20: high
  a.add(10, 10, 10);                      // 10: medium
  b.add(30, 0, 0);                        // 9: low
  b.add(std::nullopt, std::nullopt, std::nullopt);  // 0: low
  a.merge(b);
  EXPECT_EQ(a.rows, 4);
  EXPECT_DOUBLE_EQ(a.score_sum, 39);
  EXPECT_EQ(a.high, 1);
  EXPECT_EQ(a.medium, 1);
  EXPECT_EQ(a.low, 2);
}

}  // namespace
