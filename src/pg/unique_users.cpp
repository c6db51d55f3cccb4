// Uniqueness of user_id in a customers relation, read from its unique indexes.
#include "pg/unique_users.hpp"

namespace cohort::pg {
namespace {

// Whether transaction `xid`, which wrote a catalog row we see, had committed when `snapshot` was
// taken (never our own transaction: conservatively, an index we built ourselves proves nothing).
bool committed_before(TransactionId xid, Snapshot snapshot) {
  if (!TransactionIdIsNormal(xid)) return true;  // frozen or bootstrap
  if (TransactionIdIsCurrentTransactionId(xid)) return false;
  if (TransactionIdPrecedes(xid, snapshot->xmin)) return true;  // done before every running one
  return !XidInMVCCSnapshot(xid, snapshot) && TransactionIdDidCommit(xid);
}

// Whether the open index `index` is a valid, immediate unique index on column `column` alone,
// without a predicate, built (or last changed) by a transaction `snapshot` sees as committed. A
// row deleted before the build was deleted by a transaction that committed before it (the build
// waits for writers), so the snapshot sees that row deleted; one that does not see the build may
// still see the row, beside its user's other one.
bool unique_on(Relation index, AttrNumber column, Snapshot snapshot) {
  const Form_pg_index form = index->rd_index;
  if (!form->indisunique || !form->indimmediate || !form->indisvalid || form->indnkeyatts != 1 ||
      form->indkey.values[0] != column)
    return false;
  if (!heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, nullptr)) return false;
  // The relcache copy's xmin, as the planner reads it for indcheckxmin (a reload of an open index
  // copies the new xmin but not the frozen bits: the same exposure as the planner's).
  return committed_before(HeapTupleHeaderGetXmin(index->rd_indextuple->t_data), snapshot);
}

}  // namespace

bool user_ids_unique(Oid relid) {
  bool unique = false;
  pg_call([&] {
    Relation rel = try_relation_open(relid, AccessShareLock);
    if (rel == nullptr) return;
    const AttrNumber user = get_attnum(relid, "user_id");
    if (rel->rd_rel->relkind == RELKIND_RELATION && user != InvalidAttrNumber) {
      const Snapshot snapshot = GetActiveSnapshot();
      List* indexes = RelationGetIndexList(rel);
      ListCell* lc;
      foreach (lc, indexes) {
        Relation index = index_open(lfirst_oid(lc), AccessShareLock);
        if (unique_on(index, user, snapshot)) unique = true;
        index_close(index, AccessShareLock);
        if (unique) break;
      }
      list_free(indexes);
    }
    relation_close(rel, NoLock);  // the scan's lock, kept until the transaction ends
  });
  return unique;
}

}  // namespace cohort::pg
