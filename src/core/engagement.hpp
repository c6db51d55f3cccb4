// The seed's engagement score and level thresholds.
#pragma once

#include <optional>

#include "core/definition.hpp"

namespace cohort {

// email_opens*0.3 + website_visits*0.4 + total_purchases*0.3, a missing (NULL) part counting as 0.
inline double engagement_score(std::optional<double> email_opens, std::optional<double> website_visits,
                               std::optional<double> total_purchases) {
  return email_opens.value_or(0) * 0.3 + website_visits.value_or(0) * 0.4 +
         total_purchases.value_or(0) * 0.3;
}

// high >= 20, medium >= 10, low otherwise (NaN counts as high, as PostgreSQL sorts it last).
inline Level engagement_level(double score) {
  if (!(score < 20)) return Level::High;
  if (!(score < 10)) return Level::Medium;
  return Level::Low;
}

}  // namespace cohort
