// The tables that hold a source relation's rows, as a query on the relation reads them.
#pragma once

#include <vector>

#include "pg/guard.hpp"

namespace cohort::pg {

// The relations with storage that a query on `relid` reads, each locked as the executor locks
// them: `relid` itself when it has no children; else the leaf partitions of a partitioned table
// (without partitions being detached, as the planner sees them), or an inheritance parent and its
// children (without other sessions' temporary tables, which the executor skips too). False when
// one of them is not a table (a foreign table): only the executor can read them all.
bool storage_parts(Oid relid, std::vector<Oid>& parts);

// Whether `part`'s partition constraint (its bounds and its ancestors') rules out every row whose
// column `ts_attnum` lies in [lower, upper] (no lower end when !has_lower): its rows need no reading.
bool partition_rules_out(Oid part, AttrNumber ts_attnum, bool has_lower, TimestampTz lower, TimestampTz upper);

}  // namespace cohort::pg
