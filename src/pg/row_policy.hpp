// Row-level security on the direct path: the policies that apply to the caller's SELECT on a
// relation, checked tuple by tuple as the executor checks the quals the rewriter adds for them.
#pragma once

#include "pg/guard.hpp"

namespace cohort::pg {

// The USING quals of the caller's SELECT policies on one relation, as the rewriter adds them to a
// query on it (get_row_security_policies(): each restrictive policy's qual, then the permissive
// ones ORed; without a permissive policy, a false qual), followed, where the relation is read
// through a view (simple_view.hpp), by the view's WHERE clause. Their Vars are the relation's own
// columns (range table index 1).
struct RowPolicies {
  Oid relid = InvalidOid;
  List* quals = NIL;
  bool parallel_safe = false;  // every function in them is PARALLEL SAFE: workers may check them

  // Whether any policy applies (to be checked on each row).
  bool any() const { return quals != NIL; }
  // Whether a direct scan under them may hand rows to parallel workers: none, or parallel safe.
  bool allow_workers() const { return !any() || parallel_safe; }
};

// What row-level security asks of the caller's SELECT on a relation.
enum class RowSecurity {
  None,       // no policy applies to the caller (no row-level security, its owner, BYPASSRLS)
  Checkable,  // policies apply, and their quals can be checked on each tuple
  Executor,   // a policy reads other tables (a subquery) or the whole row: left to the executor
};

// Decides it for `relid` as the rewriter does, with the same error where row_security is off and
// policies would apply; for Checkable, sets `policies` (parallel_safe as the planner would judge
// their quals, max_parallel_hazard()). The policies are those of `check_as` (a view's owner, whose
// rights a query on the view reads its table with), or of the caller when it is InvalidOid. Call
// inside pg_call.
RowSecurity caller_row_security(Oid relid, RowPolicies& policies, Oid check_as = InvalidOid);

// Whether every function in `quals` is PARALLEL SAFE, as the planner judges a query's quals.
bool quals_parallel_safe(List* quals);

// The quals compiled for one table that holds the relation's rows (the relation itself, a
// partition or an inheritance child, whose Vars are mapped to its columns by name), and a slot
// for its tuples. Plain data: open() and close() run inside pg_call.
class RowPolicyCheck {
 public:
  // Compiles `policies` for `rel` in a new executor state.
  void open(const RowPolicies& policies, Relation rel);
  // Whether open() has compiled quals to check.
  bool active() const { return qual_ != nullptr; }
  // Whether `tuple` (of `rel`, on a page the caller keeps pinned) passes every qual.
  bool passes(HeapTuple tuple);
  // Whether the tuple in `slot` (of `rel`'s row type) passes every qual. The quals' parts that
  // are the same for every row of the statement are computed once, where first reached
  // (defer_scan_constants()).
  bool passes_slot(TupleTableSlot* slot);
  // Frees the executor state and the slot.
  void close();

 private:
  EState* estate_ = nullptr;
  ExprState* qual_ = nullptr;
  ExprContext* econtext_ = nullptr;
  TupleTableSlot* slot_ = nullptr;
};

}  // namespace cohort::pg
