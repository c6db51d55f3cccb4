// One pass over the per-user table in memory order sets each user's membership bits.
#include "core/membership_masks.hpp"

#include <stdexcept>

#include "core/flat_decisions.hpp"

namespace cohort {

MembershipMasks::MembershipMasks(const Program& program, const UserTable& table)
    : table_(table), words_(words_for(program)) {
  if (program.needs_customers()) throw std::logic_error("cohort membership masks need definitions without customers columns");
  // A user without events (all users with events are decided by FlatDecisions below).
  idle_.assign(words_, 0);
  for (std::size_t d = 0; d < program.definitions(); ++d)
    if (program.matches(d, nullptr, nullptr)) idle_[d / 64] |= uint64_t{1} << (d % 64);
  bits_.assign(table.entries() * words_, 0);
  const FlatDecisions decisions(program);
  table.for_each_entry(
      [&](std::size_t e, int64_t, const double* slots) { decisions.match_all(slots, bits_.data() + e * words_); });
}

}  // namespace cohort
