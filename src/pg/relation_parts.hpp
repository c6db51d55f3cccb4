// The tables that hold a source relation's rows, as a query on the relation reads them.
#pragma once

#include <vector>

#include "pg/guard.hpp"

namespace cohort::pg {

// The rows a scan needs, by time: `column` (a timestamptz) in [lower, upper], no lower end when
// !has_lower.
struct TimeWindow {
  const char* column = "ts";
  bool has_lower = false;
  TimestampTz lower = 0;
  TimestampTz upper = 0;
};

// The relations with storage that a query on `relid` reads, each locked as the executor locks
// them: `relid` itself when it has no children; else the leaf partitions of a partitioned table
// (without partitions being detached, as the planner sees them), or an inheritance parent and its
// children (without other sessions' temporary tables, which the executor skips too). With a
// `window`, a partition whose bounds hold no time in it is left out before it is locked, as the
// planner prunes partitions before locking them; a leaf partition or inheritance member whose
// CHECK constraints rule it out is left out after it is locked, as the planner's constraint
// exclusion does (not with constraint_exclusion = off). False when one of those left is not a
// table (a foreign table): only the executor can read them all.
bool storage_parts(Oid relid, const TimeWindow* window, std::vector<Oid>& parts);

}  // namespace cohort::pg
