// fmgr shims of the ClickHouse-style analytics aggregates: window_funnel, sequence_match,
// sequence_count (internal states in the aggregate memory context) and retention (bigint state).
#include <cstring>
#include <new>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/errors.hpp"
#include "core/funnel.hpp"
#include "core/retention.hpp"
#include "core/sequence_match.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/funnel_agg.hpp"
#include "pg/sequence_agg.hpp"
#include "pg/memory_arena.hpp"

using cohort::pg::FunnelAgg;
using cohort::pg::FunnelCallSite;
using cohort::pg::SequenceAgg;
using cohort::pg::SequenceCallSite;
using cohort::pg::MemoryContextArena;
using cohort::pg::pg_call;
using cohort::pg::SqlError;

namespace {

// Builds a T in `context`; its destructor never runs, so everything it owns must live there too.
template <typename T, typename... Args>
T* create_in(MemoryContext context, Args&&... args) {
  MemoryContextArena arena(context);
  void* memory = arena.allocate(sizeof(T));
  return new (memory) T(std::forward<Args>(args)...);
}

// Rows of one aggregate call between checks of its states' memory.
constexpr uint64 kMemoryCheckRows = 16384;

// Per-call counter kept in the transition function's fn_extra (lives as long as the plan node).
struct RowCounter {
  uint64 rows;
};

// The RowCounter of a support function call site (its fn_extra).
uint64& row_counter(FunctionCallInfo fcinfo) {
  auto* counter = static_cast<RowCounter*>(fcinfo->flinfo->fn_extra);
  if (counter == nullptr) {
    pg_call([&] {
      counter = static_cast<RowCounter*>(MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RowCounter)));
    });
    fcinfo->flinfo->fn_extra = counter;
  }
  return counter->rows;
}

// The aggregate memory context; the support functions make no sense outside an aggregate.
MemoryContext aggregate_context(FunctionCallInfo fcinfo, const char* function) {
  MemoryContext context = nullptr;
  if (!AggCheckCallContext(fcinfo, &context) || context == nullptr)
    throw std::runtime_error(std::string(function) + " called outside an aggregate");
  return context;
}

// Throws 53200 for aggregate states of `function` past cohort.state_memory_limit (`limit` bytes);
// `detail` says what holds the memory.
[[noreturn]] void raise_state_memory(const char* function, std::size_t limit, const std::string& detail) {
  throw SqlError(ERRCODE_OUT_OF_MEMORY,
                 std::string(function) + ": aggregate states need more than " + std::to_string(limit / 1024) + " kB",
                 detail,
                 "Raise cohort.state_memory_limit (or work_mem, whose 64-fold is the default limit), or "
                 "aggregate fewer events or groups at once.");
}

// Raises 53200 when the states of every group of this aggregation, held in `context`, outgrow
// cohort.state_memory_limit (64 x work_mem by default); looks every `every` calls, counted in
// `calls` (transition functions add a row a call, combine functions a whole partial state). Hash
// aggregation cannot spill states that grow after their group was created, so this is the bound.
void check_state_memory(uint64& calls, MemoryContext context, const char* function, uint64 every = kMemoryCheckRows) {
  if (++calls % every != 0) return;
  std::size_t used = MemoryContextMemAllocated(context, true);
  std::size_t limit = cohort::pg::state_memory_limit_bytes();
  if (used > limit)
    raise_state_memory(function, limit,
                       std::string("The states of every group of this aggregation (of all aggregates computed with ") +
                           function + ") hold " + std::to_string(used / 1024) + " kB; " + function +
                           " keeps 12 bytes per event.");
}

// Raises 53200 when a final function's sorted copy of one group's rows (`copy_bytes`, 12 bytes a
// row for a group held in more than one chunk) would take the aggregation's memory past
// cohort.state_memory_limit: the limit bounds what the final functions hold too.
void check_final_memory(FunctionCallInfo fcinfo, std::size_t copy_bytes, const char* function) {
  if (copy_bytes == 0) return;
  MemoryContext context = aggregate_context(fcinfo, function);
  std::size_t used = MemoryContextMemAllocated(context, true);
  std::size_t limit = cohort::pg::state_memory_limit_bytes();
  if (used + copy_bytes > limit)
    raise_state_memory(function, limit,
                       std::string("The states of every group of this aggregation hold ") + std::to_string(used / 1024) +
                           " kB, and the final function needs " + std::to_string(copy_bytes / 1024) +
                           " kB more for a sorted copy of one group's events (12 bytes each).");
}

