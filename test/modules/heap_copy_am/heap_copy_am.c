/*
 * A table access method for tests only: heap's own callbacks under a routine of its own. cohort
 * reads heap tables page by page and tables of any other access method through a table slot
 * (src/pg/heap_scan.cpp); a table of this one is stored exactly as heap, but cohort takes it for
 * another access method, so the tests can run its slot path (sql/other_access_method.sql).
 */
#include "postgres.h"

#include "access/tableam.h"
#include "catalog/pg_am_d.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(heap_copy_am_handler);

/*
 * TOAST tables stay heap: heap's own callback would give them this access method, whose index
 * builds heap_getnext() refuses (it checks for heap's routine by address).
 */
static Oid
toast_access_method(Relation rel)
{
	return HEAP_TABLE_AM_OID;
}

/* Returns a copy of heap's routine: the same callbacks at another address. */
Datum
heap_copy_am_handler(PG_FUNCTION_ARGS)
{
	static TableAmRoutine routine;

	if (routine.type != T_TableAmRoutine)
	{
		routine = *GetHeapamTableAmRoutine();
		routine.relation_toast_am = toast_access_method;
	}
	PG_RETURN_POINTER(&routine);
}
