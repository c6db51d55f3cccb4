// Partitions and inheritance children of a source relation, partitions pruned by time.
#include "pg/relation_parts.hpp"

#include "pg/scoped_context.hpp"

namespace cohort::pg {
namespace {

// `expr` <op> `value` for the timestamptz column `column` (attnum) of `rel`, in the btree
// strategy `strategy`. PostgreSQL calls only (runs in pg_call).
Expr* compare_column(Relation rel, AttrNumber column, int strategy, TimestampTz value) {
  Oid type = InvalidOid, collation = InvalidOid;
  int32 typmod = -1;
  get_atttypetypmodcoll(RelationGetRelid(rel), column, &type, &typmod, &collation);
  Var* var = makeVar(1, column, type, typmod, collation, 0);
  Const* constant = makeConst(TIMESTAMPTZOID, -1, InvalidOid, sizeof(TimestampTz), TimestampTzGetDatum(value), false,
                              FLOAT8PASSBYVAL);
  const Oid family = get_opclass_family(TIMESTAMPTZ_BTREE_OPS_OID);
  const Oid op = get_opfamily_member(family, TIMESTAMPTZOID, TIMESTAMPTZOID, strategy);
  return make_opclause(op, BOOLOID, false, reinterpret_cast<Expr*>(var), reinterpret_cast<Expr*>(constant), InvalidOid,
                       InvalidOid);
}

// `column <= upper AND column >= lower` (the lower bound only where `window` has one) for the
// timestamptz column `column` of `rel`: the clauses a constraint is refuted by. PostgreSQL calls only.
List* window_clauses(Relation rel, AttrNumber column, const TimeWindow& window) {
  List* clauses = list_make1(compare_column(rel, column, BTLessEqualStrategyNumber, window.upper));
  if (window.has_lower) clauses = lappend(clauses, compare_column(rel, column, BTGreaterEqualStrategyNumber, window.lower));
  return clauses;
}

// Whether the bounds of `child`, a partition of `parent`, hold no time of `window` in `parent`'s
// timestamptz column `column` (the planner's predicate proof: their constraint is refuted by
// `column >= lower AND column <= upper`). Reads the bounds from the catalog without locking the
// child. PostgreSQL calls only.
bool bounds_rule_out(Relation parent, Oid child, AttrNumber column, const TimeWindow& window) {
  HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(child));
  if (!HeapTupleIsValid(tuple)) return false;
  bool isnull = true;
  Datum bound = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_relpartbound, &isnull);
  PartitionBoundSpec* spec = isnull ? nullptr : castNode(PartitionBoundSpec, stringToNode(TextDatumGetCString(bound)));
  ReleaseSysCache(tuple);
  if (spec == nullptr) return false;
  List* constraint = get_qual_from_partbound(parent, spec);
  if (constraint == NIL) return false;
  constraint = reinterpret_cast<List*>(eval_const_expressions(nullptr, reinterpret_cast<Node*>(constraint)));
  return predicate_refuted_by(constraint, window_clauses(parent, column, window), false);
}

// Whether the CHECK constraints of `rel`, a member of an inheritance tree (a child, or the
// parent's own rows), hold no time of `window` in its timestamptz column named `window.column`,
// as the planner's constraint exclusion decides it: validated constraints only, NO INHERIT ones
// included, conjuncts with mutable functions left out, refuted by the window's bounds. `rel` must
// be locked. PostgreSQL calls only.
bool checks_rule_out(Relation rel, const TimeWindow& window) {
  const TupleConstr* constr = RelationGetDescr(rel)->constr;
  if (constr == nullptr || constr->num_check == 0) return false;
  const AttrNumber column = get_attnum(RelationGetRelid(rel), window.column);
  if (column <= 0 || get_atttype(RelationGetRelid(rel), column) != TIMESTAMPTZOID) return false;
  List* checks = NIL;
  for (int i = 0; i < constr->num_check; ++i) {
    if (!constr->check[i].ccvalid) continue;
    Node* check = eval_const_expressions(nullptr, static_cast<Node*>(stringToNode(constr->check[i].ccbin)));
    check = reinterpret_cast<Node*>(canonicalize_qual(reinterpret_cast<Expr*>(check), true));
    ListCell* cell;
    foreach (cell, make_ands_implicit(reinterpret_cast<Expr*>(check)))
      if (!contain_mutable_functions(static_cast<Node*>(lfirst(cell)))) checks = lappend(checks, lfirst(cell));
  }
  return checks != NIL && predicate_refuted_by(checks, window_clauses(rel, column, window), false);
}

