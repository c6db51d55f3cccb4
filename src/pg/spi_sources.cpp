// Executor path: the sources are read by a generated query through SPI, so views, partitioned and
// foreign tables, and row-level security policies all behave exactly as in the caller's own SQL.
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

// Copies a text datum's bytes into the current memory context.
std::string_view copy_text(Datum d) {
  text* t = DatumGetTextPP(d);
  return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

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
    cursor_ = std::make_unique<Cursor>(sql, types, values);
  }

  bool next(EventBatch& b, MemoryContext batch_context) override {
    uint64 rows = cursor_->fetch(static_cast<long>(b.capacity()));
    if (rows == 0) {
      b.rows = 0;
      return false;
    }
    const auto& props = program_.properties();
    const std::size_t P = b.props, F = b.filters;
    std::size_t n = 0;  // rows kept (those that feed an accumulator, with relevance_)
    pg_call([&] {
      MemoryContext old = MemoryContextSwitchTo(batch_context);
      SPITupleTable* tt = SPI_tuptable;
      TupleDesc desc = tt->tupdesc;
      for (uint64 r = 0; r < rows; ++r) {
        HeapTuple tup = tt->vals[r];
        bool isnull;
        b.users[n] = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
        Datum ev = SPI_getbinval(tup, desc, 2, &isnull);
        b.events[n] = isnull ? -1 : program_.event_index(copy_text(ev));
        b.ts[n] = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
        for (std::size_t f = 0; f < F; ++f)
          b.passes[n * F + f] = DatumGetBool(SPI_getbinval(tup, desc, static_cast<int>(4 + P + f), &isnull));
        if (relevance_ != nullptr &&
            (b.events[n] < 0 || !relevance_->feeds(b.events[n], b.ts[n], b.passes.data() + n * F)))
          continue;
        for (std::size_t p = 0; p < P; ++p) {
          Datum d = SPI_getbinval(tup, desc, static_cast<int>(4 + p), &isnull);
          b.nulls[n * P + p] = isnull;
          if (isnull) continue;
          if (props[p].as_text)
            b.texts[n * P + p] = copy_text(d);
          else
            b.numbers[n * P + p] = DatumGetFloat8(d);
        }
        ++n;
      }
      MemoryContextSwitchTo(old);
    });
    b.rows = n;
    return true;
  }

  void close() override { cursor_->close(); }
  const char* kind() const override { return "executor"; }
  bool is_direct() const override { return false; }

 private:
  const Program& program_;
  const RowRelevance* relevance_;  // as EventScanSpec::relevance
  std::unique_ptr<Cursor> cursor_;
};

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
          if (!isnull) b.risk[r] = copy_text(d);
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
