// Row-level security on the direct path: the rewriter's quals for the caller, run per tuple.
#include "pg/row_policy.hpp"

namespace cohort::pg {

RowSecurity caller_row_security(Oid relid, RowPolicies& policies) {
  const int status = check_enable_rls(relid, InvalidOid, true);
  if (status == RLS_NONE || status == RLS_NONE_ENV) return RowSecurity::None;
  LockRelationOid(relid, AccessShareLock);  // as a query on it would hold it (and the scan will)
  // A one-table SELECT on the relation, as the rewriter sees it.
  Query* query = makeNode(Query);
  query->commandType = CMD_SELECT;
  RangeTblEntry* rte = makeNode(RangeTblEntry);
  rte->rtekind = RTE_RELATION;
  rte->relid = relid;
  rte->relkind = get_rel_relkind(relid);
  rte->rellockmode = AccessShareLock;
  rte->requiredPerms = ACL_SELECT;
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
  return RowSecurity::Checkable;
}

void RowPolicyCheck::open(const RowPolicies& policies, Relation rel) {
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
  estate_ = CreateExecutorState();
  MemoryContext old = MemoryContextSwitchTo(estate_->es_query_cxt);
  qual_ = ExecPrepareQual(quals, estate_);
  econtext_ = GetPerTupleExprContext(estate_);
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
