// Exact conversion of PostgreSQL's on-disk numeric format to double, for the common cases.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace cohort {

// Exact powers of ten representable in a double.
inline constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The weight of a short-format numeric header: 6 bits with the sign in 0x0040.
inline int short_numeric_weight(uint16_t header) {
  return (header & 0x0040) ? static_cast<int>(~0x003F | (header & 0x003F)) : (header & 0x003F);
}

// decode_numeric() for every value its inline common case does not take.
bool decode_numeric_general(const unsigned char* data, std::size_t len, double& out);

// Converts the bytes of a numeric value (after the varlena header) to the double that
// numeric::float8 would give. Returns false when the fast exact path does not apply (more than
// 15 significant digits or an exponent beyond 10^22): the caller then uses PostgreSQL's cast.
// Inline for the common case (most prices and amounts): the short format with one or two digits,
// the last not zero, and a value of at most 8 digits before the point; the same arithmetic as the
// general way, without its loops.
inline bool decode_numeric(const unsigned char* data, std::size_t len, double& out) {
  if (len == 4 || len == 6) {
    uint16_t header, first, last;
    std::memcpy(&header, data, sizeof header);
    std::memcpy(&first, data + 2, sizeof first);
    std::memcpy(&last, data + len - 2, sizeof last);
    if ((header & 0xC000) == 0x8000 && first < 10000 && last < 10000 && last != 0) {
      const int ndigits = static_cast<int>(len - 2) / 2;
      const int weight = short_numeric_weight(header);
      const int exponent = 4 * (weight - ndigits + 1);
      if (exponent <= 0 && exponent >= -22) {
        const uint64_t mantissa = ndigits == 1 ? first : uint64_t{first} * 10000 + last;
        const double m = static_cast<double>(mantissa);
        const double v = exponent == 0 ? m : m / kPow10[-exponent];
        out = (header & 0x2000) != 0 ? -v : v;
        return true;
      }
    }
  }
  return decode_numeric_general(data, len, out);
}

}  // namespace cohort
