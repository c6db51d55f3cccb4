// Statistics of cohort members: each definition's distinct members joined on user_id with every
// visible customers row, folded as cohort.risk_counts folds them.
#pragma once

#include <cstdint>
#include <vector>

#include "core/membership_masks.hpp"
#include "core/risk_counts.hpp"
#include "pg/guard.hpp"
#include "pg/scoped_context.hpp"

namespace cohort::pg {

// For each list of members (ascending, repeats allowed), the risk counts of the customers rows whose
// user_id is a member (one scan of the customers relation for all lists; its risk_level must be
// text and its churn_score numeric).
std::vector<RiskCounts> member_statistics(const std::vector<std::vector<int64_t>>& members, Oid customers);

// The same for the `definitions` lists that `masks` decides per user, in the caller's SPI
// connection, its batches in `batch_context`; `scan_kind` says which scan read the customers.
std::vector<RiskCounts> member_statistics(const MembershipMasks& masks, std::size_t definitions, Oid customers,
                                          ScopedContext& batch_context, const char*& scan_kind);

}  // namespace cohort::pg
