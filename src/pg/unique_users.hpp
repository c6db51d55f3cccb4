// Whether a customers table holds at most one row per user, as its indexes prove it.
#pragma once

#include "pg/guard.hpp"

namespace cohort::pg {

// True when no two rows of table `relid` that the active snapshot sees can share a user_id: the
// table has a valid, immediate, unique index on user_id alone, without a predicate, whose pg_index
// row was written by a transaction the snapshot sees as committed (so no row deleted before the
// index was built can still be visible to it). Says nothing of other tables
// (children, partitions). False for anything but a plain table, and for a relation that no longer
// exists. Call once a scan of the table has checked the caller's privileges and locked it.
bool user_ids_unique(Oid relid);

}  // namespace cohort::pg
