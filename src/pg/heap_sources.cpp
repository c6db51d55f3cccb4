// Direct path: a heap scan under the query's snapshot (MVCC visibility as the executor's), used
// only where it returns exactly what the executor would (SourceRelation::direct_parts).
#include <algorithm>
#include <string>
#include <vector>

#include "core/numeric_decode.hpp"
#include "core/risk_counts.hpp"
#include "core/row_screen.hpp"
#include "pg/heap_scan.hpp"
#include "pg/heap_sources.hpp"
#include "pg/relation_parts.hpp"
#include "pg/source_relation.hpp"

namespace cohort::pg {
namespace {

// How a column's datums become doubles or text.
enum class ValueKind { Int16, Int32, Int64, Float4, Float8, Numeric, Text };

// The value kind of a base type, or false when the direct path does not read it.
bool kind_of(Oid type, ValueKind& kind) {
  switch (type) {
    case INT2OID: kind = ValueKind::Int16; return true;
    case INT4OID: kind = ValueKind::Int32; return true;
    case INT8OID: kind = ValueKind::Int64; return true;
    case FLOAT4OID: kind = ValueKind::Float4; return true;
    case FLOAT8OID: kind = ValueKind::Float8; return true;
    case NUMERICOID: kind = ValueKind::Numeric; return true;
    case TEXTOID:
    case VARCHAROID: kind = ValueKind::Text; return true;
    default: return false;
  }
}

// A column read by the direct scan.
struct HeapColumn {
  int index = 0;  // attnum - 1
  ValueKind kind = ValueKind::Int64;
};

// Resolves a column for the direct path; false when its type is not one it reads.
bool heap_column(const ColumnInfo& info, bool want_text, HeapColumn& out) {
  out.index = info.attnum - 1;
  if (!kind_of(info.type, out.kind)) return false;
  return want_text == (out.kind == ValueKind::Text);
}

// Integer datum as int64.
int64_t int_value(Datum d, ValueKind kind) {
  switch (kind) {
    case ValueKind::Int16: return DatumGetInt16(d);
    case ValueKind::Int32: return DatumGetInt32(d);
    default: return DatumGetInt64(d);
  }
}

// A varlena datum with its bytes in memory: as pg_detoast_datum_packed(), without the call for
// the usual in-line, uncompressed value.
inline struct varlena* in_line(Datum d) {
  auto* v = reinterpret_cast<struct varlena*>(DatumGetPointer(d));
  if (__builtin_expect(VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v), 0)) return detoast_attr(v);
  return v;
}

// A numeric datum as float8 through PostgreSQL's cast.
[[gnu::noinline]] double numeric_value_by_cast(Datum d) { return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d)); }

// numeric_value() for a value with a 4-byte header, compressed or stored out of line.
[[gnu::noinline]] double numeric_value_other(Datum d) {
  struct varlena* v = in_line(d);
  double out;
  if (cohort::decode_numeric(reinterpret_cast<const unsigned char*>(VARDATA_ANY(v)), VARSIZE_ANY_EXHDR(v), out))
    return out;
  return numeric_value_by_cast(d);
}

// A numeric datum as float8, exactly as ::float8 would convert it: decode_numeric() where it
// applies (its common case inline), else PostgreSQL's cast. Inline for the usual value, in line
// with a 1-byte header (not a TOAST pointer's).
inline double numeric_value(Datum d) {
  const char* v = DatumGetPointer(d);
  if (VARATT_IS_1B(v) && !VARATT_IS_1B_E(v)) {
    double out;
    if (cohort::decode_numeric(reinterpret_cast<const unsigned char*>(VARDATA_SHORT(v)), VARSIZE_SHORT(v) - VARHDRSZ_SHORT, out))
      return out;
    return numeric_value_by_cast(d);
  }
  return numeric_value_other(d);
}

// Numeric-ish datum as float8, exactly as ::float8 would convert it (inline but for numeric).
inline double number_value(Datum d, ValueKind kind) {
  switch (kind) {
    case ValueKind::Int16: return DatumGetInt16(d);
    case ValueKind::Int32: return DatumGetInt32(d);
    case ValueKind::Int64: return static_cast<double>(DatumGetInt64(d));
    case ValueKind::Float4: return static_cast<double>(DatumGetFloat4(d));
    case ValueKind::Float8: return DatumGetFloat8(d);
    case ValueKind::Numeric: return numeric_value(d);
    case ValueKind::Text: break;
  }
  return 0;
}

