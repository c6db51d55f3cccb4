// Evaluates a compiled program over the caller's events and customers relations.
#pragma once

#include <cstdint>
#include <vector>

#include "core/program.hpp"
#include "core/risk_counts.hpp"
#include "pg/guard.hpp"

namespace cohort::pg {

// The sources and point in time of one evaluation.
struct EvaluationInput {
  Oid events = InvalidOid;
  Oid customers = InvalidOid;  // InvalidOid: universe is every user with events
  TimestampTz as_of = 0;
};

// How an evaluation went: which scan read each source, rows, users and state memory.
struct EvaluationReport {
  const char* events_scan;
  const char* customers_scan;
  uint64_t event_rows;
  uint64_t users;
  uint64_t state_bytes;  // per-user state of the leader plus its parallel workers' (all held at once)
  int workers_planned;   // parallel workers the events scan asked for
  int workers_launched;  // and got
  uint64_t pages_skipped;  // events pages a BRIN index on ts ruled out (all participants)
  uint64_t pages_guessed;  // events pages pinned by a guessed buffer (HeapScan::pages_guessed)
};

// Returns the user ids of the members, ascending (one per matching customers row).
std::vector<int64_t> evaluate_members(const Program& program, const EvaluationInput& input,
                                      EvaluationReport* report = nullptr);

// The same for every definition of a program compiled from several, in one pass over the sources.
std::vector<std::vector<int64_t>> evaluate_members_each(const Program& program, const EvaluationInput& input,
                                                        EvaluationReport* report = nullptr);

// For every definition, the risk counts of the customers rows whose user_id is a member (each such
// row once), or without customers only the number of distinct members. Where memberships do not
// depend on customers columns, the one customers scan folds them; otherwise the members are found
// first and the customers read once more (member_statistics()).
std::vector<RiskCounts> evaluate_statistics(const Program& program, const EvaluationInput& input,
                                            EvaluationReport* report = nullptr);

}  // namespace cohort::pg
