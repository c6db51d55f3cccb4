// Parallel folding of the events: a ParallelContext whose workers join the leader's heap scan (or
// take whole tables of a partitioned relation) and send their per-user tables back through
// shared-memory queues.
#include "pg/parallel_events.hpp"

#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/binary_format.hpp"
#include "pg/event_folding.hpp"
#include "pg/heap_sources.hpp"
#include "pg/memory_arena.hpp"
#include "pg/scoped_context.hpp"

namespace cohort::pg {
namespace {

// Keys of the shared memory table of contents.
constexpr uint64 kKeyHeader = UINT64CONST(0xC0407E0000000001);
constexpr uint64 kKeyBounds = UINT64CONST(0xC0407E0000000002);
constexpr uint64 kKeyDefinitions = UINT64CONST(0xC0407E0000000003);
constexpr uint64 kKeyScan = UINT64CONST(0xC0407E0000000004);
constexpr uint64 kKeyQueues = UINT64CONST(0xC0407E0000000005);
constexpr uint64 kKeyPages = UINT64CONST(0xC0407E0000000006);
constexpr uint64 kKeyParts = UINT64CONST(0xC0407E0000000007);
constexpr uint64 kKeyPolicies = UINT64CONST(0xC0407E0000000008);

constexpr Size kQueueBytes = 64 * 1024;  // per worker, as PostgreSQL's own tuple queues
constexpr std::size_t kChunkBytes = 32 * 1024;

// What every participant needs besides the scan: the spec and the layout of the other entries.
struct SharedHeader {
  Oid relid;
  bool every_event;
  bool has_lower_bound;
  TimestampTz as_of;
  TimestampTz lower_bound;
  int bounds;
  Size definitions_bytes;
  BlockNumber pages_known;        // the leader's page set: pages decided (kKeyPages holds their bits)
  bool parts;                     // tables handed out whole from next_part (no kKeyScan, kKeyPages)
  int nparts;                     // the tables of the scan (kKeyParts), as the leader listed them
  Oid policies_relid;             // the relation the leader's row-level security quals are of
  Size policies_bytes;            // their nodeToString() text in kKeyPolicies (0: no policies)
  pg_atomic_uint64 next_part;     // the next table to take, by index in the relation's parts
  pg_atomic_uint64 rows;          // rows folded by the workers
  pg_atomic_uint64 pages_skipped; // pages they left unread
  pg_atomic_uint64 pages_guessed; // pages they pinned by a guessed buffer
  pg_atomic_uint64 state_bytes;   // their per-user tables' bytes
  pg_atomic_uint64 state_in_use;  // bytes of every participant's table not merged yet (StateBudget)
};

// The definitions of `program` as (uint32 length, binary format) records.
std::string encode_definitions(const Program& program) {
  std::string out;
  for (const Node& root : program.sources()) {
    std::string bytes = encode_binary(root);
    auto length = static_cast<uint32_t>(bytes.size());
    out.append(reinterpret_cast<const char*>(&length), sizeof length);
    out += bytes;
  }
  return out;
}

// Reads encode_definitions() output back.
std::vector<Node> decode_definitions(std::string_view in) {
  std::vector<Node> roots;
  while (!in.empty()) {
    uint32_t length;
    if (in.size() < sizeof length) throw std::invalid_argument("truncated definitions in parallel worker");
    std::memcpy(&length, in.data(), sizeof length);
    in.remove_prefix(sizeof length);
    if (in.size() < length) throw std::invalid_argument("truncated definitions in parallel worker");
    roots.push_back(decode_binary(in.substr(0, length)));
    in.remove_prefix(length);
  }
  return roots;
}

// Opens the direct scan of one participant's share of the events.
std::unique_ptr<EventSource> open_share(const Program& program, const EventScanSpec& spec) {
  std::unique_ptr<EventSource> source = open_heap_events(program, spec);
  if (!source) throw SqlError(ERRCODE_INTERNAL_ERROR, "cohort parallel scan: the events relation cannot be read directly");
  return source;
}

// Arguments of the worker body.
struct WorkerArgs {
  dsm_segment* seg;
  shm_toc* toc;
};

// A worker: folds its share of the pages, then sends the leader its table's size (8 bytes) and
// the table in chunks.
Datum worker_body(void* p) {
  auto* args = static_cast<WorkerArgs*>(p);
  SharedHeader* header = nullptr;
  const int64* bounds_raw = nullptr;
  const char* definitions = nullptr;
  const uint64_t* page_words = nullptr;
  const Oid* part_oids = nullptr;
  ParallelTableScanDesc scan = nullptr;
  shm_mq_handle* queue = nullptr;
  RowPolicies policies;  // the leader's (read back from their text), or none
  pg_call([&] {
    header = static_cast<SharedHeader*>(shm_toc_lookup(args->toc, kKeyHeader, false));
    page_words = static_cast<const uint64_t*>(shm_toc_lookup(args->toc, kKeyPages, header->parts));
    part_oids = static_cast<const Oid*>(shm_toc_lookup(args->toc, kKeyParts, false));
    bounds_raw = static_cast<const int64*>(shm_toc_lookup(args->toc, kKeyBounds, false));
    definitions = static_cast<const char*>(shm_toc_lookup(args->toc, kKeyDefinitions, false));
    scan = static_cast<ParallelTableScanDesc>(shm_toc_lookup(args->toc, kKeyScan, header->parts));
    char* queues = static_cast<char*>(shm_toc_lookup(args->toc, kKeyQueues, false));
    auto* mq = reinterpret_cast<shm_mq*>(queues + ParallelWorkerNumber * kQueueBytes);
    shm_mq_set_sender(mq, MyProc);
    queue = shm_mq_attach(mq, args->seg, nullptr);
    if (header->policies_bytes > 0) {
      policies.relid = header->policies_relid;
      policies.quals = static_cast<List*>(stringToNode(static_cast<const char*>(shm_toc_lookup(args->toc, kKeyPolicies, false))));
      policies.parallel_safe = true;
    }
  });
  Program program = Program::compile_many(decode_definitions(std::string_view(definitions, header->definitions_bytes)));
  EventScanSpec spec;
  spec.relid = header->relid;
  spec.as_of = header->as_of;
  spec.every_event = header->every_event;
  spec.has_lower_bound = header->has_lower_bound;
  spec.lower_bound = header->lower_bound;
  std::optional<PageSet> pages;
  const std::vector<Oid> parts(part_oids, part_oids + header->nparts);
  spec.parts = &parts;
  spec.policies = &policies;
  if (header->parts) {
    spec.next_part = &header->next_part;
  } else {
    spec.parallel_scan = scan;
    pages = PageSet::from_words(header->pages_known, page_words);
    spec.pages = &*pages;
  }
  const std::vector<int64_t> bounds(bounds_raw, bounds_raw + header->bounds);
  const RowRelevance relevance(program, bounds);
  if (!spec.every_event) spec.relevance = &relevance;
  ScopedContext state_context("cohort parallel worker state");
  ScopedContext batch_context("cohort parallel worker batch");
  MemoryContextArena arena(state_context.get());
  UserTable table(program, arena);
  table.set_window_bounds(bounds);
  std::unique_ptr<EventSource> source = open_share(program, spec);
  StateBudget budget(&header->state_in_use);
  uint64_t rows = fold_events(*source, table, batch_context.get(), budget);
  const uint64_t skipped = source->pages_skipped(), guessed = source->pages_guessed();
  source->close();
  pg_atomic_fetch_add_u64(&header->rows, rows);
  pg_atomic_fetch_add_u64(&header->pages_skipped, skipped);
  pg_atomic_fetch_add_u64(&header->pages_guessed, guessed);
  pg_atomic_fetch_add_u64(&header->state_bytes, table.bytes());
  auto send = [&](const void* data, std::size_t bytes) {
    pg_call([&] {
      if (shm_mq_send(queue, bytes, data, false, true) != SHM_MQ_SUCCESS)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("cohort parallel worker: the leader stopped reading")));
    });
  };
  const uint64_t charged = budget.charged();
  send(&charged, sizeof charged);
  table.export_state(kChunkBytes, [&](std::string_view chunk) { send(chunk.data(), chunk.size()); });
  pg_call([&] { shm_mq_detach(queue); });
  return (Datum)0;
}

}  // namespace

