// Fuzz target: decode_numeric over any bytes. It must not read out of bounds, and whenever it
// returns true its double must equal strtod of the decimal text written from the same sign,
// weight and base-10000 digits (what numeric_out + float8in, i.e. numeric::float8, computes).
// Where the bytes cannot be a numeric (odd length, a digit >= 10000) it must return false.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/numeric_decode.hpp"
#include "fuzz_check.hpp"

using cohort_fuzz::check;

namespace {

// The 16-bit value at p.
std::uint16_t u16(const unsigned char* p) {
  std::uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Hex dump of the input, for messages.
std::string hex(const unsigned char* data, std::size_t size) {
  std::string out;
  char b[4];
  for (std::size_t i = 0; i < size; ++i) {
    std::snprintf(b, sizeof b, "%02x", data[i]);
    out += b;
  }
  return out;
}

// A double with every significant digit, for messages.
std::string full(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // An exact-size heap copy, so that AddressSanitizer sees any read past the end.
  std::vector<unsigned char> bytes(data, data + size);
  const unsigned char* p = bytes.empty() ? nullptr : bytes.data();
  double got = 0;
  bool ok = cohort::decode_numeric(p, size, got);
  if (!ok) return 0;
  std::string what = "decode_numeric(" + hex(data, size) + ")";
  check(size >= 2, what + " accepted fewer than 2 bytes");

  // Independent reading of the layout (see numeric_decode.cpp and PostgreSQL's numeric.c).
  std::uint16_t header = u16(p);
  bool negative;
  int weight;
  std::size_t offset;
  if ((header & 0xC000) == 0xC000) {
    std::uint16_t kind = header & 0xF000;
    if (kind == 0xC000) check(std::isnan(got), what + " is not NaN");
    else if (kind == 0xD000) check(got == HUGE_VAL, what + " is not +Infinity");
    else if (kind == 0xF000) check(got == -HUGE_VAL, what + " is not -Infinity");
    else cohort_fuzz::fail(what + " accepted an unknown special value");
    return 0;
  }
  if (header & 0x8000) {  // short format
    negative = (header & 0x2000) != 0;
    weight = header & 0x003F;
    if (header & 0x0040) weight -= 64;
    offset = 2;
  } else {
    check(size >= 4, what + " accepted a truncated long header");
    check((header & 0xC000) == 0 || (header & 0xC000) == 0x4000, what + " accepted a bad sign");
    negative = (header & 0xC000) == 0x4000;
    weight = static_cast<std::int16_t>(u16(p + 2));
    offset = 4;
  }
  check((size - offset) % 2 == 0, what + " accepted an odd number of digit bytes");
  std::size_t ndigits = (size - offset) / 2;
  std::string text = negative ? "-0" : "0";
  for (std::size_t i = 0; i < ndigits; ++i) {
    std::uint16_t d = u16(p + offset + 2 * i);
    check(d < 10000, what + " accepted a digit >= 10000");
    char b[16];
    std::snprintf(b, sizeof b, "%04u", static_cast<unsigned>(d));
    text += b;
  }
  text += "e" + std::to_string(4 * (weight - static_cast<long>(ndigits) + 1));
  double want = std::strtod(text.c_str(), nullptr);
  check(!std::isnan(got) && got == want,
        what + " gave " + full(got) + " but strtod(\"" + text + "\") gives " + full(want));
  return 0;
}
