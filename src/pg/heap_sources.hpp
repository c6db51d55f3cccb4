// Direct scans of plain tables, page by page under the query's snapshot, for callers to whom no
// row-level security applies and who may read every column used.
#pragma once

#include "pg/sources.hpp"

namespace cohort::pg {

// Events read directly (a table, or each table of a partitioned table or inheritance tree); nullptr
// when the relation does not qualify (see SourceRelation::direct_parts).
std::unique_ptr<EventSource> open_heap_events(const Program& program, const EventScanSpec& spec);

// Customers read directly; nullptr when the table does not qualify.
std::unique_ptr<CustomerSource> open_heap_customers(const CustomerColumns& columns, Oid relid);

}  // namespace cohort::pg
