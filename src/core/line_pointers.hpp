// Listing a heap page's normal line pointers, four at a time where the CPU allows.
#pragma once

#include <cstdint>

namespace cohort {

// A heap line pointer as one little-endian 32-bit word (PostgreSQL's ItemIdData on GCC/Clang and
// a little-endian machine): the tuple's byte offset in bits 0-14, its flags in bits 15-16 (1:
// normal), its length in bits 17-31.
constexpr uint32_t kLineOffsetMask = 0x7fff;
constexpr uint32_t kLineFlagsMask = 0x18000;
constexpr uint32_t kLineNormalFlags = 0x8000;

// Writes the offsets of the normal ones among `count` line pointers `lines` (number n at
// [n - 1]) to `out`, from the last line pointer to the first (ascending tuple addresses, as
// tuples are placed from the end of a page towards its start), and returns how many. `out` must
// have room for `count` entries (entries past those returned may be written too).
// `lines` is read a 32-bit word at a time by memcpy (no aliasing assumption about its type).
int list_normal_offsets(const void* lines, int count, uint16_t* out);

}  // namespace cohort
