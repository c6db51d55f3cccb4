// Listing a heap page's normal line pointers, four at a time where the CPU allows.
#include "core/line_pointers.hpp"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace cohort {
namespace {

// Lists line pointers [from, to) from the last, one at a time without a branch each: every
// offset is written at the next free place, which only a normal one then takes.
inline uint16_t* list_one_by_one(const unsigned char* lines, int from, int to, uint16_t* next) {
  for (int i = to - 1; i >= from; --i) {
    uint32_t lp;
    std::memcpy(&lp, lines + 4 * i, sizeof lp);
    *next = static_cast<uint16_t>(lp & kLineOffsetMask);
    next += (lp & kLineFlagsMask) == kLineNormalFlags ? 1 : 0;
  }
  return next;
}

}  // namespace

int list_normal_offsets(const void* line_words, int count, uint16_t* out) {
  const auto* lines = static_cast<const unsigned char*>(line_words);
  uint16_t* next = out;
  int n = count;  // line pointers [0, n) are still to list, from the last
#if defined(__SSE2__)
  // Four at a time: where all four are normal (on an all-visible page of a table without dead
  // rows, every one), their offsets reversed and narrowed to 16 bits in one 8-byte store (offsets
  // fit in 15 bits, so the signed narrowing never saturates); else those four one by one.
  const __m128i flags_mask = _mm_set1_epi32(static_cast<int>(kLineFlagsMask));
  const __m128i normal = _mm_set1_epi32(static_cast<int>(kLineNormalFlags));
  const __m128i offset_mask = _mm_set1_epi32(static_cast<int>(kLineOffsetMask));
  for (; n >= 4; n -= 4) {
    const __m128i four = _mm_loadu_si128(reinterpret_cast<const __m128i*>(lines + 4 * (n - 4)));
    const __m128i is_normal = _mm_cmpeq_epi32(_mm_and_si128(four, flags_mask), normal);
    if (__builtin_expect(_mm_movemask_epi8(is_normal) != 0xffff, 0)) {
      next = list_one_by_one(lines, n - 4, n, next);
      continue;
    }
    const __m128i reversed = _mm_shuffle_epi32(_mm_and_si128(four, offset_mask), _MM_SHUFFLE(0, 1, 2, 3));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(next), _mm_packs_epi32(reversed, reversed));
    next += 4;
  }
#endif
  next = list_one_by_one(lines, 0, n, next);
  return static_cast<int>(next - out);
}

}  // namespace cohort