// Throws 22004 if argument n is NULL.
void require_not_null(FunctionCallInfo fcinfo, int n, const char* what) {
  if (PG_ARGISNULL(n))
    throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(what) + " must not be NULL");
}

// An array argument, detoasted; PostgreSQL is called (through the guard) only when the value is
// toasted, compressed or has a short header: a VARIADIC array built per row never is.
ArrayType* array_arg(FunctionCallInfo fcinfo, int n) {
  auto* v = reinterpret_cast<struct varlena*>(DatumGetPointer(PG_GETARG_DATUM(n)));
  if (VARATT_IS_EXTENDED(v)) pg_call([&] { v = pg_detoast_datum(v); });
  return reinterpret_cast<ArrayType*>(v);
}

// The conditions of one row from a boolean[] argument: their number and the mask of true ones
// (a NULL element is false).
struct Conditions {
  unsigned count;
  std::uint32_t mask;
};

Conditions read_conditions(FunctionCallInfo fcinfo, int n, const char* function, const char* what) {
  if (PG_ARGISNULL(n))  // the message is built only here: this runs once per row
    throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(function) + " " + what + "s must not be NULL");
  ArrayType* a = array_arg(fcinfo, n);
  if (ARR_ELEMTYPE(a) != BOOLOID) throw std::runtime_error("boolean array expected");
  if (ARR_NDIM(a) > 1)
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                   std::string(function) + " " + what + "s must be a one-dimensional array");
  std::size_t count = ARR_NDIM(a) == 0 ? 0 : static_cast<std::size_t>(ARR_DIMS(a)[0]);
  cohort::check_step_count(count, function, what);
  const bits8* nulls = ARR_NULLBITMAP(a);
  const char* data = ARR_DATA_PTR(a);
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (nulls != nullptr && (nulls[i / 8] & (1 << (i % 8))) == 0) continue;  // NULL: false
    if (*data != 0) mask |= 1u << i;
    ++data;  // booleans are one byte, char-aligned; NULL elements take no space
  }
  return {static_cast<unsigned>(count), mask};
}

// A text argument as a view (detoasted in the current memory context; PostgreSQL is called only
// for a toasted or compressed value).
std::string_view text_arg(FunctionCallInfo fcinfo, int n) {
  auto* t = reinterpret_cast<struct varlena*>(DatumGetPointer(PG_GETARG_DATUM(n)));
  if (VARATT_IS_EXTERNAL(t) || VARATT_IS_COMPRESSED(t)) pg_call([&] { t = pg_detoast_datum_packed(t); });
  return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

// The mode flags named by a text[] (NULL elements are an error).
std::uint32_t parse_modes(ArrayType* a) {
  Datum* elements = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  pg_call([&] { deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count); });
  std::uint32_t modes = 0;
  for (int i = 0; i < count; ++i) {
    if (nulls[i]) throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "window_funnel modes must not contain NULL");
    text* t = reinterpret_cast<text*>(DatumGetPointer(elements[i]));
    modes |= cohort::funnel_mode(std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
  }
  cohort::check_funnel_modes(modes);
  return modes;
}

// The modes of a row given its (detoasted) array, reusing the group's parsed modes when the array
// bytes are unchanged.
std::uint32_t row_modes(ArrayType* a, const FunnelAgg* agg) {
  if (agg != nullptr && agg->modes_raw != nullptr && agg->modes_len == VARSIZE(a) &&
      std::memcmp(agg->modes_raw, a, agg->modes_len) == 0)
    return agg->state.params().modes;
  if (ARR_NDIM(a) > 1)
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, "window_funnel modes must be a one-dimensional array");
  return parse_modes(a);
}

// Remembers the raw modes array of the group (copied into the aggregate context).
void cache_modes(FunnelAgg* agg, ArrayType* raw) {
  std::size_t len = VARSIZE(raw);
  char* copy = static_cast<char*>(agg->arena.allocate(len));
  std::memcpy(copy, raw, len);
  if (agg->modes_raw != nullptr) agg->arena.deallocate(agg->modes_raw);
  agg->modes_raw = copy;
  agg->modes_len = len;
}

// The steps of one row given as plain boolean arguments from `first` to the last argument (the
// non-variadic overloads; a NULL argument is false). No array is built or read.
Conditions read_step_args(FunctionCallInfo fcinfo, int first) {
  int count = fcinfo->nargs - first;
  if (count < 1 || count > static_cast<int>(cohort::kMaxConditions))
    throw std::runtime_error("window_funnel: unexpected number of step arguments");
  std::uint32_t mask = 0;
  for (int i = 0; i < count; ++i)
    if (!PG_ARGISNULL(first + i) && PG_GETARG_BOOL(first + i)) mask |= 1u << i;
  return {static_cast<unsigned>(count), mask};
}

