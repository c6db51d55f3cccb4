// Type I/O of cohort.definition: text in/out, binary send/recv, jsonb casts, comparison.
#include <string>

#include "core/binary_format.hpp"
#include "core/canonical.hpp"
#include "core/errors.hpp"
#include "pg/guard.hpp"
#include "pg/text_datum.hpp"

namespace {

// Parses any accepted form and returns the canonical text as a datum.
Datum canonical_datum(std::string_view json) {
  return cohort::pg::string_to_text(cohort::write_canonical(cohort::parse_definition(json)));
}

}  // namespace

// Text input: JSON in any accepted form, stored canonical.
COHORT_FUNCTION(cohort_definition_in) {
  const char* input = PG_GETARG_CSTRING(0);
  return canonical_datum(input);
}

// Text output: the canonical JSON.
COHORT_FUNCTION(cohort_definition_out) {
  std::string s = cohort::pg::text_to_string(PG_GETARG_DATUM(0));
  return CStringGetDatum(cohort::pg::string_to_cstring(s));
}

// Binary input: a version byte, then JSON text; validated like text input. The checks live in
// cohort::decode_binary (fuzzed in test/fuzz); here only the text is converted from the client
// encoding (pq_getmsgtext), which is done only for the known version.
COHORT_FUNCTION(cohort_definition_recv) {
  StringInfo buf = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
  int version = 0;
  char* body = nullptr;
  int nbytes = 0;
  cohort::pg::pg_call([&] {
    version = pq_getmsgbyte(buf);
    if (version == cohort::kDefinitionBinaryVersion) body = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
  });
  std::string bytes(1, static_cast<char>(version));
  if (body != nullptr) bytes.append(body, static_cast<std::size_t>(nbytes));
  return cohort::pg::string_to_text(cohort::write_canonical(cohort::decode_binary(bytes)));
}

// Binary output: a version byte, then the canonical JSON text.
COHORT_FUNCTION(cohort_definition_send) {
  Datum d = PG_GETARG_DATUM(0);
  bytea* out = nullptr;
  cohort::pg::pg_call([&] {
    text* t = DatumGetTextPP(d);
    StringInfoData buf;
    pq_begintypsend(&buf);
    pq_sendbyte(&buf, cohort::kDefinitionBinaryVersion);
    pq_sendtext(&buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    out = pq_endtypsend(&buf);
  });
  PG_RETURN_BYTEA_P(out);
}

// Cast to jsonb.
COHORT_FUNCTION(cohort_definition_to_jsonb) {
  std::string s = cohort::pg::text_to_string(PG_GETARG_DATUM(0));
  char* cstr = cohort::pg::string_to_cstring(s);
  Datum out = 0;
  cohort::pg::pg_call([&] { out = DirectFunctionCall1(jsonb_in, CStringGetDatum(cstr)); });
  return out;
}

// Cast from jsonb (validated like text input).
COHORT_FUNCTION(cohort_definition_from_jsonb) {
  Datum d = PG_GETARG_DATUM(0);
  char* cstr = nullptr;
  cohort::pg::pg_call([&] {
    Jsonb* jb = DatumGetJsonbP(d);
    cstr = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
  });
  return canonical_datum(cstr);
}

namespace {

// Byte-wise three-way comparison of two canonical texts.
int compare_datums(Datum a, Datum b) {
  int result = 0;
  cohort::pg::pg_call([&] {
    text* x = DatumGetTextPP(a);
    text* y = DatumGetTextPP(b);
    int lx = VARSIZE_ANY_EXHDR(x), ly = VARSIZE_ANY_EXHDR(y);
    int c = memcmp(VARDATA_ANY(x), VARDATA_ANY(y), Min(lx, ly));
    result = c != 0 ? c : (lx < ly ? -1 : (lx > ly ? 1 : 0));
  });
  return result;
}

}  // namespace

// btree support: -1, 0 or 1.
COHORT_FUNCTION(cohort_definition_cmp) {
  int c = compare_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1));
  PG_RETURN_INT32(c < 0 ? -1 : (c > 0 ? 1 : 0));
}

COHORT_FUNCTION(cohort_definition_eq) { PG_RETURN_BOOL(compare_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) == 0); }
COHORT_FUNCTION(cohort_definition_ne) { PG_RETURN_BOOL(compare_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) != 0); }
COHORT_FUNCTION(cohort_definition_lt) { PG_RETURN_BOOL(compare_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) < 0); }
COHORT_FUNCTION(cohort_definition_le) { PG_RETURN_BOOL(compare_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) <= 0); }
COHORT_FUNCTION(cohort_definition_gt) { PG_RETURN_BOOL(compare_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) > 0); }
COHORT_FUNCTION(cohort_definition_ge) { PG_RETURN_BOOL(compare_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) >= 0); }

// hash support: hash of the canonical bytes.
COHORT_FUNCTION(cohort_definition_hash) {
  Datum d = PG_GETARG_DATUM(0);
  Datum h = 0;
  cohort::pg::pg_call([&] {
    text* t = DatumGetTextPP(d);
    h = hash_any(reinterpret_cast<const unsigned char*>(VARDATA_ANY(t)), VARSIZE_ANY_EXHDR(t));
  });
  return h;
}
