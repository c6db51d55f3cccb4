// Statistics of cohort members: each definition's distinct members joined on user_id with every
// visible customers row, folded as cohort.risk_counts folds them.
#pragma once

#include <cstdint>
#include <vector>

#include "core/risk_counts.hpp"
#include "pg/guard.hpp"

namespace cohort::pg {

// For each list of members (ascending, repeats allowed), the risk counts of the customers rows whose
// user_id is a member (one scan of the customers relation for all lists; its risk_level must be
// text and its churn_score numeric).
std::vector<RiskCounts> member_statistics(const std::vector<std::vector<int64_t>>& members, Oid customers);

}  // namespace cohort::pg
