// Pages a time-bounded scan needs, from a BRIN index's bitmap scan for `column >= lower`.
#include "pg/page_set.hpp"

namespace cohort::pg {
namespace {

// The access method of relation `oid` from the catalog cache, without locking it (InvalidOid if
// it is gone): only BRIN indexes are opened and locked.
Oid access_method_of(Oid oid) {
  HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(oid));
  if (!HeapTupleIsValid(tuple)) return InvalidOid;
  const Oid am = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relam;
  ReleaseSysCache(tuple);
  return am;
}

// Whether `index` answers `attnum >= timestamptz` as BRIN's built-in minmax classes do, for the
// current transaction: a valid, non-partial BRIN index whose first key column is `attnum` (not an
// expression), usable by this transaction's snapshots (as the planner checks indcheckxmin: an
// index built while an older snapshot could see a HOT-updated row's old version left it out),
// with a built-in operator family whose minmax or minmax-multi class has timestamptz_ge as `>=`.
// Sets `op`.
bool usable_brin(Relation index, AttrNumber attnum, Oid& op) {
  const Form_pg_index form = index->rd_index;
  if (index->rd_rel->relam != BRIN_AM_OID || !form->indisvalid) return false;
  if (form->indnkeyatts < 1 || form->indkey.values[0] != attnum) return false;
  if (!heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, nullptr)) return false;
  if (form->indcheckxmin &&
      !TransactionIdPrecedes(HeapTupleHeaderGetXmin(index->rd_indextuple->t_data), TransactionXmin))
    return false;
  if (index->rd_opcintype[0] != TIMESTAMPTZOID || index->rd_opfamily[0] >= FirstNormalObjectId) return false;
  const RegProcedure opcinfo = index_getprocid(index, 1, BRIN_PROCNUM_OPCINFO);
  if (opcinfo != F_BRIN_MINMAX_OPCINFO && opcinfo != F_BRIN_MINMAX_MULTI_OPCINFO) return false;
  op = get_opfamily_member(index->rd_opfamily[0], TIMESTAMPTZOID, TIMESTAMPTZOID, BTGreaterEqualStrategyNumber);
  return OidIsValid(op) && get_opcode(op) == F_TIMESTAMPTZ_GE;
}

}  // namespace

PageSet PageSet::since(Relation rel, AttrNumber attnum, TimestampTz lower, Snapshot snapshot) {
  PageSet set;
  Oid index_oid = InvalidOid, op = InvalidOid;
  BlockNumber pages = 0;
  pg_call([&] {
    List* indexes = RelationGetIndexList(rel);
    ListCell* cell;
    foreach (cell, indexes) {
      if (access_method_of(lfirst_oid(cell)) != BRIN_AM_OID) continue;
      // Locked until the transaction ends, as the executor keeps the indexes it scans.
      Relation index = index_open(lfirst_oid(cell), AccessShareLock);
      const bool usable = usable_brin(index, attnum, op);
      if (usable) index_oid = RelationGetRelid(index);
      index_close(index, NoLock);
      if (usable) break;
    }
    list_free(indexes);
    if (OidIsValid(index_oid)) pages = RelationGetNumberOfBlocks(rel);
  });
  if (!OidIsValid(index_oid) || pages == 0) return set;
  set.bits_.assign((uint64_t{pages} + 63) / 64, 0);
  uint64_t* bits = set.bits_.data();
  pg_call([&] {
    Relation index = index_open(index_oid, AccessShareLock);
    ScanKeyData key;
    ScanKeyEntryInitialize(&key, 0, 1, BTGreaterEqualStrategyNumber, TIMESTAMPTZOID, index->rd_indcollation[0],
                           get_opcode(op), TimestampTzGetDatum(lower));
    // Lossy beyond work_mem, as a bitmap heap scan's: a lossy entry still names its pages.
    TIDBitmap* bitmap = tbm_create(work_mem * 1024L, nullptr);
    IndexScanDesc scan = index_beginscan_bitmap(index, snapshot, 1);
    index_rescan(scan, &key, 1, nullptr, 0);
    index_getbitmap(scan, bitmap);
    index_endscan(scan);
    TBMIterator* it = tbm_begin_iterate(bitmap);
    for (TBMIterateResult* r = tbm_iterate(it); r != nullptr; r = tbm_iterate(it)) {
      if (r->blockno >= pages) continue;  // the table grew since; such pages are read anyway
      bits[r->blockno / 64] |= uint64_t{1} << (r->blockno % 64);
    }
    tbm_end_iterate(it);
    tbm_free(bitmap);
    index_close(index, NoLock);
  });
  set.known_ = pages;
  return set;
}

}  // namespace cohort::pg