// window_funnel transition for all forms; modes_arg < 0 when the form has no modes; the steps are
// a VARIADIC boolean[] at steps_arg when plain_steps is false, else plain booleans from steps_arg on.
// A row of an existing group with the parameters of every earlier row waits in its call site's
// buffer without touching the group's state (see funnel_agg.hpp); other rows take the full path.
Datum funnel_transition(FunctionCallInfo fcinfo, int modes_arg, int ts_arg, int steps_arg, bool plain_steps) {
  MemoryContext context = aggregate_context(fcinfo, "window_funnel");
  FunnelAgg* agg = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<FunnelAgg*>(PG_GETARG_POINTER(0));
  FunnelCallSite* site = FunnelCallSite::of(fcinfo);
  require_not_null(fcinfo, 1, "window_funnel window");
  const Interval* window = PG_GETARG_INTERVAL_P(1);
  Conditions steps = plain_steps ? read_step_args(fcinfo, steps_arg)
                                 : read_conditions(fcinfo, steps_arg, "window_funnel", "step");
  ArrayType* raw_modes = nullptr;
  if (modes_arg >= 0) {
    require_not_null(fcinfo, modes_arg, "window_funnel modes");
    raw_modes = array_arg(fcinfo, modes_arg);
  }
  if (agg != nullptr && site->buffering(context) && site->same_params(*window, steps.count, raw_modes)) {
    if (!PG_ARGISNULL(ts_arg) && (steps.mask != 0 || (site->params.modes & cohort::kStrictOrder) != 0)) {
      if (site->pending.full()) site->pending.flush();
      site->pending.push(agg, PG_GETARG_TIMESTAMPTZ(ts_arg), steps.mask);
    }
  } else {
    cohort::FunnelParams params;
    if (agg != nullptr && window->time == agg->window_raw.time && window->day == agg->window_raw.day &&
        window->month == agg->window_raw.month)
      params.window = agg->state.params().window;  // the group's window, already converted
    else
      params.window = cohort::funnel_window(window->month, window->day, window->time);
    params.steps = steps.count;
    if (raw_modes != nullptr) params.modes = row_modes(raw_modes, agg);
    if (agg == nullptr) {
      agg = create_in<FunnelAgg>(context, context, params, nullptr);
      agg->window_raw = *window;
    } else {
      agg->state.check_same(params);
    }
    if (raw_modes != nullptr && agg->modes_raw == nullptr) cache_modes(agg, raw_modes);
    site->note_params(*window, raw_modes, params);
    if (site->buffering(context)) agg->pending = &site->pending;
    if (!PG_ARGISNULL(ts_arg)) {
      if (agg->pending == nullptr || site->direct) {
        agg->state.add(PG_GETARG_TIMESTAMPTZ(ts_arg), steps.mask);
      } else {
        if (site->pending.full()) site->pending.flush();
        site->pending.push(agg, PG_GETARG_TIMESTAMPTZ(ts_arg), steps.mask);
      }
    }
  }
  check_state_memory(site->rows_seen, context, "window_funnel");
  PG_RETURN_POINTER(agg);
}

// Allocates a bytea of `size` payload bytes in the current memory context.
bytea* new_bytea(std::size_t size) {
  if (size > MaxAllocSize - VARHDRSZ)
    throw SqlError(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "cohort aggregate state is too large to serialize",
                   "A state holds 12 bytes per event; the limit is 1 GB.");
  MemoryContextArena arena(CurrentMemoryContext);
  bytea* out = static_cast<bytea*>(arena.allocate(VARHDRSZ + size));
  SET_VARSIZE(out, VARHDRSZ + size);
  return out;
}

// A bytea argument as a view (detoasted).
std::string_view bytea_arg(FunctionCallInfo fcinfo, int n) {
  Datum d = PG_GETARG_DATUM(n);
  bytea* b = nullptr;
  pg_call([&] { b = DatumGetByteaPP(d); });
  return {VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)};
}

}  // namespace

// window_funnel(window, ts, VARIADIC steps) transition.
COHORT_FUNCTION(cohort_window_funnel_transition) { return funnel_transition(fcinfo, -1, 2, 3, false); }

// window_funnel(window, modes, ts, VARIADIC steps) transition.
COHORT_FUNCTION(cohort_window_funnel_modes_transition) { return funnel_transition(fcinfo, 2, 3, 4, false); }

