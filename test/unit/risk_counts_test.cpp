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
  // Texts of each name's length that are not that name.
  EXPECT_EQ(cohort::risk_level_index("hig"), -1);
  EXPECT_EQ(cohort::risk_level_index("lew"), -1);
  EXPECT_EQ(cohort::risk_level_index("lov"), -1);
  EXPECT_EQ(cohort::risk_level_index("nope"), -1);
  EXPECT_EQ(cohort::risk_level_index("higH "), 2);
  EXPECT_EQ(cohort::risk_level_index("mediun"), -1);
  EXPECT_EQ(cohort::risk_level_index("\tLoW "), 0);
  EXPECT_EQ(cohort::risk_level_index(" \t "), -1);
}

TEST(RiskCounts, AddLevelAsAddText) {
  cohort::RiskCounts by_text, by_level;
  const std::optional<std::string_view> texts[] = {std::string_view("low"), std::string_view(" High"),
                                                   std::string_view("other"), std::nullopt,
                                                   std::string_view("MEDIUM")};
  for (const auto& t : texts) {
    by_text.add(t, 0.25);
    by_level.add_level(t ? cohort::risk_level_index(*t) : -1, 0.25);
  }
  EXPECT_EQ(by_text.rows, by_level.rows);
  EXPECT_EQ(by_text.score_sum, by_level.score_sum);
  EXPECT_EQ(by_text.score_rows, by_level.score_rows);
  EXPECT_EQ(by_level.low, 1);
  EXPECT_EQ(by_level.medium, 1);
  EXPECT_EQ(by_level.high, 1);
  EXPECT_EQ(by_text.low + by_text.medium + by_text.high, 3);
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
