// Row-level security on the direct path: the rewriter's quals for the caller, run per tuple.
#include "pg/row_policy.hpp"

#include "pg/scan_constants.hpp"

namespace cohort::pg {

bool quals_parallel_safe(List* quals) {
  Query* wrapped = makeNode(Query);  // the quals as a query's, for the planner's parallel check
  wrapped->commandType = CMD_SELECT;
  wrapped->jointree = makeFromExpr(NIL, reinterpret_cast<Node*>(make_ands_explicit(quals)));
  return max_parallel_hazard(wrapped) == PROPARALLEL_SAFE;
}

RowSecurity caller_row_security(Oid relid, RowPolicies& policies, Oid check_as) {
  // Locked first, as a query's parser locks it before the rewriter decides: a concurrent ENABLE
  // ROW LEVEL SECURITY or CREATE POLICY commits before that (their lock conflicts with ours), and
  // taking the lock reads their invalidations, so the decision below sees them.
  LockRelationOid(relid, AccessShareLock);
  const int status = check_enable_rls(relid, check_as, true);
  if (status == RLS_NONE || status == RLS_NONE_ENV) return RowSecurity::None;
  // A one-table SELECT on the relation, as the rewriter sees it.
  Query* query = makeNode(Query);
  query->commandType = CMD_SELECT;
  RangeTblEntry* rte = makeNode(RangeTblEntry);
  rte->rtekind = RTE_RELATION;
  rte->relid = relid;
  rte->relkind = get_rel_relkind(relid);
  rte->rellockmode = AccessShareLock;
  rte->requiredPerms = ACL_SELECT;
  rte->checkAsUser = check_as;
  List* quals = NIL;
  List* checks = NIL;
  bool has_row_security = false, has_sublinks = false;
  get_row_security_policies(query, rte, 1, &quals, &checks, &has_row_security, &has_sublinks);
  if (!has_row_security) return RowSecurity::None;
  if (has_sublinks) return RowSecurity::Executor;
  Bitmapset* columns = nullptr;
  pull_varattnos(reinterpret_cast<Node*>(quals), 1, &columns);
  if (bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber, columns)) return RowSecurity::Executor;
  policies.relid = relid;
  policies.quals = quals;
  policies.parallel_safe = quals_parallel_safe(quals);
  return RowSecurity::Checkable;
}

void RowPolicyCheck::open(const RowPolicies& policies, Relation rel) {
  estate_ = CreateExecutorState();
  MemoryContext old = MemoryContextSwitchTo(estate_->es_query_cxt);  // everything below is freed in close()
  List* quals = policies.quals;
  if (RelationGetRelid(rel) != policies.relid) {
    // The parent's Vars as the columns of the same names in this table (the parent is locked).
    Relation parent = table_open(policies.relid, NoLock);
    AttrMap* map = build_attrmap_by_name(RelationGetDescr(rel), RelationGetDescr(parent));
    bool whole_row = false;
    quals = reinterpret_cast<List*>(map_variable_attnos(reinterpret_cast<Node*>(quals), 1, 0, map, InvalidOid, &whole_row));
    table_close(parent, NoLock);
    if (whole_row) elog(ERROR, "cohort: a whole-row reference in a row-level security policy");  // ruled out before
  }
  ParamListInfo params = nullptr;
  qual_ = ExecInitQual(defer_scan_constants(quals, estate_, params), nullptr);
  econtext_ = GetPerTupleExprContext(estate_);
  econtext_->ecxt_param_list_info = params;
  slot_ = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);
  MemoryContextSwitchTo(old);
}

bool RowPolicyCheck::passes(HeapTuple tuple) {
  ExecStoreHeapTuple(tuple, slot_, false);
  return passes_slot(slot_);
}

bool RowPolicyCheck::passes_slot(TupleTableSlot* slot) {
  econtext_->ecxt_scantuple = slot;
  const bool passed = ExecQual(qual_, econtext_);
  ResetExprContext(econtext_);
  return passed;
}

void RowPolicyCheck::close() {
  if (slot_ != nullptr) ExecDropSingleTupleTableSlot(slot_);
  if (estate_ != nullptr) FreeExecutorState(estate_);
  slot_ = nullptr;
  estate_ = nullptr;
  qual_ = nullptr;
  econtext_ = nullptr;
}

}  // namespace cohort::pg
