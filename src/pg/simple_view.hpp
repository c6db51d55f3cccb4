// A view whose rows are one table's rows filtered by its WHERE clause, each column used a plain
// column of that table: the direct scan reads that table in its place.
#pragma once

#include <cstddef>

#include "pg/guard.hpp"

namespace cohort::pg {

// What a query on such a view reads, as the rewriter expands it.
struct SimpleView {
  Oid table = InvalidOid;            // the relation in its FROM (a table or a partitioned table)
  List* quals = NIL;                 // its WHERE clause as implicitly ANDed quals, Vars of range table index 1
  RangeTblEntry* table_entry = nullptr;  // the table's range table entry: whose rights, which columns
};

// Whether `view` (a view, locked by the caller) is one that the direct scan can read through its
// table: a plain SELECT (no DISTINCT, grouping, aggregate, window function, set-returning function,
// set operation, CTE, ORDER BY, LIMIT/OFFSET, FOR UPDATE, sublink or volatile function in any
// output column) from one table or partitioned table as the view's definition last saw it (not
// ONLY, no TABLESAMPLE; the caller checks the relation's kind again once it holds its lock), each
// of `attnums` (view columns) a plain column of that table, and a WHERE clause without volatile
// functions or whole-row references. Then fills `out` (its quals
// copied into the current memory context) and sets mapped[i] to the table's column behind view
// column attnums[i] (both arrays of `count`). PostgreSQL calls only: call inside pg_call.
bool read_simple_view(Oid view, const AttrNumber* attnums, std::size_t count, SimpleView& out, AttrNumber* mapped);

}  // namespace cohort::pg