// window_funnel(window, ts, step1, ..., stepN) transition, N = 2..8 (one function for every arity:
// the steps are the arguments after ts).
COHORT_FUNCTION(cohort_window_funnel_plain_transition) { return funnel_transition(fcinfo, -1, 2, 3, true); }

// window_funnel(window, modes, ts, step1, ..., stepN) transition, N = 2..8.
COHORT_FUNCTION(cohort_window_funnel_modes_plain_transition) { return funnel_transition(fcinfo, 2, 3, 4, true); }

// window_funnel combine: folds state 2 into state 1 (copying state 2 when state 1 is NULL).
COHORT_FUNCTION(cohort_window_funnel_combine) {
  MemoryContext context = aggregate_context(fcinfo, "window_funnel_combine");
  FunnelAgg* a = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<FunnelAgg*>(PG_GETARG_POINTER(0));
  FunnelAgg* b = PG_ARGISNULL(1) ? nullptr : reinterpret_cast<FunnelAgg*>(PG_GETARG_POINTER(1));
  if (b == nullptr) {
    if (a == nullptr) PG_RETURN_NULL();
    PG_RETURN_POINTER(a);
  }
  b->settle();
  if (a == nullptr)
    a = create_in<FunnelAgg>(context, context, b->state.params(), nullptr);
  else
    a->settle();
  a->state.merge(b->state);
  check_state_memory(row_counter(fcinfo), context, "window_funnel", 1);
  PG_RETURN_POINTER(a);
}

// window_funnel serialize: the state as bytea (see FunnelState::serialize).
COHORT_FUNCTION(cohort_window_funnel_serialize) {
  auto* agg = reinterpret_cast<FunnelAgg*>(PG_GETARG_POINTER(0));
  agg->settle();
  bytea* out = new_bytea(agg->state.serialized_size());
  agg->state.serialize(reinterpret_cast<unsigned char*>(VARDATA(out)));
  PG_RETURN_BYTEA_P(out);
}

// window_funnel deserialize: validates every field and length (22P03 otherwise).
COHORT_FUNCTION(cohort_window_funnel_deserialize) {
  MemoryContext context = aggregate_context(fcinfo, "window_funnel_deserialize");
  std::string_view bytes = bytea_arg(fcinfo, 0);
  cohort::FunnelParams params = cohort::FunnelState::read_params(bytes);
  FunnelAgg* agg = create_in<FunnelAgg>(context, context, params, nullptr);
  agg->state.read_events(bytes);
  PG_RETURN_POINTER(agg);
}

// window_funnel final: the level reached (0 for no rows); leaves the state usable.
COHORT_FUNCTION(cohort_window_funnel_final) {
  if (PG_ARGISNULL(0)) PG_RETURN_INT32(0);
  auto* agg = reinterpret_cast<FunnelAgg*>(PG_GETARG_POINTER(0));
  agg->settle();
  check_final_memory(fcinfo, agg->state.result_bytes(), "window_funnel");
  PG_RETURN_INT32(agg->state.result());
}

// sequence_match / sequence_count transition: (state, pattern, ts, VARIADIC conditions). A row
// of an existing group with the pattern and condition count of every earlier row waits in its
// call site's buffer without touching the group's state (see pending_rows.hpp), as for
// window_funnel; other rows take the full path.
COHORT_FUNCTION(cohort_sequence_transition) {
  MemoryContext context = aggregate_context(fcinfo, "sequence_match");
  SequenceAgg* agg = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<SequenceAgg*>(PG_GETARG_POINTER(0));
  SequenceCallSite* site = SequenceCallSite::of(fcinfo);
  require_not_null(fcinfo, 1, "sequence pattern");
  std::string_view pattern = text_arg(fcinfo, 1);
  Conditions conditions = read_conditions(fcinfo, 3, "sequence_match", "condition");
  if (agg != nullptr && site->buffering(context) && site->same_params(pattern, conditions.count)) {
    if (!PG_ARGISNULL(2) && conditions.mask != 0) {  // rows without a true condition are no events
      if (site->pending.full()) site->pending.flush();
      site->pending.push(agg, PG_GETARG_TIMESTAMPTZ(2), conditions.mask);
    }
  } else {
    if (agg == nullptr)
      agg = create_in<SequenceAgg>(context, context, pattern, conditions.count);
    else
      agg->state.check_same(pattern, conditions.count);
    site->note_params(pattern, conditions.count);
    if (site->buffering(context)) agg->pending = &site->pending;
    if (!PG_ARGISNULL(2)) {
      if (agg->pending == nullptr || site->direct) {
        agg->state.add(PG_GETARG_TIMESTAMPTZ(2), conditions.mask);
      } else if (conditions.mask != 0) {
        if (site->pending.full()) site->pending.flush();
        site->pending.push(agg, PG_GETARG_TIMESTAMPTZ(2), conditions.mask);
      }
    }
  }
  check_state_memory(site->rows_seen, context, "sequence_match");
  PG_RETURN_POINTER(agg);
}

