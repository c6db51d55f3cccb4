// Source relation checks: existence, SELECT privilege, column presence and types.
#include "pg/source_relation.hpp"

#include "pg/settings.hpp"
#include "pg/simple_view.hpp"

namespace cohort::pg {
namespace {

// True when `type` (a base type oid) is acceptable as `want`.
bool type_accepted(Oid type, ColumnType want) {
  switch (want) {
    case ColumnType::Integer:
      return type == INT2OID || type == INT4OID || type == INT8OID;
    case ColumnType::Text:
      return type == TEXTOID || type == VARCHAROID || type == BPCHAROID;
    case ColumnType::Timestamptz:
      return type == TIMESTAMPTZOID;
    case ColumnType::Numeric:
      return type == INT2OID || type == INT4OID || type == INT8OID || type == FLOAT4OID ||
             type == FLOAT8OID || type == NUMERICOID;
    case ColumnType::Any:
      return true;
  }
  return false;
}

// Human description of an accepted type class, for error messages.
const char* type_description(ColumnType want) {
  switch (want) {
    case ColumnType::Integer: return "smallint, integer or bigint";
    case ColumnType::Text: return "text, varchar or char";
    case ColumnType::Timestamptz: return "timestamp with time zone";
    case ColumnType::Numeric: return "a numeric type (smallint, integer, bigint, real, double precision or numeric)";
    case ColumnType::Any: return "any type";
  }
  return "?";
}

}  // namespace

SourceRelation::SourceRelation(Oid relid, const char* role) : relid_(relid), role_(role) {
  const char* relname = nullptr;
  const char* nspname = nullptr;
  const char* quoted = nullptr;
  bool readable = false;
  pg_call([&] {
    relname = get_rel_name(relid);
    if (relname != nullptr) {
      nspname = get_namespace_name(get_rel_namespace(relid));
      quoted = quote_qualified_identifier(nspname, relname);
      readable = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK ||
                 pg_attribute_aclcheck_all(relid, GetUserId(), ACL_SELECT, ACLMASK_ANY) == ACLCHECK_OK;
    }
  });
  if (relname == nullptr)
    throw SqlError(ERRCODE_UNDEFINED_TABLE,
                   role_ + " relation with OID " + std::to_string(relid) + " does not exist");
  display_name_ = relname;
  sql_name_ = quoted;
  if (!readable)
    throw SqlError(ERRCODE_INSUFFICIENT_PRIVILEGE,
                   "permission denied for " + role_ + " relation " + display_name_);
}

ColumnInfo SourceRelation::info(const std::string& column, ColumnType want) const {
  AttrNumber attnum = InvalidAttrNumber;
  Oid type = InvalidOid;
  Oid collation = InvalidOid;
  const char* quoted = nullptr;
  const char* type_name = nullptr;
  pg_call([&] {
    attnum = get_attnum(relid_, column.c_str());
    if (attnum > 0) {
      Oid declared = InvalidOid;
      int32 typmod = -1;
      get_atttypetypmodcoll(relid_, attnum, &declared, &typmod, &collation);
      type = getBaseType(declared);
      type_name = format_type_be(type);
      quoted = quote_identifier(column.c_str());
    }
  });
  if (attnum <= 0)
    throw SqlError(ERRCODE_UNDEFINED_COLUMN,
                   "column \"" + column + "\" does not exist in " + role_ + " relation " + display_name_,
                   {}, "A source with other column names can be wrapped in a view.");
  if (!type_accepted(type, want))
    throw SqlError(ERRCODE_DATATYPE_MISMATCH,
                   "column \"" + column + "\" of " + role_ + " relation " + display_name_ +
                       " has type " + type_name,
                   std::string("Expected ") + type_description(want) + ".");
  return ColumnInfo{column, attnum, type, collation, quoted};
}

bool SourceRelation::direct_parts(const std::vector<ColumnInfo>& columns, const TimeWindow* window,
                                  std::vector<DirectPart>& parts, RowPolicies& policies, Oid& table,
                                  const std::vector<Oid>* listed) const {
  parts.clear();
  policies = RowPolicies{};
  table = relid_;
  if (!direct_scan_enabled()) return false;
  const std::size_t n = columns.size();
  std::vector<AttrNumber> asked(n), mapped(n);
  std::vector<const char*> mapped_names(n, nullptr);
  for (std::size_t i = 0; i < n; ++i) asked[i] = columns[i].attnum;
  bool possible = false;
  Oid read_relid = relid_;  // the table read: the relation, or the one behind a view
  RowPolicies decided;  // given to the caller only once the relation qualifies
  pg_call([&] {
    const char kind = get_rel_relkind(relid_);
    if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE && kind != RELKIND_VIEW) return;
    // The caller's SELECT on the columns read, as the executor checks a query's range table entry
    // for the relation (so ExecutorCheckPerms_hook sees it too).
    RangeTblEntry* entry = makeNode(RangeTblEntry);
    entry->rtekind = RTE_RELATION;
    entry->relid = relid_;
    entry->relkind = kind;
    entry->rellockmode = AccessShareLock;
    entry->requiredPerms = ACL_SELECT;
    for (const ColumnInfo& c : columns)
      entry->selectedCols = bms_add_member(entry->selectedCols, c.attnum - FirstLowInvalidHeapAttributeNumber);
    List* entries = list_make1(entry);
    if (kind == RELKIND_VIEW) {
      // Locked as a query's parser locks it; then its table as the rewriter locks and decides on
      // it: with the rights of the view's owner (the caller's for a security_invoker view), its
      // policies for that role, and the view's WHERE checked on each row after them.
      LockRelationOid(relid_, AccessShareLock);
      SimpleView view;
      if (!read_simple_view(relid_, asked.data(), n, view, mapped.data())) return;
      LockRelationOid(view.table, AccessShareLock);
      const char table_kind = get_rel_relkind(view.table);  // as it is now, under our lock
      if (table_kind != RELKIND_RELATION && table_kind != RELKIND_PARTITIONED_TABLE) return;
      entries = lappend(entries, view.table_entry);
      if (!ExecCheckRTPerms(entries, false)) return;  // the executor raises the error
      if (listed == nullptr) {
        if (caller_row_security(view.table, decided, view.table_entry->checkAsUser) == RowSecurity::Executor) return;
        if (view.quals != NIL) {
          decided.relid = view.table;
          decided.quals = list_concat(decided.quals, view.quals);
          decided.parallel_safe = quals_parallel_safe(decided.quals);
        }
      }
      for (std::size_t i = 0; i < n; ++i) mapped_names[i] = get_attname(view.table, mapped[i], false);
      read_relid = view.table;
    } else {
      if (listed == nullptr && caller_row_security(relid_, decided) == RowSecurity::Executor) return;
      if (!ExecCheckRTPerms(entries, false)) return;
    }
    for (const ColumnInfo& c : columns) {
      bool textual = c.type == TEXTOID || c.type == VARCHAROID || c.type == BPCHAROID;
      if (c.type == BPCHAROID) return;  // char(n) drops trailing blanks in ::text; leave it to the executor
      if (textual && OidIsValid(c.collation) && !get_collation_isdeterministic(c.collation)) return;
    }
    possible = true;
  });
  if (!possible) return false;
  // The columns as the table read names them (a view's plain columns of its table: same types).
  const bool through_view = read_relid != relid_;
  std::vector<ColumnInfo> read = columns;
  if (through_view)
    for (std::size_t i = 0; i < n; ++i) {
      read[i].name = mapped_names[i];
      read[i].attnum = mapped[i];
    }
  // Partitions are pruned by the table's own column behind the window's (none: no pruning).
  TimeWindow read_window;
  const TimeWindow* prune = window;
  if (through_view && window != nullptr) {
    prune = nullptr;
    for (std::size_t i = 0; i < n; ++i)
      if (columns[i].name == window->column) {
        read_window = *window;
        read_window.column = mapped_names[i];
        prune = &read_window;
      }
  }
  std::vector<Oid> oids;
  if (listed != nullptr) {
    // Another participant's list: each table locked here as storage_parts() would lock it.
    oids = *listed;
    pg_call([&] {
      LockRelationOid(read_relid, AccessShareLock);
      for (Oid oid : oids) LockRelationOid(oid, AccessShareLock);
    });
  } else if (!storage_parts(read_relid, prune, oids)) {
    return false;
  }
  for (Oid oid : oids) {
    DirectPart part{oid, {}};
    for (const ColumnInfo& c : read) {
      AttrNumber attnum = c.attnum;
      bool same = true;
      if (oid != read_relid)
        pg_call([&] {
          attnum = get_attnum(oid, c.name.c_str());
          if (attnum <= 0) return;
          Oid type = InvalidOid, collation = InvalidOid;
          int32 typmod = -1;
          get_atttypetypmodcoll(oid, attnum, &type, &typmod, &collation);
          same = getBaseType(type) == c.type && collation == c.collation;
        });
      if (attnum <= 0 || !same) {
        parts.clear();
        return false;
      }
      part.attnums.push_back(attnum);
    }
    parts.push_back(std::move(part));
  }
  policies = decided;
  table = read_relid;
  return true;
}

}  // namespace cohort::pg
