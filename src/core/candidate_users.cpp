// CandidateUsers: one three-valued pass over the finished per-user table.
#include "core/candidate_users.hpp"

#include <algorithm>
#include <limits>

namespace cohort {
namespace {

// Whether some definition of `program` stays open for `slots` (nullptr: no events).
bool any_open(const Program& program, const double* slots) {
  for (std::size_t d = 0; d < program.definitions(); ++d)
    if (program.may_match(d, slots)) return true;
  return false;
}

}  // namespace

CandidateUsers::CandidateUsers(const Program& program, const UserTable& table, Arena& arena)
    : bits_(ArenaAllocator<uint64_t>(arena)) {
  idle_ = any_open(program, nullptr);
  if (table.size() == 0) {
    bounded_ = true;  // every user is idle
    everyone_ = idle_;
    return;
  }
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  table.for_each_entry([&](std::size_t, int64_t user, const double*) {
    lo = std::min(lo, user);
    hi = std::max(hi, user);
  });
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;  // 0: all 2^64 ids
  const uint64_t most = 64 * static_cast<uint64_t>(table.size()) + 65536;
  if (span == 0 || span > most) return;  // too sparse: every user a candidate
  bounded_ = true;
  lo_ = lo;
  span_ = span;
  bits_.assign((span + 63) / 64, idle_ ? ~uint64_t{0} : 0);
  table.for_each_entry([&](std::size_t, int64_t user, const double* slots) {
    const uint64_t offset = static_cast<uint64_t>(user) - static_cast<uint64_t>(lo_);
    const uint64_t bit = uint64_t{1} << (offset % 64);
    if (any_open(program, slots)) {
      bits_[offset / 64] |= bit;
      ++candidates_;
    } else {
      bits_[offset / 64] &= ~bit;
    }
  });
  everyone_ = idle_ && candidates_ == table.size();
}

}  // namespace cohort
