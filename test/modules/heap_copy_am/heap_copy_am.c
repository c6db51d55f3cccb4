/*
 * A table access method for tests only: heap's callbacks under a routine of its own. cohort
 * reads heap tables page by page and tables of any other access method through a table slot
 * (src/pg/heap_scan.cpp); a table of this one is stored as heap, but cohort takes it for another
 * access method, so the tests can run its slot path (sql/other_access_method.sql). So that a
 * reader going round the access method's scan shows, its sequential scans hide every row whose
 * bigint column user_id is -1 (heap's pages hold them). Index builds are not supported: heap's
 * build scan calls heap_getnext(), which accepts only heap's own routine.
 */
#include "postgres.h"

#include "access/tableam.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_type_d.h"
#include "executor/tuptable.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(heap_copy_am_handler);

static TableAmRoutine routine;

/* Whether a scanned row is one the access method hides: its bigint column user_id is -1. */
static bool
hidden_row(TupleTableSlot *slot)
{
	TupleDesc	desc = slot->tts_tupleDescriptor;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		isnull;
		Datum		value;

		if (att->attisdropped || att->atttypid != INT8OID || strcmp(NameStr(att->attname), "user_id") != 0)
			continue;
		value = slot_getattr(slot, i + 1, &isnull);
		return !isnull && DatumGetInt64(value) == -1;
	}
	return false;
}

/* heap's next row of a sequential (or parallel) scan, skipping the hidden ones. */
static bool
scan_getnextslot(TableScanDesc scan, ScanDirection direction, TupleTableSlot *slot)
{
	while (GetHeapamTableAmRoutine()->scan_getnextslot(scan, direction, slot))
		if (!hidden_row(slot))
			return true;
	return false;
}

/*
 * TOAST tables stay heap: heap's own callback would give them this access method, whose index
 * builds heap_getnext() refuses.
 */
static Oid
toast_access_method(Relation rel)
{
	return HEAP_TABLE_AM_OID;
}

/* Returns heap's routine, copied to another address, with the two callbacks above. */
Datum
heap_copy_am_handler(PG_FUNCTION_ARGS)
{
	if (routine.type != T_TableAmRoutine)
	{
		routine = *GetHeapamTableAmRoutine();
		routine.scan_getnextslot = scan_getnextslot;
		routine.relation_toast_am = toast_access_method;
	}
	PG_RETURN_POINTER(&routine);
}
