// Executor path: the sources are read by a generated query through SPI, so views, partitioned and
// foreign tables, and row-level security policies all behave exactly as in the caller's own SQL.
#include <cstring>
#include <string>
#include <vector>

#include "pg/source_relation.hpp"
#include "pg/spi_sources.hpp"

namespace cohort::pg {
namespace {

// Builds a text[] datum from strings.
Datum text_array(const std::vector<std::string>& items) {
  Datum out = 0;
  std::vector<Datum> elems(items.size());
  pg_call([&] {
    for (std::size_t i = 0; i < items.size(); ++i)
      elems[i] = PointerGetDatum(cstring_to_text_with_len(items[i].data(), static_cast<int>(items[i].size())));
    out = PointerGetDatum(construct_array(elems.data(), static_cast<int>(elems.size()), TEXTOID, -1, false,
                                          TYPALIGN_INT));
  });
  return out;
}

// A read-only SPI cursor over a generated query.
class Cursor {
 public:
  Cursor(const std::string& sql, std::vector<Oid>& types, std::vector<Datum>& values) {
    pg_call([&] {
      SPIPlanPtr plan = SPI_prepare(sql.c_str(), static_cast<int>(types.size()), types.data());
      if (plan == nullptr) elog(ERROR, "cohort: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
      portal_ = SPI_cursor_open(nullptr, plan, values.data(), nullptr, true);
    });
  }
  // Fetches up to `rows` rows into SPI_tuptable; returns how many.
  uint64 fetch(long rows) {
    uint64 n = 0;
    pg_call([&] {
      CHECK_FOR_INTERRUPTS();
      if (SPI_tuptable != nullptr) SPI_freetuptable(SPI_tuptable);
      SPI_cursor_fetch(portal_, true, rows);
      n = SPI_processed;
    });
    return n;
  }
  void close() {
    pg_call([&] {
      if (SPI_tuptable != nullptr) SPI_freetuptable(SPI_tuptable);
      SPI_cursor_close(portal_);
    });
  }

 private:
  Portal portal_ = nullptr;
};

// The bytes of a text datum (detoasted into the current memory context where it must be).
std::string_view text_bytes(Datum d) {
  text* t = DatumGetTextPP(d);
  return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// A text datum's bytes, copied into the current memory context unless detoasting already did.
std::string_view copied_text(Datum d) {
  text* t = DatumGetTextPP(d);
  const std::size_t n = VARSIZE_ANY_EXHDR(t);
  if (reinterpret_cast<Pointer>(t) != DatumGetPointer(d)) return std::string_view(VARDATA_ANY(t), n);
  char* p = static_cast<char*>(palloc(n));
  memcpy(p, VARDATA_ANY(t), n);
  return std::string_view(p, n);
}

class SpiEventSource;

// The executor's receiver of the generated query's rows: it fills a batch and hands each full
// one to the consumer. The executor calls it, so it holds nothing with a destructor, and the
// consumer (C++ that may throw) runs under run_guarded(), in the caller's memory context and
// error context (errors of its own do not carry SPI's "SQL statement" context line).
struct BatchReceiver {
  DestReceiver dest;  // first: the executor sees a DestReceiver*
  SpiEventSource* source;
  EventBatch* batch;
  MemoryContext batch_context;
  const BatchConsumer* consume;
  MemoryContext caller_context;                  // CurrentMemoryContext of for_each_batch()
  ErrorContextCallback* caller_error_context;    // error_context_stack of for_each_batch()
};

bool receive_event_row(TupleTableSlot* slot, DestReceiver* self) noexcept;
void receiver_startup(DestReceiver*, int, TupleDesc) {}
void receiver_shutdown(DestReceiver*) {}
void receiver_destroy(DestReceiver*) {}

// Hands a full batch to the consumer and empties it (run_guarded: exceptions become errors).
Datum hand_over_batch(void* arg) {
  auto* r = static_cast<BatchReceiver*>(arg);
  (*r->consume)(*r->batch);
  r->batch->rows = 0;
  pg_call([&] { MemoryContextReset(r->batch_context); });
  return Datum(0);
}

// Runs hand_over_batch() as if from for_each_batch(): its memory context and error context
// stack (an error longjmps to for_each_batch's pg_call, which restores both).
void hand_over_in_caller_context(BatchReceiver* r) noexcept {
  MemoryContext executor_context = MemoryContextSwitchTo(r->caller_context);
  ErrorContextCallback* executor_error_context = error_context_stack;
  error_context_stack = r->caller_error_context;
  run_guarded(hand_over_batch, r);
  error_context_stack = executor_error_context;
  MemoryContextSwitchTo(executor_context);
}

// Events through one run of a generated query, its rows pushed to a receiver (a cursor would
// forbid parallel workers: the planner may give this query some, as to the caller's own SQL).
class SpiEventSource final : public EventSource {
 public:
  SpiEventSource(const Program& program, const EventScanSpec& spec) : program_(program), relevance_(spec.relevance) {
    SourceRelation events(spec.relid, "events");
    const auto& props = program.properties();
    std::string sql = "SELECT e." + events.column("user_id", ColumnType::Integer) + "::pg_catalog.int8, e." +
                      events.column("event", ColumnType::Text) + "::pg_catalog.text, e." +
                      events.column("ts", ColumnType::Timestamptz);
    for (const PropertyColumn& p : props)
      sql += ", e." + events.column(p.column, p.as_text ? ColumnType::Any : ColumnType::Numeric) +
             (p.as_text ? "::pg_catalog.text" : "::pg_catalog.float8");
    std::vector<Oid> types = {TIMESTAMPTZOID};
    std::vector<Datum> values = {TimestampTzGetDatum(spec.as_of)};
    for (const PropertyFilter& f : program.filters()) {
      types.push_back(TEXTARRAYOID);
      values.push_back(text_array(f.values));
      sql += ", COALESCE(e." + events.column(f.column, ColumnType::Any) +
             "::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($" + std::to_string(types.size()) + "), false)";
    }
    sql += " FROM " + events.sql_name() +
           " e WHERE e.user_id IS NOT NULL AND e.ts OPERATOR(pg_catalog.<=) $1";
    if (spec.has_lower_bound) {
      types.push_back(TIMESTAMPTZOID);
      values.push_back(TimestampTzGetDatum(spec.lower_bound));
      sql += " AND e.ts OPERATOR(pg_catalog.>=) $" + std::to_string(types.size());
    }
    if (!spec.every_event) {
      types.push_back(TEXTARRAYOID);
      values.push_back(text_array(program.events()));
      sql += " AND e.event::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($" + std::to_string(types.size()) + ")";
    }
    pg_call([&] {
      plan_ = SPI_prepare_cursor(sql.c_str(), static_cast<int>(types.size()), types.data(), CURSOR_OPT_PARALLEL_OK);
      if (plan_ == nullptr) elog(ERROR, "cohort: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
      params_ = makeParamList(static_cast<int>(types.size()));
      for (std::size_t i = 0; i < types.size(); ++i) {
        ParamExternData& p = params_->params[i];
        p.value = values[i];
        p.isnull = false;
        p.pflags = PARAM_FLAG_CONST;
        p.ptype = types[i];
      }
    });
  }

  void for_each_batch(EventBatch& b, MemoryContext batch_context, const BatchConsumer& consume) override {
    BatchReceiver r{};
    r.dest.receiveSlot = receive_event_row;
    r.dest.rStartup = receiver_startup;
    r.dest.rShutdown = receiver_shutdown;
    r.dest.rDestroy = receiver_destroy;
    r.dest.mydest = DestNone;
    r.source = this;
    r.batch = &b;
    r.batch_context = batch_context;
    r.consume = &consume;
    r.caller_context = CurrentMemoryContext;
    r.caller_error_context = error_context_stack;
    b.rows = 0;
    pg_call([&] {
      MemoryContextReset(batch_context);
      SPIExecuteOptions options;
      memset(&options, 0, sizeof options);
      options.params = params_;
      options.read_only = true;
      options.dest = &r.dest;
      // A SELECT whose receiver is not SPI's own (DestNone) returns SPI_OK_UTILITY.
      int rc = SPI_execute_plan_extended(plan_, &options);
      if (rc != SPI_OK_UTILITY) elog(ERROR, "cohort: SPI_execute_plan_extended returned %s", SPI_result_code_string(rc));
    });
    if (b.rows > 0) consume(b);
  }

  // Appends the row in `slot` to `b` when it may feed an accumulator; whether it did. Called by
  // the executor (PostgreSQL calls and plain stores only); texts go to `batch_context`.
  bool take(TupleTableSlot* slot, EventBatch& b, MemoryContext batch_context) noexcept {
    MemoryContext old = MemoryContextSwitchTo(batch_context);
    slot_getallattrs(slot);
    const Datum* v = slot->tts_values;
    const bool* isnull = slot->tts_isnull;
    const auto& props = program_.properties();
    const std::size_t n = b.rows, P = b.props, F = b.filters;
    b.users[n] = DatumGetInt64(v[0]);  // the query keeps non-NULL ids and times only
    b.events[n] = -1;
    if (!isnull[1]) {
      text* name = DatumGetTextPP(v[1]);
      b.events[n] = program_.event_index(std::string_view(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)));
      if (reinterpret_cast<Pointer>(name) != DatumGetPointer(v[1])) pfree(name);  // a detoasted copy
    }
    b.ts[n] = DatumGetTimestampTz(v[2]);
    for (std::size_t f = 0; f < F; ++f) b.passes[n * F + f] = DatumGetBool(v[3 + P + f]);
    const bool kept =
        relevance_ == nullptr || (b.events[n] >= 0 && relevance_->feeds(b.events[n], b.ts[n], b.passes.data() + n * F));
    if (kept) {
      for (std::size_t p = 0; p < P; ++p) {
        b.nulls[n * P + p] = isnull[3 + p];
        if (isnull[3 + p]) continue;
        if (props[p].as_text)
          b.texts[n * P + p] = copied_text(v[3 + p]);
        else
          b.numbers[n * P + p] = DatumGetFloat8(v[3 + p]);
      }
      b.rows = n + 1;
    }
    MemoryContextSwitchTo(old);
    return kept;
  }

  void close() override {
    pg_call([&] { SPI_freeplan(plan_); });
  }
  const char* kind() const override { return "executor"; }
  bool is_direct() const override { return false; }

 private:
  const Program& program_;
  const RowRelevance* relevance_;  // as EventScanSpec::relevance
  SPIPlanPtr plan_ = nullptr;
  ParamListInfo params_ = nullptr;
};

bool receive_event_row(TupleTableSlot* slot, DestReceiver* self) noexcept {
  auto* r = reinterpret_cast<BatchReceiver*>(self);
  if (r->source->take(slot, *r->batch, r->batch_context) && r->batch->rows == r->batch->capacity())
    hand_over_in_caller_context(r);
  return true;
}

class SpiCustomerSource final : public CustomerSource {
 public:
  SpiCustomerSource(const CustomerColumns& columns, Oid relid) : risk_level_(columns.risk_level) {
    SourceRelation customers(relid, "customers");
    std::string sql = "SELECT c." + customers.column("user_id", ColumnType::Integer) + "::pg_catalog.int8";
    for (const std::string& a : columns.attributes)
      sql += ", c." + customers.column(a, ColumnType::Numeric) + "::pg_catalog.float8";
    if (columns.risk_level)
      sql += ", c." + customers.column("risk_level", ColumnType::Text) + "::pg_catalog.text";
    sql += " FROM " + customers.sql_name() + " c WHERE c.user_id IS NOT NULL";
    std::vector<Oid> types;
    std::vector<Datum> values;
    cursor_ = std::make_unique<Cursor>(sql, types, values);
  }

  bool next(CustomerBatch& b, MemoryContext batch_context) override {
    uint64 rows = cursor_->fetch(static_cast<long>(b.capacity()));
    b.rows = rows;
    if (rows == 0) return false;
    const std::size_t A = b.attrs;
    const bool risk = risk_level_;
    pg_call([&] {
      MemoryContext old = MemoryContextSwitchTo(batch_context);
      SPITupleTable* tt = SPI_tuptable;
      for (uint64 r = 0; r < rows; ++r) {
        bool isnull;
        b.users[r] = DatumGetInt64(SPI_getbinval(tt->vals[r], tt->tupdesc, 1, &isnull));
        for (std::size_t a = 0; a < A; ++a) {
          Datum d = SPI_getbinval(tt->vals[r], tt->tupdesc, static_cast<int>(2 + a), &isnull);
          b.nulls[r * A + a] = isnull;
          b.numbers[r * A + a] = isnull ? 0 : DatumGetFloat8(d);
        }
        b.risk_null[r] = true;
        if (risk) {
          Datum d = SPI_getbinval(tt->vals[r], tt->tupdesc, static_cast<int>(2 + A), &isnull);
          b.risk_null[r] = isnull;
          if (!isnull) b.risk[r] = text_bytes(d);
        }
      }
      MemoryContextSwitchTo(old);
    });
    return true;
  }

  void close() override { cursor_->close(); }
  const char* kind() const override { return "executor"; }

 private:
  bool risk_level_;
  std::unique_ptr<Cursor> cursor_;
};

}  // namespace

std::unique_ptr<EventSource> open_spi_events(const Program& program, const EventScanSpec& spec) {
  return std::make_unique<SpiEventSource>(program, spec);
}

std::unique_ptr<CustomerSource> open_spi_customers(const CustomerColumns& columns, Oid relid) {
  return std::make_unique<SpiCustomerSource>(columns, relid);
}

}  // namespace cohort::pg
