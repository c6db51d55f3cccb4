// Executor path: the sources are read by a generated query through SPI, so views, partitioned and
// foreign tables, and row-level security policies all behave exactly as in the caller's own SQL.
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/risk_counts.hpp"
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

// A generated query prepared so that the planner may give it parallel workers (as it would the
// caller's own SQL), with its parameters. A cursor would forbid them.
struct PreparedQuery {
  SPIPlanPtr plan = nullptr;
  ParamListInfo params = nullptr;
};

// Prepares `sql` with parameters $1.. of `types` set to `values` (none NULL).
PreparedQuery prepare_query(const std::string& sql, const std::vector<Oid>& types, const std::vector<Datum>& values) {
  PreparedQuery q;
  pg_call([&] {
    q.plan = SPI_prepare_cursor(sql.c_str(), static_cast<int>(types.size()), const_cast<Oid*>(types.data()),
                                CURSOR_OPT_PARALLEL_OK);
    if (q.plan == nullptr) elog(ERROR, "cohort: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    q.params = makeParamList(static_cast<int>(types.size()));
    for (std::size_t i = 0; i < types.size(); ++i) {
      ParamExternData& p = q.params->params[i];
      p.value = values[i];
      p.isnull = false;
      p.pflags = PARAM_FLAG_CONST;
      p.ptype = types[i];
    }
  });
  return q;
}

// risk_level_index() of a text datum (detoasted into the current memory context if need be).
signed char risk_level_of(Datum d) {
  text* t = DatumGetTextPP(d);
  return static_cast<signed char>(risk_level_index(std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))));
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

// The executor's receiver of a generated query's rows: it fills a batch through the source's
// take() and hands each full one to the consumer. The executor calls it, so it holds nothing with
// a destructor, and the consumer (C++ that may throw) runs under run_guarded(), in the caller's
// memory context and error context (errors of its own do not carry SPI's "SQL statement" context
// line). `Source` names its `Batch` type and has `bool take(const Datum*, const bool*, Batch&)
// noexcept`, called with the row deformed and the batch context current.
template <typename Source>
struct BatchReceiver {
  using Batch = typename Source::Batch;
  DestReceiver dest;  // first: the executor sees a DestReceiver*
  Source* source;
  Batch* batch;
  MemoryContext batch_context;
  const std::function<void(const Batch&)>* consume;
  MemoryContext caller_context;                  // CurrentMemoryContext of run_batches()
  ErrorContextCallback* caller_error_context;    // error_context_stack of run_batches()
};

void receiver_startup(DestReceiver*, int, TupleDesc) {}
void receiver_shutdown(DestReceiver*) {}
void receiver_destroy(DestReceiver*) {}

// Hands a full batch to the consumer and empties it (run_guarded: exceptions become errors).
template <typename Source>
Datum hand_over_batch(void* arg) {
  auto* r = static_cast<BatchReceiver<Source>*>(arg);
  (*r->consume)(*r->batch);
  r->batch->rows = 0;
  pg_call([&] { MemoryContextReset(r->batch_context); });
  return Datum(0);
}

// Runs hand_over_batch() as if from run_batches(): its memory context and error context stack
// (an error longjmps to run_batches' pg_call, which restores both).
template <typename Source>
void hand_over_in_caller_context(BatchReceiver<Source>* r) noexcept {
  MemoryContext executor_context = MemoryContextSwitchTo(r->caller_context);
  ErrorContextCallback* executor_error_context = error_context_stack;
  error_context_stack = r->caller_error_context;
  run_guarded(hand_over_batch<Source>, r);
  error_context_stack = executor_error_context;
  MemoryContextSwitchTo(executor_context);
}

// The executor's call for each row: the source takes its values (deformed in the batch context,
// where the texts it keeps go), and a full batch goes to the consumer.
template <typename Source>
bool receive_row(TupleTableSlot* slot, DestReceiver* self) noexcept {
  auto* r = reinterpret_cast<BatchReceiver<Source>*>(self);
  MemoryContext old = MemoryContextSwitchTo(r->batch_context);
  slot_getallattrs(slot);
  const bool kept = r->source->take(slot->tts_values, slot->tts_isnull, *r->batch);
  MemoryContextSwitchTo(old);
  if (kept && r->batch->rows == r->batch->capacity()) hand_over_in_caller_context(r);
  return true;
}

