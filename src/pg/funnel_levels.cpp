// cohort.funnel_levels(events, window_size, steps[], as_of): window_funnel's level for every user
// with step events, from one scan of the events (direct or executor, as cohort.evaluate reads
// them) and one sort, instead of a hash aggregate's random per-user state.
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/funnel.hpp"
#include "core/funnel_levels.hpp"
#include "core/program.hpp"
#include "pg/guard.hpp"
#include "pg/memory_arena.hpp"
#include "pg/scoped_context.hpp"
#include "pg/settings.hpp"
#include "pg/sources.hpp"
#include "pg/spi_connection.hpp"
#include "pg/text_datum.hpp"

namespace {

constexpr std::size_t kBatchRows = 4096;

// Raises 22004 when argument n is NULL.
void require_argument(FunctionCallInfo fcinfo, int n, const char* name) {
  if (PG_ARGISNULL(n))
    throw cohort::pg::SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                               std::string("argument \"") + name + "\" of cohort.funnel_levels must not be NULL");
}

// The step names of argument 2 (22004 for a NULL step).
std::vector<std::string> read_steps(FunctionCallInfo fcinfo) {
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  Datum array = PG_GETARG_DATUM(2);
  cohort::pg::pg_call([&] { deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count); });
  std::vector<std::string> steps;
  for (int i = 0; i < count; ++i) {
    if (nulls[i])
      throw cohort::pg::SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "funnel step " + std::to_string(i + 1) + " is NULL");
    steps.push_back(cohort::pg::text_to_string(elems[i]));
  }
  return steps;
}

// A program whose only events are the step names, so that its events scan delivers exactly the
// step rows (up to as_of, with non-NULL user and time).
cohort::Program step_program(const std::vector<std::string>& steps) {
  std::vector<cohort::Node> leaves;
  for (const std::string& name : steps) {
    cohort::Node leaf;
    leaf.kind = cohort::NodeKind::Performed;
    leaf.behaviour.event = name;
    leaf.behaviour.value = 1;
    leaves.push_back(std::move(leaf));
  }
  return cohort::Program::compile(cohort::Node::group(cohort::NodeKind::Any, std::move(leaves)));
}

// Raises 53200 when the collected rows outgrow cohort.state_memory_limit.
void check_memory(const cohort::FunnelLevels& levels) {
  std::size_t limit = cohort::pg::state_memory_limit_bytes();
  if (levels.bytes() > limit)
    throw cohort::pg::SqlError(ERRCODE_OUT_OF_MEMORY,
                               "cohort.funnel_levels needs more than " + std::to_string(limit / 1024) +
                                   " kB for its step rows (about 28 bytes each)",
                               {}, "Raise cohort.state_memory_limit (or work_mem, whose 64-fold is the default limit).");
}

}  // namespace

COHORT_FUNCTION(cohort_funnel_levels) {
  require_argument(fcinfo, 0, "events");
  require_argument(fcinfo, 1, "window_size");
  require_argument(fcinfo, 2, "steps");
  require_argument(fcinfo, 3, "as_of");
  const Interval* window = PG_GETARG_INTERVAL_P(1);
  std::vector<std::string> steps = read_steps(fcinfo);
  cohort::check_step_count(steps.size(), "funnel_levels", "step");
  cohort::FunnelParams params;
  params.window = cohort::funnel_window(window->month, window->day, window->time);
  params.steps = static_cast<uint32_t>(steps.size());
  cohort::Program program = step_program(steps);
  std::vector<uint32_t> masks(program.events().size(), 0);
  for (std::size_t k = 0; k < steps.size(); ++k) masks[program.event_index(steps[k])] |= 1u << k;

  cohort::pg::EventScanSpec spec;
  spec.relid = PG_GETARG_OID(0);
  spec.as_of = PG_GETARG_TIMESTAMPTZ(3);
  spec.every_event = false;
  std::vector<std::pair<int64_t, int>> results;
  {
    cohort::pg::ScopedContext state_context("cohort funnel levels");
    cohort::pg::ScopedContext batch_context("cohort funnel levels batch");
    cohort::pg::MemoryContextArena arena(state_context.get());
    cohort::FunnelLevels levels(params, arena);
    cohort::pg::SpiConnection spi;
    std::unique_ptr<cohort::pg::EventSource> source = cohort::pg::open_events(program, spec);
    cohort::pg::EventBatch batch;
    batch.reserve(kBatchRows, program.properties().size(), program.filters().size());
    while (true) {
      batch_context.reset();
      if (!source->next(batch, batch_context.get())) break;
      for (std::size_t r = 0; r < batch.rows; ++r)
        if (batch.events[r] >= 0) levels.add(batch.users[r], batch.ts[r], masks[batch.events[r]]);
      check_memory(levels);
    }
    source->close();
    spi.finish();
    levels.finish([&](int64_t user, int level) { results.emplace_back(user, level); });
  }
  cohort::pg::pg_call([&] {
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (std::size_t i = 0; i < results.size(); ++i) {
      Datum values[2] = {Int64GetDatum(results[i].first), Int32GetDatum(results[i].second)};
      bool nulls[2] = {false, false};
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
      if ((i & 4095) == 0) CHECK_FOR_INTERRUPTS();
    }
  });
  return (Datum)0;
}
