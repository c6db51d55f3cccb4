// Which users' customers rows can still be members, decided from their events alone.
#pragma once

#include <cstdint>
#include <vector>

#include "core/arena.hpp"
#include "core/program.hpp"
#include "core/user_table.hpp"

namespace cohort {

// For a program whose definitions read customers columns, the users whose events leave some
// definition open (Program::may_match): a customers row of any other user is a member of none,
// whatever its attributes, so the customers scan can skip it before reading them. Kept as bits
// over the span of the table's user ids when that span is at most 64 ids per user (plus 64k),
// so at most 8 bytes a user and one bit test a customers row; otherwise every user is a candidate.
class CandidateUsers {
 public:
  // The bits are allocated from `arena`. Throws std::logic_error when a chained table is not
  // finished.
  CandidateUsers(const Program& program, const UserTable& table, Arena& arena);
  // Whether a customers row of `user_id` may be a member of some definition.
  bool may_match(int64_t user_id) const {
    if (!bounded_) return true;
    // Unsigned: ids below lo_ wrap past the span.
    const uint64_t offset = static_cast<uint64_t>(user_id) - static_cast<uint64_t>(lo_);
    if (offset >= span_) return idle_;
    return ((bits_[offset / 64] >> (offset % 64)) & 1u) != 0;
  }
  // False when every user counts as a candidate (ids too sparse for the bits).
  bool bounded() const { return bounded_; }
  // Whether may_match() is true for every user (nothing to skip: no need to ask).
  bool everyone() const { return everyone_; }
  // Users with events that are candidates (bounded() only).
  std::size_t candidates() const { return candidates_; }
  // Bytes of the bits.
  std::size_t bytes() const { return bits_.size() * sizeof(uint64_t); }

 private:
  bool bounded_ = false;
  bool idle_ = true;  // a user without events (every id in the span outside the table, and beyond it)
  int64_t lo_ = 0;
  uint64_t span_ = 0;
  std::vector<uint64_t, ArenaAllocator<uint64_t>> bits_;
  std::size_t candidates_ = 0;
  bool everyone_ = true;
};

}  // namespace cohort
