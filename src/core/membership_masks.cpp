// One pass over the per-user table in memory order sets each user's membership bits.
#include "core/membership_masks.hpp"

#include <stdexcept>

namespace cohort {

MembershipMasks::MembershipMasks(const Program& program, const UserTable& table)
    : table_(table), words_((program.definitions() + 63) / 64) {
  if (program.needs_customers()) throw std::logic_error("cohort membership masks need definitions without customers columns");
  const std::size_t definitions = program.definitions();
  idle_.assign(words_, 0);
  for (std::size_t d = 0; d < definitions; ++d)
    if (program.matches(d, nullptr, nullptr)) idle_[d / 64] |= uint64_t{1} << (d % 64);
  bits_.assign(table.entries() * words_, 0);
  for (std::size_t e = 0; e < table.entries(); ++e) {
    int64_t user;
    const double* slots;
    if (!table.entry(e, user, slots)) continue;
    uint64_t* bits = bits_.data() + e * words_;
    for (std::size_t d = 0; d < definitions; ++d)
      if (program.matches(d, slots, nullptr)) bits[d / 64] |= uint64_t{1} << (d % 64);
  }
}

}  // namespace cohort
