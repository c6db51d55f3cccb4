// cohort.evaluate(definition, events, customers, as_of): the members of a cohort, as a table.
#include <algorithm>
#include <string>
#include <vector>

#include "core/canonical.hpp"
#include "core/program.hpp"
#include "core/risk_counts.hpp"
#include "pg/evaluator.hpp"
#include "pg/guard.hpp"
#include "pg/text_datum.hpp"

namespace {

// What the last evaluation in this backend did (a plain struct: no constructor runs at load).
cohort::pg::EvaluationReport last_report = {"none", "none", 0, 0, 0, 0, 0, 0, 0};

// Raises 22004 when argument n (`name` of `function`) is NULL.
void require_argument(FunctionCallInfo fcinfo, int n, const char* name, const char* function) {
  if (PG_ARGISNULL(n))
    throw cohort::pg::SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                               std::string("argument \"") + name + "\" of " + function + " must not be NULL");
}

// Writes the member ids into the function's materialized result.
void emit_members(FunctionCallInfo fcinfo, const std::vector<int64_t>& members) {
  cohort::pg::pg_call([&] {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (std::size_t i = 0; i < members.size(); ++i) {
      Datum value = Int64GetDatum(members[i]);
      bool isnull = false;
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
      if ((i & 4095) == 0) CHECK_FOR_INTERRUPTS();
    }
  });
}

// Reads the (events, customers, as_of) arguments 1 to 3, checked against what `program` needs.
cohort::pg::EvaluationInput read_sources(FunctionCallInfo fcinfo, const cohort::Program& program,
                                        const char* function) {
  require_argument(fcinfo, 1, "events", function);
  require_argument(fcinfo, 3, "as_of", function);
  cohort::pg::EvaluationInput input;
  input.events = PG_GETARG_OID(1);
  input.customers = PG_ARGISNULL(2) ? InvalidOid : PG_GETARG_OID(2);
  input.as_of = PG_GETARG_TIMESTAMPTZ(3);
  if (program.needs_customers() && input.customers == InvalidOid)
    throw cohort::pg::SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                               "cohort definition uses customer attributes but no customers relation was given",
                               {}, "Pass the customers relation as the third argument.");
  return input;
}

}  // namespace

COHORT_FUNCTION(cohort_evaluate) {
  require_argument(fcinfo, 0, "definition", "cohort.evaluate");
  cohort::Program program =
      cohort::Program::compile(cohort::parse_definition(cohort::pg::text_to_string(PG_GETARG_DATUM(0))));
  cohort::pg::EvaluationInput input = read_sources(fcinfo, program, "cohort.evaluate");
  emit_members(fcinfo, cohort::pg::evaluate_members(program, input, &last_report));
  return (Datum)0;
}

namespace {

// Reads the definitions array in argument 0 (22004 for a NULL element, naming `function`).
std::vector<cohort::Node> read_definitions(FunctionCallInfo fcinfo, const char* function) {
  require_argument(fcinfo, 0, "definitions", function);
  Datum* elems = nullptr;
  bool* elem_nulls = nullptr;
  int count = 0;
  Datum array = PG_GETARG_DATUM(0);
  cohort::pg::pg_call([&] {
    ArrayType* a = DatumGetArrayTypeP(array);
    deconstruct_array(a, ARR_ELEMTYPE(a), -1, false, TYPALIGN_INT, &elems, &elem_nulls, &count);
  });
  std::vector<cohort::Node> roots;
  for (int i = 0; i < count; ++i) {
    if (elem_nulls[i])
      throw cohort::pg::SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                                 "definition " + std::to_string(i + 1) + " of " + function + " is NULL");
    roots.push_back(cohort::parse_definition(cohort::pg::text_to_string(elems[i])));
  }
  return roots;
}

}  // namespace

// cohort.evaluate_many(definitions[], events, customers, as_of): members of several definitions in
// one pass, as (definition index from 1, user_id) rows.
COHORT_FUNCTION(cohort_evaluate_many) {
  std::vector<cohort::Node> roots = read_definitions(fcinfo, "cohort.evaluate_many");
  cohort::Program program = cohort::Program::compile_many(roots);
  cohort::pg::EvaluationInput input = read_sources(fcinfo, program, "cohort.evaluate_many");
  std::vector<std::vector<int64_t>> members;
  if (!roots.empty()) members = cohort::pg::evaluate_members_each(program, input, &last_report);
  cohort::pg::pg_call([&] {
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (std::size_t d = 0; d < members.size(); ++d) {
      CHECK_FOR_INTERRUPTS();
      for (int64_t user : members[d]) {
        Datum values[2] = {Int32GetDatum(static_cast<int32>(d + 1)), Int64GetDatum(user)};
        bool nulls[2] = {false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
      }
    }
  });
  return (Datum)0;
}

// cohort.member_statistics(definitions[], events, customers, as_of): for each definition, from
// one pass over the events and one or two over the customers (evaluate_statistics()), (index
// from 1, total_customers, avg_churn_score, high, medium, low): its distinct members joined on
// user_id with every visible customers row and folded as risk_counts folds them; without
// customers, the distinct members.
COHORT_FUNCTION(cohort_member_statistics) {
  std::vector<cohort::Node> roots = read_definitions(fcinfo, "cohort.statistics_many");
  cohort::Program program = cohort::Program::compile_many(roots);
  cohort::pg::EvaluationInput input = read_sources(fcinfo, program, "cohort.statistics_many");
  std::vector<cohort::RiskCounts> stats;
  if (!roots.empty()) stats = cohort::pg::evaluate_statistics(program, input, &last_report);
  const bool with_customers = input.customers != InvalidOid;
  cohort::pg::pg_call([&] {
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (std::size_t d = 0; d < stats.size(); ++d) {
      const cohort::RiskCounts& s = stats[d];
      Datum values[6] = {Int32GetDatum(static_cast<int32>(d + 1)), Int64GetDatum(static_cast<int64>(s.rows)),
                         Float8GetDatum(s.score_rows > 0 ? s.score_sum / s.score_rows : 0),
                         Int64GetDatum(static_cast<int64>(s.high)), Int64GetDatum(static_cast<int64>(s.medium)),
                         Int64GetDatum(static_cast<int64>(s.low))};
      bool nulls[6] = {false, false, !with_customers || s.score_rows == 0, false, false, false};
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
  });
  return (Datum)0;
}

// cohort.last_evaluation(): how the backend's last evaluation read its sources.
COHORT_FUNCTION(cohort_last_evaluation) {
  Datum values[9] = {cohort::pg::string_to_text(last_report.events_scan),
                     cohort::pg::string_to_text(last_report.customers_scan),
                     Int64GetDatum(static_cast<int64>(last_report.event_rows)),
                     Int64GetDatum(static_cast<int64>(last_report.users)),
                     Int64GetDatum(static_cast<int64>(last_report.state_bytes)),
                     Int32GetDatum(last_report.workers_planned),
                     Int32GetDatum(last_report.workers_launched),
                     Int64GetDatum(static_cast<int64>(last_report.pages_skipped)),
                     Int64GetDatum(static_cast<int64>(last_report.pages_guessed))};
  bool nulls[9] = {false, false, false, false, false, false, false, false, false};
  return cohort::pg::make_row(fcinfo, values, nulls);
}
