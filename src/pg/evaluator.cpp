// One pass over the events (feeding every accumulator), then one over the customers.
#include "pg/evaluator.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include "core/user_table.hpp"
#include "pg/memory_arena.hpp"
#include "pg/source_relation.hpp"

namespace cohort::pg {
namespace {

constexpr long kBatchRows = 4096;

// Owns a memory context for the duration of an evaluation.
class ScopedContext {
 public:
  // `name` must be a string literal (memory context names are not copied).
  explicit ScopedContext(const char* name) {
    pg_call([&] { context_ = AllocSetContextCreateInternal(CurrentMemoryContext, name, ALLOCSET_DEFAULT_SIZES); });
  }
  ~ScopedContext() { MemoryContextDelete(context_); }
  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;
  MemoryContext get() const { return context_; }

 private:
  MemoryContext context_ = nullptr;
};

// Keeps an SPI connection open for the evaluation; closes it on the normal path.
class SpiConnection {
 public:
  SpiConnection() {
    pg_call([&] {
      if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "cohort: SPI_connect failed");
    });
  }
  // Closes the connection; on an error path the transaction abort closes it instead.
  void finish() {
    pg_call([&] { SPI_finish(); });
  }
};

// A parameter list for SPI.
struct QueryParams {
  std::vector<Oid> types;
  std::vector<Datum> values;
};

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

// Opens a read-only cursor for `sql` with `params`.
Portal open_cursor(const std::string& sql, QueryParams& params) {
  Portal portal = nullptr;
  pg_call([&] {
    SPIPlanPtr plan = SPI_prepare(sql.c_str(), static_cast<int>(params.types.size()), params.types.data());
    if (plan == nullptr) elog(ERROR, "cohort: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    portal = SPI_cursor_open(nullptr, plan, params.values.data(), nullptr, true);
  });
  return portal;
}

// Fetches the next batch; returns the number of rows (0 at the end).
uint64 fetch(Portal portal) {
  uint64 n = 0;
  pg_call([&] {
    CHECK_FOR_INTERRUPTS();
    if (SPI_tuptable != nullptr) SPI_freetuptable(SPI_tuptable);
    SPI_cursor_fetch(portal, true, kBatchRows);
    n = SPI_processed;
  });
  return n;
}

// Closes a cursor.
void close_cursor(Portal portal) {
  pg_call([&] {
    if (SPI_tuptable != nullptr) SPI_freetuptable(SPI_tuptable);
    SPI_cursor_close(portal);
  });
}

// Column buffers for one fetched batch of event rows.
struct EventBatch {
  std::vector<int64_t> users, ts;
  std::vector<int> events;
  std::vector<double> numbers;
  std::vector<std::string_view> texts;
  std::vector<char> nulls, filters;  // char, not bool: contiguous storage

  void resize(std::size_t rows, std::size_t props, std::size_t filter_count) {
    users.resize(rows);
    ts.resize(rows);
    events.resize(rows);
    numbers.resize(rows * props);
    texts.resize(rows * props);
    nulls.resize(rows * props);
    filters.resize(rows * filter_count);
  }
};

// Reads the events relation, folding every row into `table`.
void scan_events(const Program& program, const EvaluationInput& input, bool whole_universe,
                 UserTable& table, MemoryContext batch_context) {
  SourceRelation events(input.events, "events");
  const auto& props = program.properties();
  const auto& filters = program.filters();
  std::string sql = "SELECT e." + events.column("user_id", ColumnType::Integer) +
                    "::pg_catalog.int8, e." + events.column("event", ColumnType::Text) +
                    "::pg_catalog.text, e." + events.column("ts", ColumnType::Timestamptz);
  for (const PropertyColumn& p : props)
    sql += ", e." + events.column(p.column, p.as_text ? ColumnType::Any : ColumnType::Numeric) +
           (p.as_text ? "::pg_catalog.text" : "::pg_catalog.float8");
  QueryParams params;
  params.types = {TIMESTAMPTZOID};
  params.values = {TimestampTzGetDatum(input.as_of)};
  for (const PropertyFilter& f : filters) {
    params.types.push_back(TEXTARRAYOID);
    params.values.push_back(text_array(f.values));
    sql += ", COALESCE(e." + events.column(f.column, ColumnType::Any) +
           "::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($" + std::to_string(params.types.size()) +
           "), false)";
  }
  sql += " FROM " + events.sql_name() + " e WHERE e.user_id IS NOT NULL AND e.ts OPERATOR(pg_catalog.<=) $1";
  if (!whole_universe) {
    params.types.push_back(TEXTARRAYOID);
    params.values.push_back(text_array(program.events()));
    sql += " AND e.event::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($" +
           std::to_string(params.types.size()) + ")";
  }

  const std::size_t P = props.size(), F = filters.size();
  EventBatch batch;
  batch.resize(kBatchRows, P, F);
  Portal portal = open_cursor(sql, params);
  for (;;) {
    uint64 rows = fetch(portal);
    if (rows == 0) break;
    pg_call([&] {
      MemoryContextReset(batch_context);
      MemoryContext old = MemoryContextSwitchTo(batch_context);
      SPITupleTable* tt = SPI_tuptable;
      TupleDesc desc = tt->tupdesc;
      for (uint64 r = 0; r < rows; ++r) {
        HeapTuple tup = tt->vals[r];
        bool isnull;
        batch.users[r] = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
        Datum ev = SPI_getbinval(tup, desc, 2, &isnull);
        if (isnull) {
          batch.events[r] = -1;
        } else {
          text* t = DatumGetTextPP(ev);
          batch.events[r] = program.event_index(std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
        }
        batch.ts[r] = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
        for (std::size_t p = 0; p < P; ++p) {
          Datum d = SPI_getbinval(tup, desc, static_cast<int>(4 + p), &isnull);
          batch.nulls[r * P + p] = isnull;
          if (isnull) continue;
          if (props[p].as_text) {
            text* t = DatumGetTextPP(d);
            batch.texts[r * P + p] = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
          } else {
            batch.numbers[r * P + p] = DatumGetFloat8(d);
          }
        }
        for (std::size_t f = 0; f < F; ++f)
          batch.filters[r * F + f] = DatumGetBool(SPI_getbinval(tup, desc, static_cast<int>(4 + P + f), &isnull));
      }
      MemoryContextSwitchTo(old);
    });
    for (uint64 r = 0; r < rows; ++r) {
      EventRow row;
      row.user_id = batch.users[r];
      row.event = batch.events[r];
      row.ts = batch.ts[r];
      row.numbers = batch.numbers.data() + r * P;
      row.texts = batch.texts.data() + r * P;
      row.nulls = reinterpret_cast<const bool*>(batch.nulls.data() + r * P);
      row.filters = reinterpret_cast<const bool*>(batch.filters.data() + r * F);
      table.add(row);
    }
  }
  close_cursor(portal);
}

// Reads the customers relation and appends the user id of each matching row to `members`.
void scan_customers(const Program& program, const EvaluationInput& input, const UserTable& table,
                    MemoryContext batch_context, std::vector<int64_t>& members) {
  SourceRelation customers(input.customers, "customers");
  const auto& attrs = program.attributes();
  std::string sql = "SELECT c." + customers.column("user_id", ColumnType::Integer) + "::pg_catalog.int8";
  for (const std::string& a : attrs)
    sql += ", c." + customers.column(a, ColumnType::Numeric) + "::pg_catalog.float8";
  if (program.needs_risk_level())
    sql += ", c." + customers.column("risk_level", ColumnType::Text) + "::pg_catalog.text";
  sql += " FROM " + customers.sql_name() + " c WHERE c.user_id IS NOT NULL";

  const std::size_t A = attrs.size();
  std::vector<int64_t> users(kBatchRows);
  std::vector<double> numbers(kBatchRows * A);
  std::vector<char> nulls(kBatchRows * A), risk_null(kBatchRows);
  std::vector<std::string_view> risk(kBatchRows);
  QueryParams params;
  Portal portal = open_cursor(sql, params);
  for (;;) {
    uint64 rows = fetch(portal);
    if (rows == 0) break;
    pg_call([&] {
      MemoryContextReset(batch_context);
      MemoryContext old = MemoryContextSwitchTo(batch_context);
      SPITupleTable* tt = SPI_tuptable;
      for (uint64 r = 0; r < rows; ++r) {
        bool isnull;
        users[r] = DatumGetInt64(SPI_getbinval(tt->vals[r], tt->tupdesc, 1, &isnull));
        for (std::size_t a = 0; a < A; ++a) {
          Datum d = SPI_getbinval(tt->vals[r], tt->tupdesc, static_cast<int>(2 + a), &isnull);
          nulls[r * A + a] = isnull;
          numbers[r * A + a] = isnull ? 0 : DatumGetFloat8(d);
        }
        if (program.needs_risk_level()) {
          Datum d = SPI_getbinval(tt->vals[r], tt->tupdesc, static_cast<int>(2 + A), &isnull);
          risk_null[r] = isnull;
          if (!isnull) {
            text* t = DatumGetTextPP(d);
            risk[r] = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
          }
        }
      }
      MemoryContextSwitchTo(old);
    });
    for (uint64 r = 0; r < rows; ++r) {
      CustomerRow c;
      c.numbers = numbers.data() + r * A;
      c.nulls = reinterpret_cast<const bool*>(nulls.data() + r * A);
      c.risk_level_null = !program.needs_risk_level() || risk_null[r];
      c.risk_level = risk[r];
      if (program.matches(table.find(users[r]), &c)) members.push_back(users[r]);
    }
  }
  close_cursor(portal);
}

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

}  // namespace

std::vector<int64_t> evaluate_members(const Program& program, const EvaluationInput& input) {
  ScopedContext state_context("cohort evaluation");
  ScopedContext batch_context("cohort evaluation batch");
  MemoryContextArena arena(state_context.get());
  std::vector<int64_t> members;
  {
    UserTable table(program, arena);
    table.set_window_bounds(window_bounds(program, input.as_of));
    bool whole_universe = input.customers == InvalidOid;
    SpiConnection spi;
    if (whole_universe || !program.events().empty())
      scan_events(program, input, whole_universe, table, batch_context.get());
    if (whole_universe) {
      for (std::size_t i = 0; i < table.size(); ++i)
        if (program.matches(table.slots(i), nullptr)) members.push_back(table.user_id(i));
    } else {
      scan_customers(program, input, table, batch_context.get(), members);
    }
    spi.finish();
  }
  std::sort(members.begin(), members.end());
  return members;
}

}  // namespace cohort::pg
