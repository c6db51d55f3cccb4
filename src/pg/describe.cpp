// cohort.describe(definition): readable tags as text[].
#include <string>
#include <vector>

#include "core/canonical.hpp"
#include "core/describe.hpp"
#include "pg/guard.hpp"
#include "pg/text_datum.hpp"

COHORT_FUNCTION(cohort_describe) {
  std::string json = cohort::pg::text_to_string(PG_GETARG_DATUM(0));
  bool unicode = false;
  cohort::pg::pg_call([&] { unicode = GetDatabaseEncoding() == PG_UTF8; });
  std::vector<std::string> tags = cohort::describe_tags(cohort::parse_definition(json), unicode);
  std::vector<Datum> elems;
  elems.reserve(tags.size());
  for (const std::string& t : tags) elems.push_back(cohort::pg::string_to_text(t));
  Datum out = 0;
  cohort::pg::pg_call([&] {
    out = PointerGetDatum(construct_array(elems.data(), static_cast<int>(elems.size()), TEXTOID, -1, false,
                                          TYPALIGN_INT));
  });
  return out;
}
