// Partitions and inheritance children of a source relation, and pruning partitions by time.
#include "pg/relation_parts.hpp"

namespace cohort::pg {
namespace {

// Appends the leaf partitions under partitioned `rel` to *leaves, opening (and so locking) each
// as the planner does; false when one is not a table. PostgreSQL calls only (runs in pg_call).
bool add_leaf_partitions(Relation rel, List** leaves) {
  PartitionDesc desc = RelationGetPartitionDesc(rel, true);
  for (int i = 0; i < desc->nparts; ++i) {
    Relation child = table_open(desc->oids[i], AccessShareLock);
    const char kind = child->rd_rel->relkind;
    bool ok = true;
    if (kind == RELKIND_PARTITIONED_TABLE)
      ok = add_leaf_partitions(child, leaves);
    else if (kind == RELKIND_RELATION)
      *leaves = lappend_oid(*leaves, RelationGetRelid(child));
    else
      ok = false;
    table_close(child, NoLock);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool storage_parts(Oid relid, std::vector<Oid>& parts) {
  List* found = NIL;
  bool ok = true;
  pg_call([&] {
    Relation rel = table_open(relid, AccessShareLock);
    const char kind = rel->rd_rel->relkind;
    if (kind == RELKIND_PARTITIONED_TABLE) {
      ok = add_leaf_partitions(rel, &found);
    } else if (kind != RELKIND_RELATION) {
      ok = false;
    } else if (!rel->rd_rel->relhassubclass) {
      found = list_make1_oid(relid);
    } else {
      ListCell* cell;
      foreach (cell, find_all_inheritors(relid, AccessShareLock, nullptr)) {
        const Oid child = lfirst_oid(cell);
        if (isOtherTempNamespace(get_rel_namespace(child))) continue;  // the executor skips these too
        if (get_rel_relkind(child) != RELKIND_RELATION) ok = false;
        found = lappend_oid(found, child);
      }
    }
    table_close(rel, NoLock);
  });
  if (!ok) return false;
  parts.clear();
  ListCell* cell;
  foreach (cell, found) parts.push_back(lfirst_oid(cell));
  return true;
}

bool partition_rules_out(Oid part, AttrNumber ts_attnum, bool has_lower, TimestampTz lower, TimestampTz upper) {
  bool ruled_out = false;
  pg_call([&] {
    if (!get_rel_relispartition(part)) return;
    Relation rel = table_open(part, NoLock);  // locked by storage_parts()
    List* constraint = RelationGetPartitionQual(rel);
    table_close(rel, NoLock);
    if (constraint == NIL) return;
    constraint = reinterpret_cast<List*>(eval_const_expressions(nullptr, reinterpret_cast<Node*>(constraint)));
    // The window as the planner would see `ts >= lower AND ts <= upper` on this partition.
    Oid type = InvalidOid, collation = InvalidOid;
    int32 typmod = -1;
    get_atttypetypmodcoll(part, ts_attnum, &type, &typmod, &collation);
    if (type != TIMESTAMPTZOID) return;
    const Oid family = get_opclass_family(TIMESTAMPTZ_BTREE_OPS_OID);
    const auto bound = [&](int strategy, TimestampTz value) {
      Var* column = makeVar(1, ts_attnum, type, typmod, collation, 0);
      Const* constant = makeConst(TIMESTAMPTZOID, -1, InvalidOid, sizeof(TimestampTz), TimestampTzGetDatum(value),
                                  false, FLOAT8PASSBYVAL);
      const Oid op = get_opfamily_member(family, TIMESTAMPTZOID, TIMESTAMPTZOID, strategy);
      return make_opclause(op, BOOLOID, false, reinterpret_cast<Expr*>(column), reinterpret_cast<Expr*>(constant),
                           InvalidOid, InvalidOid);
    };
    List* window = list_make1(bound(BTLessEqualStrategyNumber, upper));
    if (has_lower) window = lappend(window, bound(BTGreaterEqualStrategyNumber, lower));
    ruled_out = predicate_refuted_by(constraint, window, false);
  });
  return ruled_out;
}

}  // namespace cohort::pg
