// Exact conversion of PostgreSQL's on-disk numeric format to double, for the common cases.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cohort {

// Converts the bytes of a numeric value (after the varlena header) to the double that
// numeric::float8 would give. Returns false when the fast exact path does not apply (more than
// 15 significant digits or an exponent beyond 10^22): the caller then uses PostgreSQL's cast.
bool decode_numeric(const unsigned char* data, std::size_t len, double& out);

}  // namespace cohort
