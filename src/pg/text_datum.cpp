// Text datum helpers.
#include "pg/text_datum.hpp"

namespace cohort::pg {

std::string text_to_string(Datum d) {
  const char* data = nullptr;
  int len = 0;
  pg_call([&] {
    text* t = DatumGetTextPP(d);
    data = VARDATA_ANY(t);
    len = VARSIZE_ANY_EXHDR(t);
  });
  return std::string(data, static_cast<std::size_t>(len));
}

Datum string_to_text(std::string_view s) {
  Datum out = 0;
  pg_call([&] { out = PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
  return out;
}

char* string_to_cstring(std::string_view s) {
  char* out = nullptr;
  pg_call([&] { out = pnstrdup(s.data(), s.size()); });
  return out;
}

Datum make_row(FunctionCallInfo fcinfo, const Datum* values, const bool* nulls) {
  Datum out = 0;
  pg_call([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "cohort: function must return a composite type");
    out = HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), const_cast<Datum*>(values),
                                            const_cast<bool*>(nulls)));
  });
  return out;
}

}  // namespace cohort::pg
