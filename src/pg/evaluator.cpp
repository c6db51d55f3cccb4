// One pass over the events (feeding every accumulator), then one over the customers.
#include "pg/evaluator.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "core/flat_decisions.hpp"
#include "core/membership_masks.hpp"
#include "core/user_table.hpp"
#include "pg/event_folding.hpp"
#include "pg/member_statistics.hpp"
#include "pg/memory_arena.hpp"
#include "pg/parallel_events.hpp"
#include "pg/scoped_context.hpp"
#include "pg/spi_connection.hpp"
#include "pg/sources.hpp"
#include "pg/unique_users.hpp"

namespace cohort::pg {
namespace {

constexpr std::size_t kBatchRows = 4096;
// Customers rows twice this many places ahead have their users' hash entries prefetched, and this
// many places ahead their slots.
constexpr std::size_t kPrefetchDistance = 8;

// Lower ts bound of each window: as_of - make_interval(days => N), in the session time zone.
std::vector<int64_t> window_bounds(const Program& program, TimestampTz as_of) {
  std::vector<int64_t> bounds(program.window_days().size());
  pg_call([&] {
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      Interval span{};
      span.day = program.window_days()[i];
      bounds[i] = DatumGetTimestampTz(
          DirectFunctionCall2(timestamptz_mi_interval, TimestampTzGetDatum(as_of), IntervalPGetDatum(&span)));
    }
  });
  return bounds;
}

// Whether a user whose events feed no accumulator (all slots zero, as for a user without events)
// is a member of any compiled definition: only then must every events row register its user.
bool idle_user_can_match(const Program& program) {
  std::vector<double> zero(static_cast<std::size_t>(program.slots_per_user()) + 1, 0.0);
  for (std::size_t d = 0; d < program.definitions(); ++d)
    if (program.matches(d, zero.data(), nullptr)) return true;
  return false;
}

// Reads the events into `table`.
void scan_events(const Program& program, const EvaluationInput& input, const std::vector<int64_t>& bounds,
                 UserTable& table, ScopedContext& batch_context, EvaluationReport& report) {
  EventScanSpec spec;
  spec.relid = input.events;
  spec.as_of = input.as_of;
  // The universe is the users with events; a user none of whose rows feeds an accumulator can only
  // be a member when a zero state matches, so otherwise the other rows need not be read.
  spec.every_event = input.customers == InvalidOid && idle_user_can_match(program);
  // Without the whole universe to find, rows older than every window cannot change any accumulator.
  const auto& accs = program.accumulators();
  spec.has_lower_bound = !spec.every_event && !accs.empty() &&
                         std::all_of(accs.begin(), accs.end(), [](const AccumulatorSpec& a) { return a.window >= 0; });
  if (spec.has_lower_bound) spec.lower_bound = *std::min_element(bounds.begin(), bounds.end());
  // Likewise, a row that feeds no accumulator (another accumulator's window or filters) is dropped.
  const RowRelevance relevance(program, bounds);
  if (!spec.every_event) spec.relevance = &relevance;
  std::unique_ptr<EventSource> source = open_events(program, spec);
  report.events_scan = source->kind();
  // Workers are sized by the pages the scan will read (after a BRIN index on ts rules some out).
  int workers = source->is_direct() ? parallel_workers_for(source->read_relid(), *source) : 0;
  if (workers > 0) {
    // A table's pages are decided once, for every participant; several tables are handed out whole.
    // The tables too: listed again in each participant, a child added or a constraint validated
    // meanwhile could make the lists differ.
    // So are the row-level security policies: every participant checks the leader's.
    std::optional<PageSet> pages;
    std::vector<Oid> parts = {source->read_relid()};
    if (source->reads_parts())
      parts = source->part_relids();
    else
      pages = *source->page_set();
    const RowPolicies policies = source->row_policies() != nullptr ? *source->row_policies() : RowPolicies{};
    source->close();
    ParallelFold fold = fold_events_parallel(program, spec, bounds, workers, pages ? &*pages : nullptr, parts, policies,
                                             table, batch_context.get());
    report.events_scan = "direct parallel";
    report.workers_planned = fold.planned;
    report.workers_launched = fold.launched;
    report.event_rows += fold.rows;
    report.state_bytes = fold.worker_state_bytes;
    report.pages_skipped = fold.pages_skipped;
    report.pages_guessed = fold.pages_guessed;
    return;
  }
  StateBudget budget;
  report.event_rows += fold_events(*source, table, batch_context.get(), budget);
  report.pages_skipped = source->pages_skipped();
  report.pages_guessed = source->pages_guessed();
  source->close();
}

// The memberships of every user of `table` for a program whose definitions read no customers
// column, their bytes charged with the table's against cohort.state_memory_limit (before they are
// built) and counted in the report.
std::unique_ptr<MembershipMasks> charged_masks(const Program& program, const UserTable& table,
                                               EvaluationReport& report) {
  const std::size_t bytes = MembershipMasks::bytes_for(program, table);
  StateBudget budget;
  budget.charge_bytes(table.bytes() + bytes, table.size());
  report.state_bytes += bytes;
  return std::make_unique<MembershipMasks>(program, table);
}

// Sorts each member list; lists taken in the customers' physical order are often sorted already
// (ids loaded in order), and are only checked.
void sort_each(std::vector<std::vector<int64_t>>& members) {
  for (auto& m : members)
    if (!std::is_sorted(m.begin(), m.end())) std::sort(m.begin(), m.end());
}

// Reads `columns` of the customers (at least those `program` reads, in its attribute order
// first): calls opened(source) once the source is open (the relation's privileges checked, the
// tables it reads locked), then matched(d, batch, r) for each row r that makes definition d match.
template <typename Opened, typename Matched>
void scan_customers(const Program& program, const EvaluationInput& input, const CustomerColumns& columns,
                    const UserTable& table, Arena& arena, ScopedContext& batch_context, EvaluationReport& report,
                    Opened&& opened, Matched&& matched) {
  // Definitions that read no customers column are decided per user in one pass over the table.
  std::unique_ptr<MembershipMasks> masks;
  // Otherwise the customers rows of users whose events rule out every definition are skipped
  // before their attributes are read.
  std::unique_ptr<CandidateUsers> candidates;
  if (!program.needs_customers()) {
    masks = charged_masks(program, table, report);
  } else {
    candidates = std::make_unique<CandidateUsers>(program, table, arena);
    StateBudget budget;  // the bits count with the table against the state limit
    budget.charge_bytes(table.bytes() + candidates->bytes(), table.size());
    report.state_bytes += candidates->bytes();
  }
  std::unique_ptr<CustomerSource> source = open_customers(columns, input.customers);
  opened(static_cast<const CustomerSource&>(*source));
  source->only_candidates(candidates && !candidates->everyone() ? candidates.get() : nullptr);
  report.customers_scan = source->kind();
  CustomerBatch batch;
  batch.reserve(kBatchRows, columns.attributes.size());
  const std::size_t A = batch.attrs;
  const bool prefetch = table.size() > 0;  // rows look their users up in the table
  source->for_each_batch(batch, batch_context.get(), [&](const CustomerBatch& in) {
    for (std::size_t r = 0; r < in.rows; ++r) {
      if (prefetch && r + 2 * kPrefetchDistance < in.rows) table.prefetch(in.users[r + 2 * kPrefetchDistance]);
      if (prefetch && !masks && r + kPrefetchDistance < in.rows) table.prefetch_slots(in.users[r + kPrefetchDistance]);
      if (masks) {
        const uint64_t* bits = masks->of(in.users[r]);
        for (std::size_t w = 0; w < masks->words(); ++w)
          for (uint64_t word = bits[w]; word != 0; word &= word - 1)
            matched(w * 64 + static_cast<std::size_t>(__builtin_ctzll(word)), in, r);
        continue;
      }
      CustomerRow c;
      c.numbers = in.numbers.data() + r * A;
      c.nulls = reinterpret_cast<const bool*>(in.nulls.data() + r * A);
      c.risk_level_null = in.risk_null[r] != 0;
      c.risk_level = in.risk[r];
      const double* slots = prefetch ? table.find(in.users[r]) : nullptr;  // none without events
      for (std::size_t d = 0; d < program.definitions(); ++d)
        if (program.matches(d, slots, &c)) matched(d, in, r);
    }
  });
  source->close();
}

}  // namespace

