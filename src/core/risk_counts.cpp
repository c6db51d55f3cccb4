// Fixed-size aggregate states for cohort statistics.
#include "core/risk_counts.hpp"

#include "core/engagement.hpp"

namespace cohort {

int risk_level_index(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  // The length picks the one name the text can be (it runs on every customers row read).
  int level;
  std::string_view want;
  switch (text.size()) {
    case 3: level = 0, want = "low"; break;
    case 6: level = 1, want = "medium"; break;
    case 4: level = 2, want = "high"; break;
    default: return -1;
  }
  // For a lower-case letter w, (c | 0x20) == w exactly when c is w in either case.
  unsigned differ = 0;
  for (std::size_t k = 0; k < text.size(); ++k)
    differ |= static_cast<unsigned char>(text[k] | 0x20) ^ static_cast<unsigned char>(want[k]);
  return differ == 0 ? level : -1;
}

void RiskCounts::add(std::optional<std::string_view> risk_level, std::optional<double> churn_score) {
  add_level(risk_level ? risk_level_index(*risk_level) : -1, churn_score);
}

void RiskCounts::add_level(int level_index, std::optional<double> churn_score) {
  rows += 1;
  if (churn_score) {
    score_sum += *churn_score;
    score_rows += 1;
  }
  switch (level_index) {
    case 0: low += 1; break;
    case 1: medium += 1; break;
    case 2: high += 1; break;
    default: break;
  }
}

void RiskCounts::merge(const RiskCounts& o) {
  rows += o.rows;
  score_sum += o.score_sum;
  score_rows += o.score_rows;
  high += o.high;
  medium += o.medium;
  low += o.low;
}

void EngagementCounts::add(std::optional<double> email_opens, std::optional<double> website_visits,
                           std::optional<double> total_purchases) {
  double score = engagement_score(email_opens, website_visits, total_purchases);
  rows += 1;
  score_sum += score;
  switch (engagement_level(score)) {
    case Level::High: high += 1; break;
    case Level::Medium: medium += 1; break;
    case Level::Low: low += 1; break;
  }
}

void EngagementCounts::merge(const EngagementCounts& o) {
  rows += o.rows;
  score_sum += o.score_sum;
  high += o.high;
  medium += o.medium;
  low += o.low;
}

}  // namespace cohort
