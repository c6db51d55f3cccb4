// list_normal_offsets(): the offsets of the normal line pointers, last first, against a plain
// loop over every count a heap page can hold and every mix of flags (unused, normal, redirect,
// dead), including runs of four that are all normal or not.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/line_pointers.hpp"

namespace {

// A line pointer word: offset, flags (0 unused, 1 normal, 2 redirect, 3 dead), length.
uint32_t line(uint32_t offset, uint32_t flags, uint32_t length) { return offset | (flags << 15) | (length << 17); }

// The offsets the plain loop lists: normal ones only, from the last line pointer to the first.
std::vector<uint16_t> expected_offsets(const std::vector<uint32_t>& lines) {
  std::vector<uint16_t> out;
  for (std::size_t i = lines.size(); i-- > 0;)
    if (((lines[i] >> 15) & 3) == 1) out.push_back(static_cast<uint16_t>(lines[i] & 0x7fff));
  return out;
}

// What list_normal_offsets() returns, checking that it writes within `count` entries.
std::vector<uint16_t> listed(const std::vector<uint32_t>& lines) {
  constexpr uint16_t kGuard = 0xBEEF;
  std::vector<uint16_t> out(lines.size() + 8, kGuard);
  const int n = cohort::list_normal_offsets(lines.data(), static_cast<int>(lines.size()), out.data());
  for (std::size_t i = lines.size(); i < out.size(); ++i) EXPECT_EQ(out[i], kGuard) << "written past count at " << i;
  EXPECT_GE(n, 0);
  EXPECT_LE(static_cast<std::size_t>(n), lines.size());
  out.resize(static_cast<std::size_t>(n));
  return out;
}

TEST(LinePointers, EmptyPage) { EXPECT_TRUE(listed({}).empty()); }

TEST(LinePointers, AllNormalInAscendingAddressOrder) {
  // Tuples placed from the end of the page: line pointer 1 has the highest offset.
  for (int count : {1, 3, 4, 5, 8, 111, 291}) {
    std::vector<uint32_t> lines;
    for (int i = 0; i < count; ++i) lines.push_back(line(8184 - 24 * static_cast<uint32_t>(i), 1, 61));
    const std::vector<uint16_t> out = listed(lines);
    ASSERT_EQ(out.size(), static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], 8184 - 24 * (count - 1 - i));
  }
}

TEST(LinePointers, FlagsOtherThanNormalAreLeftOut) {
  // Offsets up to 0x7fff and lengths up to 0x7fff must not leak into the flags or the offsets.
  const std::vector<uint32_t> lines = {line(0x7fff, 1, 0x7fff), line(100, 0, 0), line(200, 2, 0), line(300, 3, 0x7fff),
                                       line(400, 1, 0), line(0, 1, 1), line(500, 3, 5), line(600, 1, 0x7fff)};
  EXPECT_EQ(listed(lines), expected_offsets(lines));
  EXPECT_EQ(listed(lines), (std::vector<uint16_t>{600, 0, 400, 0x7fff}));
}

TEST(LinePointers, RandomPagesEqualThePlainLoop) {
  std::mt19937 random(20261207);
  for (int page = 0; page < 20000; ++page) {
    const int count = static_cast<int>(random() % 292);
    // Some pages all normal, some with a few others, some mostly others.
    const unsigned other_per_mille = std::vector<unsigned>{0, 10, 100, 500, 900}[random() % 5];
    std::vector<uint32_t> lines;
    for (int i = 0; i < count; ++i) {
      const uint32_t flags = random() % 1000 < other_per_mille ? std::vector<uint32_t>{0, 2, 3}[random() % 3] : 1;
      lines.push_back(line(random() & 0x7fff, flags, random() & 0x7fff));
    }
    ASSERT_EQ(listed(lines), expected_offsets(lines)) << "page " << page << ", " << count << " line pointers";
  }
}

}  // namespace