std::vector<int64_t> evaluate_members(const Program& program, const EvaluationInput& input,
                                      EvaluationReport* report_out) {
  return std::move(evaluate_members_each(program, input, report_out).at(0));
}

namespace {

// Folds the events into a per-user table for `program`, then has `decide(table, arena,
// batch_context, report)` read it (and the customers) while the sources' SPI connection is open.
template <typename Decide>
void evaluate_with_table(const Program& program, const EvaluationInput& input, EvaluationReport* report_out,
                         Decide&& decide) {
  EvaluationReport report = {"none", "none", 0, 0, 0, 0, 0, 0, 0};
  ScopedContext state_context("cohort evaluation");
  ScopedContext batch_context("cohort evaluation batch");
  MemoryContextArena arena(state_context.get());
  {
    UserTable table(program, arena);
    std::vector<int64_t> bounds = window_bounds(program, input.as_of);
    table.set_window_bounds(bounds);
    SpiConnection spi;
    if (input.customers == InvalidOid || !program.events().empty())
      scan_events(program, input, bounds, table, batch_context, report);
    table.finish();
    decide(static_cast<const UserTable&>(table), arena, batch_context, report);
    spi.finish();
    report.users = table.size();
    report.state_bytes += table.bytes();
  }
  if (report_out) *report_out = report;
}

// Statistics of definitions that read customers columns. The evaluation's customers scan reads
// each row's churn score and risk level too. Where that scan reads the customers relation itself
// and nothing else (directly: no child, no partition) and a unique index proves one row per user
// (decided once the scan has checked the privileges and locked the relation), a matching row is
// all its user has: it is folded there and then. Otherwise the members are listed, and one more
// scan folds every customers row of each.
std::vector<RiskCounts> statistics_reading_customers(const Program& program, const EvaluationInput& input,
                                                     EvaluationReport* report_out) {
  CustomerColumns columns = customer_columns(program);
  columns.risk_level = true;
  auto& attrs = columns.attributes;
  const auto churn = static_cast<std::size_t>(std::find(attrs.begin(), attrs.end(), "churn_score") - attrs.begin());
  if (churn == attrs.size()) attrs.push_back("churn_score");
  std::vector<RiskCounts> stats(program.definitions());
  std::vector<std::vector<int64_t>> members(program.definitions());
  bool one_scan = false;
  EvaluationReport report;  // the caller's only once the statistics are computed
  evaluate_with_table(program, input, &report,
                      [&](const UserTable& table, Arena& arena, ScopedContext& batch_context, EvaluationReport& r) {
                        scan_customers(
                            program, input, columns, table, arena, batch_context, r,
                            [&](const CustomerSource& source) {
                              one_scan = source.reads_only(input.customers) && user_ids_unique(input.customers);
                            },
                            [&](std::size_t d, const CustomerBatch& in, std::size_t row) {
                              if (!one_scan) {
                                members[d].push_back(in.users[row]);
                                return;
                              }
                              const std::size_t at = row * in.attrs + churn;
                              std::optional<double> score;
                              if (!in.nulls[at]) score = in.numbers[at];
                              stats[d].add_level(in.risk_null[row] ? -1 : in.risk[row], score);
                            });
                      });
  if (!one_scan) {
    sort_each(members);
    stats = member_statistics(members, input.customers);
  }
  if (report_out) *report_out = report;
  return stats;
}

}  // namespace

