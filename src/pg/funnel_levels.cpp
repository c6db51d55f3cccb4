// cohort.funnel_levels(events, window_size, steps[], as_of): window_funnel's level for every user
// with step events, from one scan of the events (direct or executor, as cohort.evaluate reads
// them) and a counting sort per bucket of users, instead of a hash aggregate's random per-user
// state; once the rows outgrow cohort.state_memory_limit, the buckets wait in a temporary file.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/funnel.hpp"
#include "core/funnel_levels.hpp"
#include "core/program.hpp"
#include "pg/bucket_file.hpp"
#include "pg/guard.hpp"
#include "pg/memory_arena.hpp"
#include "pg/scoped_context.hpp"
#include "pg/settings.hpp"
#include "pg/sources.hpp"
#include "pg/spi_connection.hpp"
#include "pg/step_sort.hpp"
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

// The function's result rows, written to its tuplestore (which stays within work_mem and spills
// beyond it) a batch at a time, so that they need not all be held first.
class ResultRows {
 public:
  // Sets the call up to return a materialized set (before SPI connects: the tuplestore lives in
  // the query's memory).
  explicit ResultRows(FunctionCallInfo fcinfo) {
    cohort::pg::pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    rsinfo_ = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    pending_.reserve(kBatchRows);
  }
  // Adds one user's level.
  void add(int64_t user, int level) {
    pending_.emplace_back(user, level);
    if (pending_.size() == kBatchRows) flush();
  }
  // Writes the pending rows.
  void flush() {
    cohort::pg::pg_call([&] {
      for (std::size_t i = 0; i < pending_.size(); ++i) {
        Datum values[2] = {Int64GetDatum(pending_[i].first), Int32GetDatum(pending_[i].second)};
        bool nulls[2] = {false, false};
        tuplestore_putvalues(rsinfo_->setResult, rsinfo_->setDesc, values, nulls);
      }
      CHECK_FOR_INTERRUPTS();
    });
    pending_.clear();
  }

 private:
  ReturnSetInfo* rsinfo_ = nullptr;
  std::vector<std::pair<int64_t, int>> pending_;
};

// Raises 53200 when one user's step rows, held together to compute its level from the sorted
// rows, outgrow cohort.state_memory_limit.
void check_run(const cohort::SortedRunLevels& runs, std::size_t limit) {
  if (runs.bytes() > limit)
    throw cohort::pg::SqlError(ERRCODE_OUT_OF_MEMORY,
                               "cohort.funnel_levels needs more than " + std::to_string(limit / 1024) +
                                   " kB for the step rows of one user (12 bytes each)",
                               {}, "Raise cohort.state_memory_limit (or work_mem, whose 64-fold is the default limit).");
}

// Writes a DEBUG1 message.
void debug(const char* message) {
  cohort::pg::pg_call([&] { ereport(DEBUG1, (errmsg_internal("%s", message))); });
}

