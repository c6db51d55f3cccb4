// retention: packing, folding and the result array.
#include "core/retention.hpp"

#include <string>

#include "core/errors.hpp"
#include "core/event_list.hpp"
#include "core/funnel.hpp"

namespace cohort {

RetentionState RetentionState::unpack(std::int64_t packed) {
  std::uint64_t u = static_cast<std::uint64_t>(packed);
  unsigned n = static_cast<unsigned>(u >> 32);
  std::uint32_t mask = static_cast<std::uint32_t>(u);
  std::uint32_t allowed = n >= 32 ? 0xFFFFFFFFu : ((1u << n) - 1);
  if (n > kMaxConditions || (mask & ~allowed) != 0)
    throw CohortError(ErrorKind::InvalidParameter, "invalid retention state " + std::to_string(packed));
  RetentionState s;
  s.conditions_ = n;
  s.mask_ = mask;
  return s;
}

std::int64_t RetentionState::pack() const {
  return static_cast<std::int64_t>((static_cast<std::uint64_t>(conditions_) << 32) | mask_);
}

void RetentionState::add(unsigned conditions, std::uint32_t mask) {
  check_step_count(conditions, "retention", "condition");
  if (conditions_ != 0 && conditions_ != conditions)
    throw CohortError(ErrorKind::InvalidParameter,
                      "retention needs the same number of conditions for every row of a group");
  conditions_ = conditions;
  std::uint32_t allowed = conditions >= 32 ? 0xFFFFFFFFu : ((1u << conditions) - 1);
  mask_ |= mask & allowed;
}

void RetentionState::merge(const RetentionState& other) {
  if (other.empty()) return;
  add(other.conditions_, other.mask_);
}

std::vector<int> RetentionState::result() const {
  std::vector<int> out(conditions_, 0);
  if (conditions_ == 0 || (mask_ & 1u) == 0) return out;
  for (unsigned i = 0; i < conditions_; ++i) out[i] = (mask_ >> i) & 1u;
  return out;
}

}  // namespace cohort
