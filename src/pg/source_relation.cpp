// Source relation checks: existence, SELECT privilege, column presence and types.
#include "pg/source_relation.hpp"

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

std::string SourceRelation::column(const std::string& column, ColumnType want) const {
  AttrNumber attnum = InvalidAttrNumber;
  Oid type = InvalidOid;
  const char* quoted = nullptr;
  const char* type_name = nullptr;
  pg_call([&] {
    attnum = get_attnum(relid_, column.c_str());
    if (attnum > 0) {
      type = getBaseType(get_atttype(relid_, attnum));
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
  return quoted;
}

}  // namespace cohort::pg