// Checks for interrupts (between buckets of the in-memory levels).
void check_interrupts() {
  cohort::pg::pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

// Sorts `sort` and calls emit(user key, level) for every user key in it, one user's run at a time.
template <typename Emit>
void level_sorted(cohort::pg::StepSort& sort, const cohort::FunnelParams& params, cohort::Arena& arena,
                  std::size_t limit, Emit&& emit) {
  sort.sort();
  cohort::SortedRunLevels runs(params, arena);
  std::vector<int64_t> users;
  std::vector<cohort::TimedEvent> events;
  while (sort.next(kBatchRows, users, events)) {
    for (std::size_t i = 0; i < users.size(); ++i) runs.add(users[i], events[i], emit);
    check_run(runs, limit);
  }
  runs.finish(emit);
  sort.end();
}

// Calls f(user index, event) for every row of bucket `b` in `file`.
template <typename F>
void for_each_file_row(const cohort::FunnelLevels& levels, cohort::pg::BucketFile& file, std::uint32_t b, F&& f) {
  using Row = cohort::FunnelLevels::Row;
  file.read(b, [&](const void* data, std::size_t bytes) {
    const auto* rows = static_cast<const Row*>(data);
    for (std::size_t i = 0; i < bytes / sizeof(Row); ++i) f(cohort::FunnelLevels::user_of(rows[i], b), levels.event_of(rows[i]));
  });
}

// The levels of every user once the rows went to `file` (the held ones too: end_spill()):
// bucket by bucket, read back (into one chunk of its size) and levelled in memory, or, when a
// bucket's rows and their regrouped copy (24 bytes a row) with the users and the read buffer would
// outgrow cohort.state_memory_limit, sorted by user index within work_mem.
void level_spilled(cohort::FunnelLevels& levels, cohort::pg::BucketFile& file, const cohort::FunnelParams& params,
                   cohort::Arena& arena, MemoryContext context, std::size_t limit) {
  using Row = cohort::FunnelLevels::Row;
  levels.end_spill();
  bool told = false;
  for (std::uint32_t b = 0; b < cohort::FunnelLevels::kBuckets; ++b) {
    const std::size_t rows = file.bytes(b) / sizeof(Row);
    if (levels.reload_bytes(rows) + file.largest_piece() <= limit) {  // the read buffer too
      levels.reserve(b, rows);
      file.read(b, [&](const void* data, std::size_t bytes) {
        levels.append(b, static_cast<const Row*>(data), bytes / sizeof(Row));
      });
      levels.level_bucket(b);
      continue;
    }
    if (!told) debug("cohort.funnel_levels: a bucket of step rows beyond cohort.state_memory_limit, sorting it within work_mem");
    told = true;
    cohort::pg::StepSort sort(context);
    for_each_file_row(levels, file, b, [&](std::uint32_t user, const cohort::TimedEvent& event) { sort.add(user, event); });
    level_sorted(sort, params, arena, limit, [&](int64_t user, int level) {
      levels.set_level(static_cast<std::uint32_t>(user), level);
    });
  }
  file.close();
}

// Hands every row (all in `file` after end_spill()) to `sort` by user id, once the users alone
// outgrow cohort.state_memory_limit.
void sort_all_rows(cohort::FunnelLevels& levels, cohort::pg::BucketFile& file, cohort::pg::StepSort& sort) {
  levels.end_spill();
  for (std::uint32_t b = 0; b < cohort::FunnelLevels::kBuckets; ++b)
    for_each_file_row(levels, file, b, [&](std::uint32_t user, const cohort::TimedEvent& event) {
      sort.add(levels.user_id(user), event);
    });
  file.close();
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
  ResultRows results(fcinfo);
  {
    cohort::pg::ScopedContext state_context("cohort funnel levels");
    cohort::pg::ScopedContext batch_context("cohort funnel levels batch");
    cohort::pg::MemoryContextArena arena(state_context.get());
    // The rows in memory until they outgrow cohort.state_memory_limit; then every bucket's rows
    // go to a temporary file a block at a time (and come back one bucket at a time); if the users
    // alone outgrow the limit too, all rows go to a sort by user id within work_mem.
    std::optional<cohort::FunnelLevels> levels(std::in_place, params, masks, arena);
    std::optional<cohort::pg::BucketFile> file;
    std::optional<cohort::pg::StepSort> sort;
    const std::size_t limit = cohort::pg::state_memory_limit_bytes();
    cohort::pg::SpiConnection spi;
    std::unique_ptr<cohort::pg::EventSource> source = cohort::pg::open_events(program, spec);
    cohort::pg::EventBatch batch;
    batch.reserve(kBatchRows, program.properties().size(), program.filters().size());
    source->for_each_batch(batch, batch_context.get(), [&](const cohort::pg::EventBatch& in) {
      if (sort) {
        for (std::size_t r = 0; r < in.rows; ++r)
          if (in.events[r] >= 0) sort->add(in.users[r], cohort::TimedEvent{in.ts[r], masks[in.events[r]]});
        return;
      }
      for (std::size_t r = 0; r < in.rows; ++r)
        if (in.events[r] >= 0) levels->add(in.users[r], in.ts[r], static_cast<uint32_t>(in.events[r]));
      if (!file && levels->bytes() > limit) {
        debug("cohort.funnel_levels: step rows beyond cohort.state_memory_limit, writing them to a temporary file by user");
        file.emplace(state_context.get(), cohort::FunnelLevels::kBuckets);
        levels->spill([&](std::uint32_t b, const cohort::FunnelLevels::Row* rows, std::size_t n) {
          file->write(b, rows, n * sizeof(cohort::FunnelLevels::Row));
        });
      }
      if (file && levels->user_bytes() > limit) {
        debug("cohort.funnel_levels: users beyond cohort.state_memory_limit, sorting every step row within work_mem");
        sort.emplace(state_context.get());
        sort_all_rows(*levels, *file, *sort);
        levels.reset();
        file.reset();
      }
    });
    source->close();
    spi.finish();
    const auto emit = [&](int64_t user, int level) { results.add(user, level); };
    if (sort) {
      level_sorted(*sort, params, arena, limit, emit);  // users in ascending id order
    } else if (file) {
      level_spilled(*levels, *file, params, arena, state_context.get(), limit);
      levels->emit_levels(emit);
    } else {
      levels->finish(emit, check_interrupts);
    }
  }
  results.flush();
  return (Datum)0;
}