// Starting workers and merging their per-user tables costs about as much as our scan of some
// 30,000 pages (measured with 2 workers and 100k users, as serial time / parallel time: 0.37-0.98
// over 1,000-9,000 pages, 0.88 over 11,000, 1.10 over 45,000 and 1.3 over 90,000), where the
// executor's scan, about ten times slower a page, pays for them far sooner. So a scan reading
// fewer pages than this many times min_parallel_table_scan_size (8 MB by default: 256 MB) runs
// serially. Where it opens, the planner's tripling rule below already gives 4 workers (before
// max_parallel_workers_per_gather, 2 by default, caps them; only 2 were measured).
constexpr uint64_t kSerialScanFactor = 32;

int parallel_workers_for(Oid relid, EventSource& source) {
  bool possible = false;
  int workers = -1;  // the storage parameter, if set
  pg_call([&] {
    if (max_parallel_workers_per_gather <= 0 || IsInParallelMode() || IsParallelWorker()) return;
    Relation rel = table_open(relid, AccessShareLock);
    possible = !RelationUsesLocalBuffers(rel);
    workers = RelationGetParallelWorkers(rel, -1);
    table_close(rel, NoLock);
  });
  if (!possible) return 0;
  if (workers < 0) {
    const uint64_t pages = source.pages_to_read();
    long threshold = Max(min_parallel_table_scan_size, 1);
    workers = pages < static_cast<uint64_t>(min_parallel_table_scan_size) * kSerialScanFactor ? 0 : 1;
    while (workers > 0 && pages >= static_cast<uint64_t>(threshold) * 3 && threshold < INT_MAX / 3) {
      ++workers;
      threshold *= 3;
    }
  }
  return Min(workers, max_parallel_workers_per_gather);
}

