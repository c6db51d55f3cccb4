// Running state of the risk_counts and engagement_stats aggregates (combinable, fixed size).
#pragma once

#include <optional>
#include <string_view>

namespace cohort {

// risk_counts state: rows, churn score sum and count, and rows per risk level.
struct RiskCounts {
  double rows = 0, score_sum = 0, score_rows = 0, high = 0, medium = 0, low = 0;
  static constexpr int kFields = 6;
  // True for the fields that hold sums rather than counts (in declaration order).
  static constexpr bool is_sum_field(int i) { return i == 1; }

  // Folds one customer: its risk level text (may be absent) and churn score (may be absent).
  void add(std::optional<std::string_view> risk_level, std::optional<double> churn_score);
  // The same with the risk level given as risk_level_index() of its text (-1 for NULL too).
  void add_level(int level_index, std::optional<double> churn_score);
  // Folds another partial state into this one.
  void merge(const RiskCounts& other);
};

// engagement_stats state: rows, score sum, and rows per engagement level.
struct EngagementCounts {
  double rows = 0, score_sum = 0, high = 0, medium = 0, low = 0;
  static constexpr int kFields = 5;
  // True for the fields that hold sums rather than counts (in declaration order).
  static constexpr bool is_sum_field(int i) { return i == 1; }

  // Folds one customer's engagement inputs (a NULL part counts as 0).
  void add(std::optional<double> email_opens, std::optional<double> website_visits,
           std::optional<double> total_purchases);
  // Folds another partial state into this one.
  void merge(const EngagementCounts& other);
};

// Maps a risk level text to high/medium/low ignoring case and surrounding blanks; -1 for others.
int risk_level_index(std::string_view text);

}  // namespace cohort