// Runs `query` once to its end, its rows going through `source`'s take() into `b` and every batch
// to `consume` (the last, partial one after the run).
template <typename Source>
void run_batches(Source* source, const PreparedQuery& query, typename Source::Batch& b, MemoryContext batch_context,
                 const std::function<void(const typename Source::Batch&)>& consume) {
  BatchReceiver<Source> r{};
  r.dest.receiveSlot = receive_row<Source>;
  r.dest.rStartup = receiver_startup;
  r.dest.rShutdown = receiver_shutdown;
  r.dest.rDestroy = receiver_destroy;
  r.dest.mydest = DestNone;
  r.source = source;
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
    options.params = query.params;
    options.read_only = true;
    options.dest = &r.dest;
    // A SELECT whose receiver is not SPI's own (DestNone) returns SPI_OK_UTILITY.
    int rc = SPI_execute_plan_extended(query.plan, &options);
    if (rc != SPI_OK_UTILITY) elog(ERROR, "cohort: SPI_execute_plan_extended returned %s", SPI_result_code_string(rc));
  });
  if (b.rows > 0) consume(b);
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
    query_ = prepare_query(sql, types, values);
  }

  using Batch = EventBatch;

  void for_each_batch(EventBatch& b, MemoryContext batch_context, const BatchConsumer& consume) override {
    run_batches(this, query_, b, batch_context, consume);
  }

  // Appends the row `v`/`isnull` to `b` when it may feed an accumulator; whether it did. Called by
  // the receiver (PostgreSQL calls and plain stores only), in the batch context.
  bool take(const Datum* v, const bool* isnull, EventBatch& b) noexcept {
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
    return kept;
  }

  void close() override {
    pg_call([&] { SPI_freeplan(query_.plan); });
  }
  const char* kind() const override { return "executor"; }
  bool is_direct() const override { return false; }

 private:
  const Program& program_;
  const RowRelevance* relevance_;  // as EventScanSpec::relevance
  PreparedQuery query_;
};

// Customers through one run of a generated query, as SpiEventSource reads events.
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
    query_ = prepare_query(sql, {}, {});
  }

  using Batch = CustomerBatch;

  void for_each_batch(CustomerBatch& b, MemoryContext batch_context, const CustomerConsumer& consume) override {
    run_batches(this, query_, b, batch_context, consume);
  }

  // Appends the row `v`/`isnull` to `b`, unless its user is not a candidate (then false). Called
  // by the receiver (PostgreSQL calls and plain stores only), in the batch context.
  bool take(const Datum* v, const bool* isnull, CustomerBatch& b) noexcept {
    const std::size_t n = b.rows, A = b.attrs;
    const int64_t user = DatumGetInt64(v[0]);  // the query keeps non-NULL ids only
    if (candidates_ != nullptr && !candidates_->may_match(user)) return false;
    b.users[n] = user;
    for (std::size_t a = 0; a < A; ++a) {
      b.nulls[n * A + a] = isnull[1 + a];
      b.numbers[n * A + a] = isnull[1 + a] ? 0 : DatumGetFloat8(v[1 + a]);
    }
    b.risk_null[n] = true;
    if (risk_level_) {
      b.risk_null[n] = isnull[1 + A];
      if (!isnull[1 + A]) b.risk[n] = risk_level_of(v[1 + A]);
    }
    b.rows = n + 1;
    return true;
  }

  void close() override {
    pg_call([&] { SPI_freeplan(query_.plan); });
  }
  const char* kind() const override { return "executor"; }

 private:
  bool risk_level_;
  PreparedQuery query_;
};

}  // namespace

std::unique_ptr<EventSource> open_spi_events(const Program& program, const EventScanSpec& spec) {
  return std::make_unique<SpiEventSource>(program, spec);
}

std::unique_ptr<CustomerSource> open_spi_customers(const CustomerColumns& columns, Oid relid) {
  return std::make_unique<SpiCustomerSource>(columns, relid);
}

}  // namespace cohort::pg