ParallelFold fold_events_parallel(const Program& program, EventScanSpec spec, const std::vector<int64_t>& bounds,
                                  int workers, const PageSet* pages, const std::vector<Oid>& parts,
                                  const RowPolicies& policies, UserTable& table, MemoryContext batch_context) {
  ParallelFold out;
  out.planned = workers;
  const std::string definitions = encode_definitions(program);
  ParallelContext* pcxt = nullptr;
  SharedHeader* header = nullptr;
  ParallelTableScanDesc scan = nullptr;
  std::vector<shm_mq_handle*> queues(workers);
  pg_call([&] {
    // The table whose pages the participants share (behind a view: its table); without a page
    // set (tables handed out whole) the relation, only held open meanwhile.
    Relation rel = table_open(pages != nullptr ? parts[0] : spec.relid, AccessShareLock);
    Snapshot snapshot = GetActiveSnapshot();
    EnterParallelMode();
    pcxt = CreateParallelContext("$libdir/cohort", "cohort_parallel_events_main", workers);
    // A table's pages: one parallel heap scan and the page set; tables handed out whole: neither.
    const Size scan_bytes = pages != nullptr ? table_parallelscan_estimate(rel, snapshot) : 0;
    const Size page_bytes = pages != nullptr ? sizeof(uint64_t) * (pages->words().size() + 1) : 0;
    const Size part_bytes = sizeof(Oid) * (parts.size() + 1);
    // The policies' quals as the plan of a parallel query carries them: as text, read back by each worker.
    const char* policy_text = policies.any() ? nodeToString(policies.quals) : nullptr;
    const Size policy_bytes = policy_text != nullptr ? strlen(policy_text) : 0;
    shm_toc_estimate_chunk(&pcxt->estimator, sizeof(SharedHeader));
    shm_toc_estimate_chunk(&pcxt->estimator, sizeof(int64) * (bounds.size() + 1));
    shm_toc_estimate_chunk(&pcxt->estimator, definitions.size() + 1);
    shm_toc_estimate_chunk(&pcxt->estimator, mul_size(kQueueBytes, workers));
    shm_toc_estimate_chunk(&pcxt->estimator, part_bytes);
    if (policy_bytes > 0) shm_toc_estimate_chunk(&pcxt->estimator, policy_bytes + 1);
    if (pages != nullptr) {
      shm_toc_estimate_chunk(&pcxt->estimator, scan_bytes);
      shm_toc_estimate_chunk(&pcxt->estimator, page_bytes);
    }
    shm_toc_estimate_keys(&pcxt->estimator, 8);
    InitializeParallelDSM(pcxt);

    header = static_cast<SharedHeader*>(shm_toc_allocate(pcxt->toc, sizeof(SharedHeader)));
    header->relid = spec.relid;
    header->every_event = spec.every_event;
    header->has_lower_bound = spec.has_lower_bound;
    header->as_of = spec.as_of;
    header->lower_bound = spec.lower_bound;
    header->bounds = static_cast<int>(bounds.size());
    header->definitions_bytes = definitions.size();
    header->pages_known = pages != nullptr ? pages->known() : 0;
    header->parts = pages == nullptr;
    header->nparts = static_cast<int>(parts.size());
    header->policies_relid = policies.relid;
    header->policies_bytes = policy_bytes;
    pg_atomic_init_u64(&header->next_part, 0);
    pg_atomic_init_u64(&header->rows, 0);
    pg_atomic_init_u64(&header->pages_skipped, 0);
    pg_atomic_init_u64(&header->pages_guessed, 0);
    pg_atomic_init_u64(&header->state_bytes, 0);
    pg_atomic_init_u64(&header->state_in_use, 0);
    shm_toc_insert(pcxt->toc, kKeyHeader, header);
    auto* shared_bounds = static_cast<int64*>(shm_toc_allocate(pcxt->toc, sizeof(int64) * (bounds.size() + 1)));
    for (std::size_t i = 0; i < bounds.size(); ++i) shared_bounds[i] = bounds[i];
    shm_toc_insert(pcxt->toc, kKeyBounds, shared_bounds);
    char* shared_definitions = static_cast<char*>(shm_toc_allocate(pcxt->toc, definitions.size() + 1));
    memcpy(shared_definitions, definitions.data(), definitions.size());
    shm_toc_insert(pcxt->toc, kKeyDefinitions, shared_definitions);
    if (pages != nullptr) {
      scan = static_cast<ParallelTableScanDesc>(shm_toc_allocate(pcxt->toc, scan_bytes));
      table_parallelscan_initialize(rel, scan, snapshot);
      shm_toc_insert(pcxt->toc, kKeyScan, scan);
    }
    char* shared_queues = static_cast<char*>(shm_toc_allocate(pcxt->toc, mul_size(kQueueBytes, workers)));
    for (int i = 0; i < workers; ++i)
      shm_mq_set_receiver(shm_mq_create(shared_queues + i * kQueueBytes, kQueueBytes), MyProc);
    shm_toc_insert(pcxt->toc, kKeyQueues, shared_queues);
    if (pages != nullptr) {
      auto* shared_pages = static_cast<uint64_t*>(shm_toc_allocate(pcxt->toc, page_bytes));
      for (std::size_t i = 0; i < pages->words().size(); ++i) shared_pages[i] = pages->words()[i];
      shm_toc_insert(pcxt->toc, kKeyPages, shared_pages);
    }
    auto* shared_parts = static_cast<Oid*>(shm_toc_allocate(pcxt->toc, part_bytes));
    for (std::size_t i = 0; i < parts.size(); ++i) shared_parts[i] = parts[i];
    shm_toc_insert(pcxt->toc, kKeyParts, shared_parts);
    if (policy_bytes > 0) {
      char* shared_policies = static_cast<char*>(shm_toc_allocate(pcxt->toc, policy_bytes + 1));
      memcpy(shared_policies, policy_text, policy_bytes + 1);
      shm_toc_insert(pcxt->toc, kKeyPolicies, shared_policies);
    }

    LaunchParallelWorkers(pcxt);
    out.launched = pcxt->nworkers_launched;
    for (int i = 0; i < out.launched; ++i)
      queues[i] = shm_mq_attach(reinterpret_cast<shm_mq*>(shared_queues + i * kQueueBytes), pcxt->seg,
                                pcxt->worker[i].bgwhandle);
    table_close(rel, NoLock);
  });

  // The leader takes pages too, unless told not to while workers run.
  StateBudget budget(&header->state_in_use);
  if (parallel_leader_participation || out.launched == 0) {
    spec.parts = &parts;
    spec.policies = &policies;
    if (pages != nullptr) {
      spec.parallel_scan = scan;
      spec.pages = pages;
    } else {
      spec.next_part = &header->next_part;
    }
    std::unique_ptr<EventSource> source = open_share(program, spec);
    out.rows += fold_events(*source, table, batch_context, budget);
    out.pages_skipped += source->pages_skipped();
    out.pages_guessed += source->pages_guessed();
    source->close();
  }
  for (int i = 0; i < out.launched; ++i) {
    uint64_t worker_bytes = 0;  // the worker's table, released once merged
    for (bool first = true;; first = false) {
      shm_mq_result result;
      Size bytes = 0;
      void* data = nullptr;
      // shm_mq_receive() only checks for interrupts when it has to wait: while the workers keep
      // the queues full, merging is what takes the time, so a cancel is looked for per chunk.
      pg_call([&] {
        CHECK_FOR_INTERRUPTS();
        result = shm_mq_receive(queues[i], &bytes, &data, false);
      });
      if (result != SHM_MQ_SUCCESS) break;  // detached: the worker sent everything (or failed)
      if (first) {
        if (bytes != sizeof worker_bytes) throw SqlError(ERRCODE_INTERNAL_ERROR, "cohort parallel scan: malformed worker message");
        std::memcpy(&worker_bytes, data, sizeof worker_bytes);
        continue;
      }
      table.merge_state(std::string_view(static_cast<const char*>(data), bytes));
      budget.charge(table);
    }
    budget.release(worker_bytes);
  }
  // Raises a worker's error, if any; the transaction's abort then ends the parallel context.
  pg_call([&] {
    WaitForParallelWorkersToFinish(pcxt);
    out.rows += pg_atomic_read_u64(&header->rows);
    out.pages_skipped += pg_atomic_read_u64(&header->pages_skipped);
    out.pages_guessed += pg_atomic_read_u64(&header->pages_guessed);
    out.worker_state_bytes = pg_atomic_read_u64(&header->state_bytes);
    DestroyParallelContext(pcxt);
    ExitParallelMode();
  });
  return out;
}

}  // namespace cohort::pg

// Runs a worker's body with the same exception boundary as SQL-callable functions.
void cohort_parallel_events_main(dsm_segment* seg, shm_toc* toc) {
  cohort::pg::WorkerArgs args{seg, toc};
  cohort::pg::run_guarded(cohort::pg::worker_body, &args);
}
