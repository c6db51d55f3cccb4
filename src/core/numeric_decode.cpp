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

// Reads a 16-bit value at p (possibly unaligned).
uint16_t read_u16(const unsigned char* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

bool decode_numeric_general(const unsigned char* data, std::size_t len, double& out) {
  if (len < 2) return false;
  uint16_t header = read_u16(data);
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
    weight = short_numeric_weight(header);
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