std::vector<std::vector<int64_t>> evaluate_members_each(const Program& program, const EvaluationInput& input,
                                                        EvaluationReport* report_out) {
  std::vector<std::vector<int64_t>> members(program.definitions());
  evaluate_with_table(program, input, report_out,
                      [&](const UserTable& table, Arena& arena, ScopedContext& batch_context, EvaluationReport& report) {
                        if (input.customers == InvalidOid) {
                          // In the table's memory order (members are sorted below).
                          const FlatDecisions decisions(program);
                          std::vector<uint64_t> bits((members.size() + 63) / 64);
                          table.for_each_entry([&](std::size_t, int64_t user, const double* slots) {
                            std::fill(bits.begin(), bits.end(), 0);
                            decisions.match_all(slots, bits.data());
                            for (std::size_t d = 0; d < members.size(); ++d)
                              if (bits[d / 64] >> (d % 64) & 1) members[d].push_back(user);
                          });
                        } else {
                          scan_customers(
                              program, input, customer_columns(program), table, arena, batch_context, report,
                              [](const CustomerSource&) {},
                              [&](std::size_t d, const CustomerBatch& in, std::size_t r) { members[d].push_back(in.users[r]); });
                        }
                      });
  sort_each(members);
  return members;
}

std::vector<RiskCounts> evaluate_statistics(const Program& program, const EvaluationInput& input,
                                            EvaluationReport* report_out) {
  if (input.customers != InvalidOid && !program.needs_customers()) {
    // Memberships are decided per user: one customers scan folds every member's rows.
    std::vector<RiskCounts> stats;
    evaluate_with_table(program, input, report_out,
                        [&](const UserTable& table, Arena&, ScopedContext& batch_context, EvaluationReport& report) {
                          std::unique_ptr<MembershipMasks> masks = charged_masks(program, table, report);
                          stats = member_statistics(*masks, program.definitions(), input.customers, batch_context,
                                                    report.customers_scan);
                        });
    return stats;
  }
  if (input.customers != InvalidOid) return statistics_reading_customers(program, input, report_out);
  // Without customers, only the distinct members count. The report is the caller's only once the
  // statistics are computed, as on the paths above.
  EvaluationReport report;
  std::vector<std::vector<int64_t>> members = evaluate_members_each(program, input, &report);
  std::vector<RiskCounts> stats(members.size());
  for (std::size_t d = 0; d < members.size(); ++d)
    stats[d].rows = static_cast<double>(std::unique(members[d].begin(), members[d].end()) - members[d].begin());
  if (report_out) *report_out = report;
  return stats;
}

}  // namespace cohort::pg
