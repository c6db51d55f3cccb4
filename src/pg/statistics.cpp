// Engagement scalars and the risk_counts / engagement_stats aggregates (float8[] states).
#include <cmath>
#include <optional>
#include <string_view>

#include "core/engagement.hpp"
#include "core/errors.hpp"
#include "core/risk_counts.hpp"
#include "pg/guard.hpp"
#include "pg/text_datum.hpp"

namespace {

// Argument n as an optional float8.
std::optional<double> optional_float(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return std::nullopt;
  return PG_GETARG_FLOAT8(n);
}

// Checks a float8[] aggregate state: one dimension, no NULLs, `fields` elements.
double* state_values(ArrayType* a, int fields) {
  if (ARR_NDIM(a) != 1 || ARR_DIMS(a)[0] != fields || ARR_HASNULL(a) || ARR_ELEMTYPE(a) != FLOAT8OID)
    throw cohort::CohortError(cohort::ErrorKind::InvalidParameter,
                              "invalid cohort aggregate state",
                              "Expected a float8 array of " + std::to_string(fields) + " elements.");
  return reinterpret_cast<double*>(ARR_DATA_PTR(a));
}

// The state array to update: argument 0 itself inside an aggregate, a copy otherwise.
ArrayType* writable_state(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0))
    throw cohort::CohortError(cohort::ErrorKind::InvalidParameter, "invalid cohort aggregate state",
                              "The state must not be NULL.");
  ArrayType* out = nullptr;
  cohort::pg::pg_call([&] {
    if (AggCheckCallContext(fcinfo, nullptr))
      out = PG_GETARG_ARRAYTYPE_P(0);
    else
      out = PG_GETARG_ARRAYTYPE_P_COPY(0);
  });
  return out;
}

// Loads a state struct from its float8 array. Counts must be whole, non-negative and below 2^53;
// sums finite or NaN/infinite only as float8 sums can become (a state is untrusted input).
template <typename State>
State load(ArrayType* a) {
  const double* v = state_values(a, State::kFields);
  State s;
  double* fields = reinterpret_cast<double*>(&s);
  for (int i = 0; i < State::kFields; ++i) {
    bool is_sum = State::is_sum_field(i);
    bool bad_count = !is_sum && !(v[i] >= 0 && v[i] <= 9007199254740992.0 && v[i] == std::floor(v[i]));
    if (bad_count)
      throw cohort::CohortError(cohort::ErrorKind::InvalidParameter, "invalid cohort aggregate state",
                                "Element " + std::to_string(i + 1) + " must be a whole count from 0 to 2^53.");
    fields[i] = v[i];
  }
  return s;
}

// Stores a state struct into its float8 array.
template <typename State>
void store(ArrayType* a, const State& s) {
  double* v = state_values(a, State::kFields);
  const double* fields = reinterpret_cast<const double*>(&s);
  for (int i = 0; i < State::kFields; ++i) v[i] = fields[i];
}

static_assert(sizeof(cohort::RiskCounts) == cohort::RiskCounts::kFields * sizeof(double));
static_assert(sizeof(cohort::EngagementCounts) == cohort::EngagementCounts::kFields * sizeof(double));

}  // namespace

// engagement_score(email_opens, website_visits, total_purchases): NULL parts count as 0.
COHORT_FUNCTION(cohort_engagement_score) {
  PG_RETURN_FLOAT8(cohort::engagement_score(optional_float(fcinfo, 0), optional_float(fcinfo, 1),
                                            optional_float(fcinfo, 2)));
}

// engagement_level(score): 'high', 'medium' or 'low' (strict: NULL in, NULL out).
COHORT_FUNCTION(cohort_engagement_level) {
  return cohort::pg::string_to_text(cohort::level_name(cohort::engagement_level(PG_GETARG_FLOAT8(0))));
}

// risk_counts transition: (state, risk_level, churn_score).
COHORT_FUNCTION(cohort_risk_counts_accum) {
  ArrayType* state = writable_state(fcinfo);
  auto s = load<cohort::RiskCounts>(state);
  std::optional<std::string_view> level;
  if (!PG_ARGISNULL(1)) {
    Datum d = PG_GETARG_DATUM(1);
    cohort::pg::pg_call([&] {
      text* t = DatumGetTextPP(d);
      level = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    });
  }
  s.add(level, optional_float(fcinfo, 2));
  store(state, s);
  PG_RETURN_ARRAYTYPE_P(state);
}

namespace {

// Adds the partial state in argument 1 into argument 0.
template <typename State>
Datum combine_states(FunctionCallInfo fcinfo) {
  ArrayType* state = writable_state(fcinfo);
  ArrayType* other = nullptr;
  cohort::pg::pg_call([&] { other = PG_GETARG_ARRAYTYPE_P(1); });
  auto s = load<State>(state);
  s.merge(load<State>(other));
  store(state, s);
  PG_RETURN_ARRAYTYPE_P(state);
}

}  // namespace

// risk_counts combine.
COHORT_FUNCTION(cohort_risk_counts_combine) { return combine_states<cohort::RiskCounts>(fcinfo); }

// engagement_stats combine.
COHORT_FUNCTION(cohort_engagement_combine) { return combine_states<cohort::EngagementCounts>(fcinfo); }

// risk_counts final: cohort.statistics(total_customers, avg_churn_score, high, medium, low).
COHORT_FUNCTION(cohort_risk_counts_final) {
  ArrayType* a = nullptr;
  cohort::pg::pg_call([&] { a = PG_GETARG_ARRAYTYPE_P(0); });
  auto s = load<cohort::RiskCounts>(a);
  Datum values[5] = {Int64GetDatum(static_cast<int64>(s.rows)),
                     Float8GetDatum(s.score_rows > 0 ? s.score_sum / s.score_rows : 0),
                     Int64GetDatum(static_cast<int64>(s.high)), Int64GetDatum(static_cast<int64>(s.medium)),
                     Int64GetDatum(static_cast<int64>(s.low))};
  bool nulls[5] = {false, s.score_rows == 0, false, false, false};
  return cohort::pg::make_row(fcinfo, values, nulls);
}

// engagement_stats transition: (state, email_opens, website_visits, total_purchases).
COHORT_FUNCTION(cohort_engagement_accum) {
  ArrayType* state = writable_state(fcinfo);
  auto s = load<cohort::EngagementCounts>(state);
  s.add(optional_float(fcinfo, 1), optional_float(fcinfo, 2), optional_float(fcinfo, 3));
  store(state, s);
  PG_RETURN_ARRAYTYPE_P(state);
}

// engagement_stats final: cohort.engagement(customers, avg_score, high, medium, low).
COHORT_FUNCTION(cohort_engagement_final) {
  ArrayType* a = nullptr;
  cohort::pg::pg_call([&] { a = PG_GETARG_ARRAYTYPE_P(0); });
  auto s = load<cohort::EngagementCounts>(a);
  Datum values[5] = {Int64GetDatum(static_cast<int64>(s.rows)),
                     Float8GetDatum(s.rows > 0 ? s.score_sum / s.rows : 0),
                     Int64GetDatum(static_cast<int64>(s.high)), Int64GetDatum(static_cast<int64>(s.medium)),
                     Int64GetDatum(static_cast<int64>(s.low))};
  bool nulls[5] = {false, s.rows == 0, false, false, false};
  return cohort::pg::make_row(fcinfo, values, nulls);
}
