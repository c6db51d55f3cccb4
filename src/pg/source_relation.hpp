// Checks a source relation (events or customers) and names its columns safely for generated SQL.
#pragma once

#include <string>
#include <vector>

#include "pg/guard.hpp"
#include "pg/relation_parts.hpp"
#include "pg/row_policy.hpp"

namespace cohort::pg {

// What a source column must be.
enum class ColumnType {
  Integer,      // smallint, integer, bigint
  Text,         // text, varchar, char
  Timestamptz,  // timestamp with time zone
  Numeric,      // smallint, integer, bigint, real, double precision, numeric
  Any,          // any type (read as text)
};

// A checked column: where it is and what it holds.
struct ColumnInfo {
  std::string name;            // as the caller's relation names it
  AttrNumber attnum = InvalidAttrNumber;
  Oid type = InvalidOid;       // base type (domains resolved)
  Oid collation = InvalidOid;
  std::string sql;             // quoted identifier for SQL text
};

// A table that holds some of a source relation's rows, and where its columns are.
struct DirectPart {
  Oid relid = InvalidOid;
  std::vector<AttrNumber> attnums;  // of the columns asked about, in their order
};

// A relation the caller passed as regclass: checked to exist and to be readable.
class SourceRelation {
 public:
  // Checks that `relid` exists and that the caller may SELECT some column; `role` names it in errors.
  SourceRelation(Oid relid, const char* role);

  // The schema-qualified, quoted relation name for SQL text.
  const std::string& sql_name() const { return sql_name_; }
  // Checks `column` exists with an accepted type and returns it quoted for SQL text.
  std::string column(const std::string& column, ColumnType type) const { return info(column, type).sql; }
  // Checks `column` exists with an accepted type and describes it.
  ColumnInfo info(const std::string& column, ColumnType type) const;
  // True when the relation's rows can be read page by page with the same result as through the
  // executor: a table or a partitioned table, or a view that reads one through plain columns
  // (simple_view.hpp: its table read with the rights and under the policies of the view's owner,
  // or of the caller for a security_invoker view, its WHERE checked on each row after those
  // policies, in `policies`); SELECT on every column in `columns`, text columns of type
  // text/varchar with a deterministic collation, every part a table whose columns of those names
  // have the same types, cohort.direct_scan on, and no row-level security for the caller or only
  // policies whose quals can be checked on each tuple (no subquery, no whole-row reference:
  // `policies` then holds them, to be checked on every row read; else it is left empty).
  // `table` is then the table read (the relation, or the view's), and `parts` lists the tables
  // that hold its rows (relation_parts.hpp; partitions whose bounds hold no time of `window`, if
  // given, left out and not locked) with the columns' attnums in each (privileges and policies
  // are the relation's, or the view's table's for its owner, as for a query on it); otherwise it
  // is empty. With `listed` (a parallel
  // participant: the leader's list), those tables are read instead of listing them again, and
  // row-level security is not decided again either: `policies` is left empty, for the caller to
  // take the leader's (with the view's WHERE).
  bool direct_parts(const std::vector<ColumnInfo>& columns, const TimeWindow* window,
                    std::vector<DirectPart>& parts, RowPolicies& policies, Oid& table,
                    const std::vector<Oid>* listed = nullptr) const;
  Oid relid() const { return relid_; }

 private:
  Oid relid_;
  std::string role_;
  std::string display_name_;
  std::string sql_name_;
};

}  // namespace cohort::pg
