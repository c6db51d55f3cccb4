// Scans of the events and customers relations, by the executor (SPI) or directly page by page.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/candidate_users.hpp"
#include "core/program.hpp"
#include "core/row_relevance.hpp"
#include "pg/batches.hpp"
#include "pg/guard.hpp"
#include "pg/page_set.hpp"
#include "pg/row_policy.hpp"

namespace cohort::pg {

// What the events scan must deliver.
struct EventScanSpec {
  Oid relid = InvalidOid;
  TimestampTz as_of = 0;
  bool every_event = false;  // true: every row up to as_of (the universe); false: program events only
  bool has_lower_bound = false;  // rows before lower_bound cannot matter (every leaf has a window)
  TimestampTz lower_bound = 0;
  ParallelTableScanDesc parallel_scan = nullptr;  // set: take part in this parallel heap scan
  // Set: the pages to read, decided already (the participants of a parallel scan share the
  // leader's set instead of each asking the BRIN index); otherwise a direct scan with a lower
  // bound asks the index itself.
  const PageSet* pages = nullptr;
  // Set (only without every_event): rows that feed no accumulator are dropped too.
  const RowRelevance* relevance = nullptr;
  // Set: a partitioned table's parts (or an inheritance tree's tables) are taken one at a time
  // from this counter, which the participants of a parallel evaluation share, each part read
  // whole by the participant that takes it.
  pg_atomic_uint64* next_part = nullptr;
  // Set (parallel participants): the tables to read, as the leader listed them (one: the relation
  // itself, whose pages the participants share; several: parts taken by their index in this list
  // from next_part). Listed again in each participant, a constraint validated, a partition
  // attached or a child added meanwhile (none conflicts with our locks) could make them differ.
  const std::vector<Oid>* parts = nullptr;
  // Set with `parts`: the row-level security policies the leader decided for the caller (an
  // empty list: none), which every participant checks instead of deciding them again.
  const RowPolicies* policies = nullptr;
};

// What takes each batch of an events scan (it may throw; the scan then stops).
using BatchConsumer = std::function<void(const EventBatch&)>;

// A source of event batches.
class EventSource {
 public:
  virtual ~EventSource() = default;
  // Hands every batch of rows, in turn, to `consume`: each in `batch`, its texts allocated in
  // `batch_context`, which is reset between batches. `consume` runs in the caller's memory
  // context. The executor's source calls it from inside its query's run (so that the query runs
  // in one call and may use parallel workers): there, in parallel mode, it must not run SPI,
  // write, change settings or start subtransactions, and its errors end the query.
  virtual void for_each_batch(EventBatch& batch, MemoryContext batch_context, const BatchConsumer& consume) = 0;
  // Releases the scan (on the normal path; an error path leaves it to transaction abort).
  virtual void close() = 0;
  // "direct" or "executor", for EXPLAIN-like reporting and tests.
  virtual const char* kind() const = 0;
  // The relation a direct scan reads (the events relation, or the table behind a view of it);
  // InvalidOid for the executor's scan.
  virtual Oid read_relid() const { return InvalidOid; }
  // True for a direct scan that parallel workers can share: of one table (its pages handed out),
  // or of several (reads_parts(): the tables handed out whole).
  virtual bool is_direct() const = 0;
  // True when the scan reads several tables (partitions, inheritance children) one after another.
  virtual bool reads_parts() const { return false; }
  // The tables of those parts, in the order they are handed out (empty for one table).
  virtual std::vector<Oid> part_relids() const { return {}; }
  // Pages of the events left unread because an index ruled them out (direct scans).
  virtual uint64_t pages_skipped() const { return 0; }
  // Pages of the events pinned by a guessed buffer, without a buffer-mapping lookup (direct scans).
  virtual uint64_t pages_guessed() const { return 0; }
  // Pages a serial direct scan will read, asking the index first where it applies (direct scans).
  virtual uint64_t pages_to_read() { return 0; }
  // The caller's row-level security policies that a direct scan checks on each row (nullptr: none).
  virtual const RowPolicies* row_policies() const { return nullptr; }
  // The pages the scan reads, deciding them first where pages_to_read() or a batch has not (direct
  // scans of one table, asking the index as pages_to_read() does; nullptr otherwise).
  virtual const PageSet* page_set() { return nullptr; }
};

// The customers columns a scan delivers besides user_id: numeric attributes and risk_level text.
struct CustomerColumns {
  std::vector<std::string> attributes;
  bool risk_level = false;
};

// The customers columns `program` reads.
inline CustomerColumns customer_columns(const Program& program) {
  return {program.attributes(), program.needs_risk_level()};
}

// What takes each batch of a customers scan (it may throw; the scan then stops).
using CustomerConsumer = std::function<void(const CustomerBatch&)>;

// A source of customers batches.
class CustomerSource {
 public:
  virtual ~CustomerSource() = default;
  // From now on, rows of users `candidates` rules out may be left out of the batches (they are
  // members of no definition); nullptr: every row. `candidates` must outlive the scan.
  void only_candidates(const CandidateUsers* candidates) { candidates_ = candidates; }
  // Hands every batch of rows, in turn, to `consume`, as EventSource::for_each_batch does (the
  // same memory contexts, and the same limits on `consume` inside the executor's query).
  virtual void for_each_batch(CustomerBatch& batch, MemoryContext batch_context, const CustomerConsumer& consume) = 0;
  // Releases the scan (on the normal path; an error path leaves it to transaction abort).
  virtual void close() = 0;
  // "direct" or "executor".
  virtual const char* kind() const = 0;
  // Whether the scan reads table `relid` itself and no other (directly: no child, no partition).
  virtual bool reads_only(Oid relid) const { return false; }

 protected:
  const CandidateUsers* candidates_ = nullptr;
};

// Opens the events relation: directly when possible, through the executor otherwise.
std::unique_ptr<EventSource> open_events(const Program& program, const EventScanSpec& spec);

// Opens the customers relation: directly when possible, through the executor otherwise.
std::unique_ptr<CustomerSource> open_customers(const CustomerColumns& columns, Oid relid);

}  // namespace cohort::pg
