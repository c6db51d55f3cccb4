// Views read directly: the one table behind a plain filtering, renaming view.
#include "pg/simple_view.hpp"

namespace cohort::pg {
namespace {

// Whether `query` (a view's stored query) has no clause that changes which rows or how many
// its table gives, nor one the executor evaluates beyond the columns read (a volatile function
// in any output column, whose side effects or errors a query on the view keeps; an ORDER BY,
// whose keys it computes): a plain filter over one relation.
bool plain_select(const Query* query) {
  return query->commandType == CMD_SELECT && query->utilityStmt == nullptr && !query->hasAggs &&
         !query->hasWindowFuncs && !query->hasTargetSRFs && !query->hasSubLinks && !query->hasDistinctOn &&
         !query->hasRecursive && !query->hasModifyingCTE && !query->hasForUpdate && query->cteList == NIL &&
         query->setOperations == nullptr && query->groupClause == NIL && query->groupingSets == NIL &&
         query->havingQual == nullptr && query->distinctClause == NIL && query->windowClause == NIL &&
         query->limitCount == nullptr && query->limitOffset == nullptr && query->rowMarks == NIL &&
         query->sortClause == NIL && !contain_volatile_functions(reinterpret_cast<Node*>(query->targetList)) &&
         query->jointree != nullptr && list_length(query->jointree->fromlist) == 1 &&
         IsA(linitial(query->jointree->fromlist), RangeTblRef);
}

}  // namespace

bool read_simple_view(Oid view, const AttrNumber* attnums, std::size_t count, SimpleView& out, AttrNumber* mapped) {
  Relation rel = relation_open(view, NoLock);
  bool simple = false;
  if (rel->rd_rel->relkind == RELKIND_VIEW) {
    const Query* query = get_view_query(rel);
    if (plain_select(query)) {
      const int index = castNode(RangeTblRef, linitial(query->jointree->fromlist))->rtindex;
      RangeTblEntry* rte = rt_fetch(index, query->rtable);
      simple = rte->rtekind == RTE_RELATION && rte->inh && rte->tablesample == nullptr &&
               (rte->relkind == RELKIND_RELATION || rte->relkind == RELKIND_PARTITIONED_TABLE);
      for (std::size_t i = 0; simple && i < count; ++i) {
        const TargetEntry* entry = get_tle_by_resno(query->targetList, attnums[i]);
        const Var* var = entry != nullptr && !entry->resjunk && IsA(entry->expr, Var) ? castNode(Var, entry->expr) : nullptr;
        simple = var != nullptr && var->varno == index && var->varlevelsup == 0 && var->varattno > 0;
        if (simple) mapped[i] = var->varattno;
      }
      Node* where = query->jointree->quals;
      if (simple && where != nullptr) {
        Bitmapset* used = nullptr;
        pull_varattnos(where, index, &used);
        simple = !contain_volatile_functions(where) &&
                 !bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber, used);
      }
      if (simple) {
        List* quals = NIL;
        if (where != nullptr) {
          Node* copy = static_cast<Node*>(copyObjectImpl(where));
          ChangeVarNodes(copy, index, 1, 0);
          quals = make_ands_implicit(reinterpret_cast<Expr*>(copy));
        }
        out.table = rte->relid;
        out.quals = quals;
        out.table_entry = static_cast<RangeTblEntry*>(copyObjectImpl(rte));
      }
    }
  }
  relation_close(rel, NoLock);
  return simple;
}

}  // namespace cohort::pg
