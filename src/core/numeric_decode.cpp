// Numeric decoding. The layout (stable on disk across PostgreSQL versions, pg_upgrade relies on it):
// a uint16 header; if its top bit is set the value is "short" (sign 0x2000, weight in 0x007F with
// sign bit 0x0040) or special (NaN 0xC000, +Inf 0xD000, -Inf 0xF000); otherwise the header holds
// the sign (0x4000 negative) and an int16 weight follows. Then base-10000 int16 digits, the first
// one weighing 10000^weight.
#include "core/numeric_decode.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace cohort {
namespace {

// Exact powers of ten representable in a double.
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Reads a 16-bit value at p (possibly unaligned).
uint16_t read_u16(const unsigned char* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The weight of a short-format header: 6 bits with the sign in 0x0040.
int short_weight(uint16_t header) {
  return (header & 0x0040) ? static_cast<int>(~0x003F | (header & 0x003F)) : (header & 0x003F);
}

}  // namespace

bool decode_numeric(const unsigned char* data, std::size_t len, double& out) {
  if (len < 2) return false;
  uint16_t header = read_u16(data);
  // The common case first (most prices and amounts): the short format with one or two digits,
  // the last not zero, and a value of at most 8 digits before the point. The same arithmetic as
  // the general way below, without its loops.
  if ((len == 4 || len == 6) && (header & 0xC000) == 0x8000) {
    const uint16_t first = read_u16(data + 2), last = read_u16(data + len - 2);
    const int ndigits = static_cast<int>(len - 2) / 2;
    const int weight = short_weight(header);
    const int exponent = 4 * (weight - ndigits + 1);
    if (first < 10000 && last < 10000 && last != 0 && exponent <= 0 && exponent >= -22) {
      const uint64_t mantissa = ndigits == 1 ? first : uint64_t{first} * 10000 + last;
      const double m = static_cast<double>(mantissa);
      const double v = exponent == 0 ? m : m / kPow10[-exponent];
      out = (header & 0x2000) != 0 ? -v : v;
      return true;
    }
  }
  bool negative;
  int weight;
  std::size_t offset;
  if (header & 0x8000) {
    if ((header & 0xC000) == 0xC000) {  // special values
      switch (header & 0xF000) {
        case 0xC000: out = std::numeric_limits<double>::quiet_NaN(); return true;
        case 0xD000: out = std::numeric_limits<double>::infinity(); return true;
        case 0xF000: out = -std::numeric_limits<double>::infinity(); return true;
        default: return false;
      }
    }
    negative = (header & 0x2000) != 0;
    weight = short_weight(header);
    offset = 2;
  } else {
    if (len < 4) return false;
    uint16_t sign = header & 0xC000;
    if (sign != 0x0000 && sign != 0x4000) return false;
    negative = sign == 0x4000;
    weight = static_cast<int16_t>(read_u16(data + 2));
    offset = 4;
  }
  std::size_t ndigits = (len - offset) / 2;
  if ((len - offset) % 2 != 0) return false;
  if (ndigits == 0) {
    out = 0.0;
    return true;
  }
  // Drop trailing zero digits (normally already stripped) so that the mantissa stays small.
  while (ndigits > 0 && read_u16(data + offset + 2 * (ndigits - 1)) == 0) --ndigits;
  if (ndigits == 0) {
    out = 0.0;
    return true;
  }
  if (ndigits > 4) return false;
  uint64_t mantissa = 0;
  for (std::size_t i = 0; i < ndigits; ++i) {
    uint16_t d = read_u16(data + offset + 2 * i);
    if (d >= 10000) return false;
    mantissa = mantissa * 10000 + d;
  }
  if (mantissa > (uint64_t{1} << 53)) return false;
  int exponent = 4 * (weight - static_cast<int>(ndigits) + 1);
  double m = static_cast<double>(mantissa);
  double v;
  if (exponent >= 0) {
    if (exponent > 22) return false;
    double scaled = m * kPow10[exponent];
    if (scaled > 9007199254740992.0) return false;  // product must stay exact
    v = scaled;
  } else {
    if (-exponent > 22) return false;
    v = m / kPow10[-exponent];  // one correctly rounded division, as strtod would give
  }
  out = negative ? -v : v;
  return true;
}

}  // namespace cohort