// sequence combine: folds state 2 into state 1 (copying state 2 when state 1 is NULL).
COHORT_FUNCTION(cohort_sequence_combine) {
  MemoryContext context = aggregate_context(fcinfo, "sequence_combine");
  SequenceAgg* a = PG_ARGISNULL(0) ? nullptr : reinterpret_cast<SequenceAgg*>(PG_GETARG_POINTER(0));
  SequenceAgg* b = PG_ARGISNULL(1) ? nullptr : reinterpret_cast<SequenceAgg*>(PG_GETARG_POINTER(1));
  if (b == nullptr) {
    if (a == nullptr) PG_RETURN_NULL();
    PG_RETURN_POINTER(a);
  }
  b->settle();
  if (a == nullptr)
    a = create_in<SequenceAgg>(context, context, b->state.pattern(), b->state.conditions());
  else
    a->settle();
  a->state.merge(b->state);
  check_state_memory(row_counter(fcinfo), context, "sequence_match", 1);
  PG_RETURN_POINTER(a);
}

// sequence serialize.
COHORT_FUNCTION(cohort_sequence_serialize) {
  auto* agg = reinterpret_cast<SequenceAgg*>(PG_GETARG_POINTER(0));
  agg->settle();
  bytea* out = new_bytea(agg->state.serialized_size());
  agg->state.serialize(reinterpret_cast<unsigned char*>(VARDATA(out)));
  PG_RETURN_BYTEA_P(out);
}

// sequence deserialize: validates every field and length, and re-parses the pattern.
COHORT_FUNCTION(cohort_sequence_deserialize) {
  MemoryContext context = aggregate_context(fcinfo, "sequence_deserialize");
  std::string_view bytes = bytea_arg(fcinfo, 0);
  PG_RETURN_POINTER(create_in<SequenceAgg>(context, context, bytes));
}

// sequence_match final: false for no rows.
COHORT_FUNCTION(cohort_sequence_match_final) {
  if (PG_ARGISNULL(0)) PG_RETURN_BOOL(false);
  auto* agg = reinterpret_cast<SequenceAgg*>(PG_GETARG_POINTER(0));
  agg->settle();
  check_final_memory(fcinfo, agg->state.result_bytes(), "sequence_match");
  PG_RETURN_BOOL(agg->state.match());
}

// sequence_count final: 0 for no rows.
COHORT_FUNCTION(cohort_sequence_count_final) {
  if (PG_ARGISNULL(0)) PG_RETURN_INT64(0);
  auto* agg = reinterpret_cast<SequenceAgg*>(PG_GETARG_POINTER(0));
  agg->settle();
  check_final_memory(fcinfo, agg->state.result_bytes(), "sequence_count");
  PG_RETURN_INT64(static_cast<int64>(agg->state.count()));
}

// retention transition: (packed state, VARIADIC conditions) -> packed state.
COHORT_FUNCTION(cohort_retention_transition) {
  auto state = cohort::RetentionState::unpack(PG_GETARG_INT64(0));
  Conditions c = read_conditions(fcinfo, 1, "retention", "condition");
  state.add(c.count, c.mask);
  PG_RETURN_INT64(state.pack());
}

// retention combine (strict: both states are never NULL).
COHORT_FUNCTION(cohort_retention_combine) {
  auto state = cohort::RetentionState::unpack(PG_GETARG_INT64(0));
  state.merge(cohort::RetentionState::unpack(PG_GETARG_INT64(1)));
  PG_RETURN_INT64(state.pack());
}

// retention final: integer[] of 0/1, or NULL when the group had no rows.
COHORT_FUNCTION(cohort_retention_final) {
  auto state = cohort::RetentionState::unpack(PG_GETARG_INT64(0));
  if (state.empty()) PG_RETURN_NULL();
  std::vector<int> values = state.result();
  Datum items[cohort::kMaxConditions];
  for (std::size_t i = 0; i < values.size(); ++i) items[i] = Int32GetDatum(values[i]);
  int count = static_cast<int>(values.size());
  ArrayType* out = nullptr;
  pg_call([&] { out = construct_array(items, count, INT4OID, sizeof(int32), true, TYPALIGN_INT); });
  PG_RETURN_ARRAYTYPE_P(out);
}
