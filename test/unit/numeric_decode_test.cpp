// decode_numeric(): the short format's fast path (one or two digits) against known values and
// against the general way, which a trailing zero digit (never stored by PostgreSQL, accepted here)
// forces for the same value.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/numeric_decode.hpp"

namespace {

// The bytes of a short-format numeric: sign, display scale, weight, then base-10000 digits.
std::vector<unsigned char> short_numeric(bool negative, int dscale, int weight, std::vector<uint16_t> digits) {
  uint16_t header = 0x8000 | (negative ? 0x2000 : 0) | static_cast<uint16_t>((dscale & 0x3F) << 7) |
                    (weight < 0 ? 0x0040 | static_cast<uint16_t>(weight & 0x3F) : static_cast<uint16_t>(weight));
  std::vector<unsigned char> bytes(2 + 2 * digits.size());
  std::memcpy(bytes.data(), &header, 2);
  for (std::size_t i = 0; i < digits.size(); ++i) std::memcpy(bytes.data() + 2 + 2 * i, &digits[i], 2);
  return bytes;
}

// Whether the bytes decode, and to what (NaN where they do not).
double decode_or_nan(const std::vector<unsigned char>& bytes) {
  double out = 0;
  return cohort::decode_numeric(bytes.data(), bytes.size(), out) ? out : std::nan("");
}

// Two decodings agree: both refused, or the same double.
void expect_same(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    EXPECT_TRUE(std::isnan(a) && std::isnan(b)) << a << " " << b;
  else
    EXPECT_EQ(a, b);
}

double decode(const std::vector<unsigned char>& bytes) {
  double out = -1;
  EXPECT_TRUE(cohort::decode_numeric(bytes.data(), bytes.size(), out));
  return out;
}

TEST(NumericDecode, ShortFormatValues) {
  EXPECT_EQ(decode(short_numeric(false, 0, 0, {4683})), 4683.0);
  EXPECT_EQ(decode(short_numeric(true, 0, 0, {4683})), -4683.0);
  EXPECT_EQ(decode(short_numeric(false, 2, 0, {12, 3400})), 12.34);
  EXPECT_EQ(decode(short_numeric(false, 0, 1, {1, 2100})), 12100.0);
  EXPECT_EQ(decode(short_numeric(false, 4, -1, {12})), 0.0012);
  EXPECT_EQ(decode(short_numeric(true, 8, -1, {1, 5000})), -0.00015);
  EXPECT_EQ(decode(short_numeric(false, 0, 2, {3})), 3e8);  // scaled up: the general way
}

TEST(NumericDecode, FastPathEqualsGeneralWay) {
  for (int weight = -6; weight <= 3; ++weight)
    for (uint16_t first : {1, 7, 12, 999, 4683, 9999})
      for (uint16_t last : {1, 5, 3400, 9999})
        for (bool negative : {false, true}) {
          const auto two = short_numeric(negative, 0, weight, {first, last});
          const auto two_padded = short_numeric(negative, 0, weight, {first, last, 0});
          const auto one = short_numeric(negative, 0, weight, {first});
          const auto one_padded = short_numeric(negative, 0, weight, {first, 0});
          SCOPED_TRACE(testing::Message() << weight << " " << first << " " << last << " " << negative);
          expect_same(decode_or_nan(two), decode_or_nan(two_padded));
          expect_same(decode_or_nan(one), decode_or_nan(one_padded));
        }
}

TEST(NumericDecode, FastPathRejectsWhatTheGeneralWayRejects) {
  double out = 0;
  const auto bad_digit = short_numeric(false, 0, 0, {10000});
  EXPECT_FALSE(cohort::decode_numeric(bad_digit.data(), bad_digit.size(), out));
  const auto bad_last = short_numeric(false, 0, 0, {12, 10000});
  EXPECT_FALSE(cohort::decode_numeric(bad_last.data(), bad_last.size(), out));
}

}  // namespace
