// Evaluates a compiled program over the caller's events and customers relations through SPI.
#pragma once

#include <cstdint>
#include <vector>

#include "core/program.hpp"
#include "pg/guard.hpp"

namespace cohort::pg {

// The sources and point in time of one evaluation.
struct EvaluationInput {
  Oid events = InvalidOid;
  Oid customers = InvalidOid;  // InvalidOid: universe is every user with events
  TimestampTz as_of = 0;
};

// Returns the user ids of the members, ascending (one per matching customers row).
std::vector<int64_t> evaluate_members(const Program& program, const EvaluationInput& input);

}  // namespace cohort::pg