// Whether members whose CHECK constraints rule out `window` are left out, as the planner's
// constraint exclusion leaves out appendrel members (not with constraint_exclusion = off).
bool exclude_by_checks(const TimeWindow* window) {
  return window != nullptr && constraint_exclusion != CONSTRAINT_EXCLUSION_OFF;
}

// Appends the leaf partitions under partitioned `rel` to *leaves, each opened (and so locked) as
// the planner does, after those whose bounds rule out `window` are left out; a leaf whose CHECK
// constraints rule it out (checks_rule_out()) is locked but not appended. False when one that is
// appended is not a table. PostgreSQL calls only (runs in pg_call).
bool add_leaf_partitions(Relation rel, const TimeWindow* window, List** leaves) {
  PartitionDesc desc = RelationGetPartitionDesc(rel, true);
  // The window's column at this level (its attnum may differ from the parent's); none: no pruning.
  AttrNumber column = window != nullptr ? get_attnum(RelationGetRelid(rel), window->column) : InvalidAttrNumber;
  if (column > 0 && get_atttype(RelationGetRelid(rel), column) != TIMESTAMPTZOID) column = InvalidAttrNumber;
  for (int i = 0; i < desc->nparts; ++i) {
    if (column > 0 && bounds_rule_out(rel, desc->oids[i], column, *window)) continue;
    Relation child = table_open(desc->oids[i], AccessShareLock);
    const char kind = child->rd_rel->relkind;
    bool ok = true;
    if (kind == RELKIND_PARTITIONED_TABLE) {
      ok = add_leaf_partitions(child, window, leaves);
    } else if (exclude_by_checks(window) && checks_rule_out(child, *window)) {
      // locked, as the planner locks it, and not read
    } else if (kind == RELKIND_RELATION) {
      *leaves = lappend_oid(*leaves, RelationGetRelid(child));
    } else {
      ok = false;
    }
    table_close(child, NoLock);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool storage_parts(Oid relid, const TimeWindow* window, std::vector<Oid>& parts) {
  ScopedContext scratch("cohort relation parts");  // the lists and expressions, freed on return
  List* found = NIL;
  bool ok = true;
  pg_call([&] {
    MemoryContext caller = MemoryContextSwitchTo(scratch.get());
    Relation rel = table_open(relid, AccessShareLock);
    const char kind = rel->rd_rel->relkind;
    if (kind == RELKIND_PARTITIONED_TABLE) {
      ok = add_leaf_partitions(rel, window, &found);
    } else if (kind != RELKIND_RELATION) {
      ok = false;
    } else if (!rel->rd_rel->relhassubclass) {
      found = list_make1_oid(relid);
    } else {
      ListCell* cell;
      // Every member is locked, as the planner locks them before its constraint exclusion, which
      // then leaves out those whose CHECK constraints rule out the window (unless it is off).
      const bool exclude = exclude_by_checks(window);
      foreach (cell, find_all_inheritors(relid, AccessShareLock, nullptr)) {
        const Oid child = lfirst_oid(cell);
        if (isOtherTempNamespace(get_rel_namespace(child))) continue;  // the executor skips these too
        if (exclude) {
          Relation member = table_open(child, NoLock);
          const bool excluded = checks_rule_out(member, *window);
          table_close(member, NoLock);
          if (excluded) continue;
        }
        if (get_rel_relkind(child) != RELKIND_RELATION) ok = false;
        found = lappend_oid(found, child);
      }
    }
    table_close(rel, NoLock);
    MemoryContextSwitchTo(caller);
  });
  parts.clear();
  if (!ok) return false;
  ListCell* cell;
  foreach (cell, found) parts.push_back(lfirst_oid(cell));
  return true;
}

}  // namespace cohort::pg
