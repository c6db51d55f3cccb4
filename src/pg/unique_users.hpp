// Whether a customers relation holds at most one row per user, as its indexes prove it.
#pragma once

#include "pg/guard.hpp"

namespace cohort::pg {

// True when no two rows of `relid` that the active snapshot sees can share a user_id: a table
// without inheritance children (or a materialized view) with a valid, immediate, unique index on
// user_id alone, without a predicate, whose pg_index row precedes every transaction the snapshot
// does not see (so no row deleted before the index was built can still be visible, as planning
// checks indcheckxmin). False otherwise, including for views, foreign and partitioned tables.
// Locks the relation as a scan of it does.
bool user_ids_unique(Oid relid);

}  // namespace cohort::pg
