// The pages of a table a scan must read when only rows at or after a point in time matter, as a
// BRIN index on the time column tells them.
#pragma once

#include <cstdint>
#include <vector>

#include "pg/guard.hpp"

namespace cohort::pg {

// A set of pages to read; pages it does not know (past the table's end when it was made) are
// always read.
class PageSet {
 public:
  // Every page.
  PageSet() = default;
  // The pages of `rel` that may hold a row whose column `attnum` (timestamptz) is at or after
  // `lower`, by the first usable BRIN index of `rel` (valid and usable by this transaction, not
  // partial, `attnum` its first key column, a built-in minmax or minmax-multi operator class);
  // every page without one. Ranges the index has not summarized yet are always read.
  static PageSet since(Relation rel, AttrNumber attnum, TimestampTz lower, Snapshot snapshot);
  // How many of a table's first `total` pages must be read.
  std::uint64_t wanted_of(BlockNumber total) const {
    if (total <= known_) return wanted_before(total);
    return wanted_before(known_) + (total - known_);
  }
  // Whether `page` must be read.
  bool wanted(BlockNumber page) const {
    return page >= known_ || ((bits_[page / 64] >> (page % 64)) & 1u) != 0;
  }
  // The pages decided (those from known() on are always read) and their bits, 64 to a word (bit
  // p % 64 of word p / 64: page p must be read), to share the set with parallel workers.
  BlockNumber known() const { return known_; }
  const std::vector<uint64_t>& words() const { return bits_; }
  // The set whose known() and words() these are (`words` holds (known + 63) / 64 of them).
  static PageSet from_words(BlockNumber known, const uint64_t* words) {
    PageSet set;
    set.known_ = known;
    set.bits_.assign(words, words + (uint64_t{known} + 63) / 64);
    return set;
  }

 private:
  BlockNumber known_ = 0;        // pages [0, known_) are decided by bits_
  std::vector<uint64_t> bits_;   // bit p set: page p must be read

  // Set bits among pages [0, end), end <= known_.
  std::uint64_t wanted_before(BlockNumber end) const {
    std::uint64_t n = 0;
    for (BlockNumber w = 0; w < end / 64; ++w) n += static_cast<std::uint64_t>(__builtin_popcountll(bits_[w]));
    if (end % 64 != 0) n += static_cast<std::uint64_t>(__builtin_popcountll(bits_[end / 64] & ((uint64_t{1} << (end % 64)) - 1)));
    return n;
  }
};

}  // namespace cohort::pg