// The bytes of a text datum (valid until the scan moves on unless copied).
inline std::string_view text_value(Datum d) {
  struct varlena* v = in_line(d);
  return std::string_view(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

// Copies bytes into the current memory context.
std::string_view copy_bytes(std::string_view s) {
  char* p = static_cast<char*>(palloc(s.size() + 1));
  memcpy(p, s.data(), s.size());
  return std::string_view(p, s.size());
}

// Hands each batch `fill(b, batch_context)` fills, in turn, to `consume`, emptying the batch
// context before each; `fill` returns false at the end of the scan.
template <typename Batch, typename Consumer, typename Fill>
void pull_batches(Batch& b, MemoryContext batch_context, const Consumer& consume, Fill fill) {
  while (true) {
    MemoryContextReset(batch_context);
    if (!fill(b, batch_context)) break;
    consume(b);
  }
}

// Where the direct scan finds the events columns in one table, and how it reads them.
struct EventColumns {
  HeapColumn user, event, ts;
  std::vector<HeapColumn> props, filters;
  int natts = 0;  // deform this far for a row that is kept
};

class HeapEventSource final : public EventSource {
 public:
  HeapEventSource(const Program& program, const EventScanSpec& spec, EventColumns columns,
                  const RowPolicies& policies)
      : program_(program),
        spec_(spec),
        user_(columns.user),
        event_(columns.event),
        ts_(columns.ts),
        props_(std::move(columns.props)),
        filters_(std::move(columns.filters)),
        natts_(columns.natts),
        policies_(policies),
        screen_(program, spec.every_event, spec.has_lower_bound ? spec.lower_bound : PG_INT64_MIN, spec.as_of,
                spec.relevance),
        scan_(spec.relid, spec.parallel_scan) {
    if (ts_.index == event_.index + 1) scan_.prepare_text_then_int64(event_.index);
    if (policies.any()) scan_.apply_policies(policies);
  }

  void for_each_batch(EventBatch& b, MemoryContext batch_context, const BatchConsumer& consume) override {
    pull_batches(b, batch_context, consume, [this](EventBatch& in, MemoryContext c) { return next(in, c); });
  }

  void close() override { scan_.close(); }
  const char* kind() const override { return "direct"; }
  Oid read_relid() const override { return spec_.relid; }
  // Workers check the leader's policies too, where every function in them is parallel safe.
  bool is_direct() const override { return policies_.allow_workers(); }
  const RowPolicies* row_policies() const override { return policies_.any() ? &policies_ : nullptr; }
  uint64_t pages_skipped() const override { return scan_.pages_skipped(); }
  uint64_t pages_guessed() const override { return scan_.pages_guessed(); }
  uint64_t pages_to_read() override {
    decide_pages();
    return scan_.pages_to_read();
  }
  const PageSet* page_set() override {
    decide_pages();
    return &scan_.page_set();
  }

 private:
  // Fills `b` with the next rows (texts allocated in `batch_context`); false at the end.
  bool next(EventBatch& b, MemoryContext batch_context) {
    decide_pages();
    return policies_.any() ? fill_batch<true>(b, batch_context) : fill_batch<false>(b, batch_context);
  }
  // next(), with or without the row-level security check: two copies of the row loop, so that the
  // one without policies has no call of it at all.
  template <bool kPolicies>
  bool fill_batch(EventBatch& b, MemoryContext batch_context) {
    const std::size_t P = props_.size(), F = filters_.size();
    const auto& filter_specs = program_.filters();
    // Without every event wanted, the event and time columns decide first, each deformed only as
    // far as needed (a rejected row costs no more columns than decided it).
    const int first_natts = spec_.every_event ? natts_ : 0;
    const RowRelevance* relevance = spec_.relevance;
    // Most rows are rejected by their name's length and time alone (screen_), read straight from
    // the page before the scan does anything else with the tuple; the rest go on to keep().
    const HeapScan::PairLayout pair = scan_.pair_layout();
    const RowScreen* const screen = &screen_;
    const auto may_pass = [pair, screen](HeapTupleHeader tuple) __attribute__((always_inline)) {
      std::string_view name;
      TimestampTz ts;
      return !HeapScan::read_pair(pair, tuple, name, ts) || screen->may_pass(name.size(), ts);
    };
    const bool more = scan_.fill(batch_context, b.capacity(), first_natts, b.rows, may_pass, [&](std::size_t n) __attribute__((always_inline)) {
      bool isnull = false;
      std::string_view name;
      int event = -1;
      TimestampTz ts;
      const bool from_page = scan_.text_then_int64(name, ts);
      if (from_page) {
        // Both from the page, the name's length and the time passed by the screen (whose time
        // bound covers the window; fill() ran it on this tuple): now the name itself, read again
        // (carrying it over from the screen measured slower: the screen's loop then kept more in
        // memory).
        Assert(screen_.may_pass(name.size(), ts));
        event = program_.event_index(name);
        if (event < 0 && !spec_.every_event) return false;
      } else {
        // The general way: the event name (from the page where its offset is fixed), then the time.
        if (!scan_.fixed_text(event_.index, name)) {
          scan_.deform(event_.index + 1);
          Datum ed = scan_.value(event_.index, isnull);
          if (!isnull) name = text_value(ed);
        }
        if (!isnull) event = program_.event_index(name);
        if (event < 0 && !spec_.every_event) return false;
        scan_.deform(ts_.index + 1);
        Datum tsd = scan_.value(ts_.index, isnull);
        if (isnull) return false;
        ts = DatumGetTimestampTz(tsd);
        if (!in_window(ts)) return false;
      }
      // The window of the event's own accumulators, then (columns read) their filters.
      if (relevance != nullptr && !relevance->may_feed(event, ts)) return false;
      if (from_page) scan_.deform_through_pair();
      scan_.deform(natts_);
      Datum ud = scan_.value(user_.index, isnull);
      if (isnull) return false;
      for (std::size_t f = 0; f < F; ++f) {
        Datum d = scan_.value(filters_[f].index, isnull);
        b.passes[n * F + f] = !isnull && filter_accepts(filter_specs[f], text_value(d));
      }
      if (relevance != nullptr && !relevance->time_decides(event) && !relevance->feeds(event, ts, b.passes.data() + n * F))
        return false;
      // Row-level security, before any value of the row is kept: what decided so far only
      // compares the row's bytes (the event name, the time, whether the user id is NULL, the
      // filters' texts) with the definitions' own, as the planner may run leakproof comparisons
      // before a policy; none of it raises an error of its own or keeps anything.
      if constexpr (kPolicies) {
        if (!scan_.policy_allows()) return false;
      }
      b.users[n] = int_value(ud, user_.kind);
      b.ts[n] = ts;
      b.events[n] = event;
      for (std::size_t p = 0; p < P; ++p) {
        Datum d = scan_.value(props_[p].index, isnull);
        b.nulls[n * P + p] = isnull;
        if (isnull) continue;
        if (props_[p].kind == ValueKind::Text)
          b.texts[n * P + p] = copy_bytes(text_value(d));
        else
          b.numbers[n * P + p] = number_value(d, props_[p].kind);
      }
      return true;
    });
    return more;
  }

  // Rows before the lower bound are dropped anyway: the pages a BRIN index on ts rules out go
  // unread. Decided once, when first needed (by pages_to_read() or the first batch), or given
  // (a parallel participant reads the leader's set).
  void decide_pages() {
    if (pages_decided_) return;
    pages_decided_ = true;
    if (spec_.pages != nullptr)
      scan_.read_only(*spec_.pages);
    else if (spec_.has_lower_bound)
      scan_.skip_pages_before(ts_.index, spec_.lower_bound);
  }
  // Whether a row's time lies in the scan's window (not after as_of, not before the lower bound).
  bool in_window(TimestampTz ts) const {
    return ts <= spec_.as_of && (!spec_.has_lower_bound || ts >= spec_.lower_bound);
  }

  const Program& program_;
  EventScanSpec spec_;
  HeapColumn user_, event_, ts_;
  std::vector<HeapColumn> props_, filters_;
  int natts_;
  RowPolicies policies_;        // the caller's row-level security (no quals: none)
  RowScreen screen_;       // the first test of a row read from the page
  bool pages_decided_ = false;  // decide_pages() has run
  HeapScan scan_;
};

// Where the direct scan finds the customers columns in one table, and how it reads them.
struct CustomerHeapColumns {
  HeapColumn user;
  std::vector<HeapColumn> attrs;
  bool has_risk = false;
  HeapColumn risk;
  int natts = 0;
};

class HeapCustomerSource final : public CustomerSource {
 public:
  HeapCustomerSource(Oid relid, CustomerHeapColumns columns, const RowPolicies& policies)
      : relid_(relid),
        user_(columns.user),
        attrs_(std::move(columns.attrs)),
        has_risk_(columns.has_risk),
        risk_(columns.risk),
        natts_(columns.natts),
        scan_(relid) {
    if (policies.any()) scan_.apply_policies(policies);
  }

  void for_each_batch(CustomerBatch& b, MemoryContext batch_context, const CustomerConsumer& consume) override {
    pull_batches(b, batch_context, consume, [this](CustomerBatch& in, MemoryContext c) { return next(in, c); });
  }

  void close() override { scan_.close(); }
  const char* kind() const override { return "direct"; }
  bool reads_only(Oid relid) const override { return relid == relid_; }

 private:
  // Fills `b` with the next rows; false at the end.
  bool next(CustomerBatch& b, MemoryContext batch_context) {
    const std::size_t A = attrs_.size();
    // With candidates known, the user id first: the rest of a row nobody needs is never deformed.
    const int first_natts = candidates_ != nullptr ? user_.index + 1 : natts_;
    return scan_.fill(batch_context, b.capacity(), first_natts, b.rows, [&](std::size_t n) {
      bool isnull;
      Datum ud = scan_.value(user_.index, isnull);
      if (isnull) return false;
      const int64_t user = int_value(ud, user_.kind);
      if (candidates_ != nullptr && !candidates_->may_match(user)) return false;
      // Row-level security before the rest of the row is read.
      if (!scan_.policy_allows()) return false;
      if (candidates_ != nullptr) scan_.deform(natts_);
      b.users[n] = user;
      for (std::size_t a = 0; a < A; ++a) {
        Datum d = scan_.value(attrs_[a].index, isnull);
        b.nulls[n * A + a] = isnull;
        b.numbers[n * A + a] = isnull ? 0 : number_value(d, attrs_[a].kind);
      }
      b.risk_null[n] = true;
      if (has_risk_) {
        Datum d = scan_.value(risk_.index, isnull);
        b.risk_null[n] = isnull;
        if (!isnull) b.risk[n] = static_cast<signed char>(risk_level_index(text_value(d)));
      }
      return true;
    });
  }

  Oid relid_;
  HeapColumn user_;
  std::vector<HeapColumn> attrs_;
  bool has_risk_;
  HeapColumn risk_;
  int natts_;
  HeapScan scan_;
};

// Largest attnum among columns.
int max_attnum(const std::vector<AttrNumber>& attnums) {
  int n = 0;
  for (AttrNumber a : attnums) n = std::max(n, static_cast<int>(a));
  return n;
}

// `like`, found at `attnum` of another table of the same relation.
HeapColumn at(HeapColumn like, AttrNumber attnum) {
  like.index = attnum - 1;
  return like;
}

// The events columns in `part`, given where they are in the relation itself (`columns`) and their
// attnums in the part (user, event, ts, properties, filters: ColumnInfo order in open_heap_events).
EventColumns part_columns(const EventColumns& columns, const DirectPart& part) {
  const auto& a = part.attnums;
  EventColumns out{at(columns.user, a[0]), at(columns.event, a[1]), at(columns.ts, a[2]), {}, {}, max_attnum(a)};
  std::size_t k = 3;
  for (const HeapColumn& p : columns.props) out.props.push_back(at(p, a[k++]));
  for (const HeapColumn& f : columns.filters) out.filters.push_back(at(f, a[k++]));
  return out;
}

// Pages of a table locked by storage_parts() (or by its scan).
uint64_t table_pages(Oid relid) {
  uint64_t pages = 0;
  pg_call([&] {
    Relation rel = table_open(relid, NoLock);
    pages = RelationGetNumberOfBlocks(rel);
    table_close(rel, NoLock);
  });
  return pages;
}

// Whether a table's buffers are this backend's own (a temporary table, which workers cannot read).
bool uses_local_buffers(Oid relid) {
  bool local = false;
  pg_call([&] { local = get_rel_persistence(relid) == RELPERSISTENCE_TEMP; });
  return local;
}

// The events of a partitioned table or an inheritance tree (the partitions its window needs):
// each table read directly in turn, opened when reached and released after, or, in a parallel
// evaluation, each taken whole by one participant (EventScanSpec::next_part).
class PartsEventSource final : public EventSource {
 public:
  PartsEventSource(const Program& program, const EventScanSpec& spec, EventColumns columns,
                   std::vector<DirectPart> parts, const RowPolicies& policies)
      : program_(program), spec_(spec), columns_(std::move(columns)), parts_(std::move(parts)), policies_(policies) {
    for (const DirectPart& part : parts_) local_ = local_ || uses_local_buffers(part.relid);
  }

  void for_each_batch(EventBatch& b, MemoryContext batch_context, const BatchConsumer& consume) override {
    for (std::size_t next = 0;; ++next) {
      const std::size_t k = spec_.next_part != nullptr ? pg_atomic_fetch_add_u64(spec_.next_part, 1) : next;
      if (k >= parts_.size()) break;
      const DirectPart& part = parts_[k];
      EventScanSpec spec = spec_;
      spec.relid = part.relid;
      spec.parallel_scan = nullptr;
      spec.pages = nullptr;
      HeapEventSource source(program_, spec, part_columns(columns_, part), policies_);
      source.for_each_batch(b, batch_context, consume);
      pages_skipped_ += source.pages_skipped();
      pages_guessed_ += source.pages_guessed();
      source.close();
    }
  }

  void close() override {}
  const char* kind() const override { return "direct"; }
  Oid read_relid() const override { return spec_.relid; }
  bool is_direct() const override { return !local_ && policies_.allow_workers(); }
  const RowPolicies* row_policies() const override { return policies_.any() ? &policies_ : nullptr; }
  bool reads_parts() const override { return true; }
  std::vector<Oid> part_relids() const override {
    std::vector<Oid> out;
    for (const DirectPart& part : parts_) out.push_back(part.relid);
    return out;
  }
  uint64_t pages_skipped() const override { return pages_skipped_; }
  uint64_t pages_guessed() const override { return pages_guessed_; }
  // The pages of the parts (a BRIN index of a part is not asked here).
  uint64_t pages_to_read() override {
    uint64_t pages = 0;
    for (const DirectPart& part : parts_) pages += table_pages(part.relid);
    return pages;
  }

 private:
  const Program& program_;
  EventScanSpec spec_;
  EventColumns columns_;
  std::vector<DirectPart> parts_;
  RowPolicies policies_;  // the relation's, checked in every part
  bool local_ = false;  // some part is a temporary table
  uint64_t pages_skipped_ = 0;
  uint64_t pages_guessed_ = 0;
};

// The customers columns in `part` (user, attributes, risk_level: ColumnInfo order in
// open_heap_customers).
CustomerHeapColumns part_columns(const CustomerHeapColumns& columns, const DirectPart& part) {
  const auto& a = part.attnums;
  CustomerHeapColumns out{at(columns.user, a[0]), {}, columns.has_risk, columns.risk, max_attnum(a)};
  std::size_t k = 1;
  for (const HeapColumn& c : columns.attrs) out.attrs.push_back(at(c, a[k++]));
  if (columns.has_risk) out.risk = at(columns.risk, a[k]);
  return out;
}

// The customers of a partitioned table or an inheritance tree, each table read directly in turn.
class PartsCustomerSource final : public CustomerSource {
 public:
  PartsCustomerSource(CustomerHeapColumns columns, std::vector<DirectPart> parts, const RowPolicies& policies)
      : columns_(std::move(columns)), parts_(std::move(parts)), policies_(policies) {}

  void for_each_batch(CustomerBatch& b, MemoryContext batch_context, const CustomerConsumer& consume) override {
    for (const DirectPart& part : parts_) {
      HeapCustomerSource source(part.relid, part_columns(columns_, part), policies_);
      source.only_candidates(candidates_);
      source.for_each_batch(b, batch_context, consume);
      source.close();
    }
  }

  void close() override {}
  const char* kind() const override { return "direct"; }

 private:
  CustomerHeapColumns columns_;
  std::vector<DirectPart> parts_;
  RowPolicies policies_;
};

// Whether `parts` is the relation itself, with no other table.
bool only_itself(const std::vector<DirectPart>& parts, Oid relid) {
  return parts.size() == 1 && parts[0].relid == relid;
}

}  // namespace

std::unique_ptr<EventSource> open_heap_events(const Program& program, const EventScanSpec& spec) {
  SourceRelation events(spec.relid, "events");
  std::vector<ColumnInfo> used = {events.info("user_id", ColumnType::Integer), events.info("event", ColumnType::Text),
                                  events.info("ts", ColumnType::Timestamptz)};
  EventColumns columns;
  if (!heap_column(used[0], false, columns.user) || !heap_column(used[1], true, columns.event)) return nullptr;
  columns.ts.index = used[2].attnum - 1;
  for (const PropertyColumn& p : program.properties()) {
    ColumnInfo info = events.info(p.column, p.as_text ? ColumnType::Any : ColumnType::Numeric);
    HeapColumn c;
    if (!heap_column(info, p.as_text, c)) return nullptr;
    used.push_back(info);
    columns.props.push_back(c);
  }
  for (const PropertyFilter& f : program.filters()) {
    ColumnInfo info = events.info(f.column, ColumnType::Any);
    HeapColumn c;
    if (!heap_column(info, true, c)) return nullptr;
    used.push_back(info);
    columns.filters.push_back(c);
  }
  // Partitions whose bounds hold no time the scan keeps (after as_of, or before the lower bound
  // where there is one: the rows HeapEventSource drops) are left out.
  TimeWindow window;
  window.has_lower = spec.has_lower_bound;
  window.lower = spec.lower_bound;
  window.upper = spec.as_of;
  std::vector<DirectPart> parts;
  RowPolicies policies;
  EventScanSpec read = spec;  // the table read: the relation, or the one behind a view
  if (!events.direct_parts(used, &window, parts, policies, read.relid, spec.parts)) return nullptr;
  if (spec.parts != nullptr && spec.policies != nullptr) policies = *spec.policies;  // a participant: the leader's
  if (only_itself(parts, read.relid))
    return std::make_unique<HeapEventSource>(program, read, part_columns(columns, parts[0]), policies);
  return std::make_unique<PartsEventSource>(program, read, std::move(columns), std::move(parts), policies);
}

std::unique_ptr<CustomerSource> open_heap_customers(const CustomerColumns& columns, Oid relid) {
  SourceRelation customers(relid, "customers");
  std::vector<ColumnInfo> used = {customers.info("user_id", ColumnType::Integer)};
  CustomerHeapColumns heap;
  if (!heap_column(used[0], false, heap.user)) return nullptr;
  for (const std::string& a : columns.attributes) {
    ColumnInfo info = customers.info(a, ColumnType::Numeric);
    HeapColumn c;
    if (!heap_column(info, false, c)) return nullptr;
    used.push_back(info);
    heap.attrs.push_back(c);
  }
  heap.has_risk = columns.risk_level;
  if (heap.has_risk) {
    ColumnInfo info = customers.info("risk_level", ColumnType::Text);
    if (!heap_column(info, true, heap.risk)) return nullptr;
    used.push_back(info);
  }
  std::vector<DirectPart> parts;
  RowPolicies policies;
  Oid table = InvalidOid;  // the relation, or the table behind a view
  if (!customers.direct_parts(used, nullptr, parts, policies, table)) return nullptr;
  if (only_itself(parts, table))
    return std::make_unique<HeapCustomerSource>(table, part_columns(heap, parts[0]), policies);
  return std::make_unique<PartsCustomerSource>(std::move(heap), std::move(parts), policies);
}

}  // namespace cohort::pg
