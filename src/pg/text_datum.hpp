// Conversions between C++ values and PostgreSQL datums (text, composite rows), through the boundary guard.
#pragma once

#include <string>
#include <string_view>

#include "pg/guard.hpp"

namespace cohort::pg {

// Copies a (possibly toasted) text/varlena datum into a std::string.
std::string text_to_string(Datum d);

// Makes a palloc'd text datum from `s`.
Datum string_to_text(std::string_view s);

// Makes a palloc'd NUL-terminated copy of `s` (for cstring results).
char* string_to_cstring(std::string_view s);

// Builds a row of the calling function's declared composite result type.
Datum make_row(FunctionCallInfo fcinfo, const Datum* values, const bool* nulls);

}  // namespace cohort::pg
