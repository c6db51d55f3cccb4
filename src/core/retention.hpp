// retention: ClickHouse's retention aggregate as a fixed 64-bit state (no PostgreSQL here).
#pragma once

#include <cstdint>
#include <vector>

namespace cohort {

// The state packs the number of conditions (bits 32..39; 0 = no row yet) and the OR of the rows'
// condition masks (bits 0..31), so it fits a bigint and combines without serialization.
class RetentionState {
 public:
  RetentionState() = default;
  // Unpacks a stored state; throws InvalidParameter if it is not a valid packed state.
  static RetentionState unpack(std::int64_t packed);
  std::int64_t pack() const;

  // Adds a row with `conditions` conditions (1..32) whose true ones are `mask`.
  void add(unsigned conditions, std::uint32_t mask);
  // Folds another partial state in (same number of conditions, unless one of them is empty).
  void merge(const RetentionState& other);
  // True when no row was added.
  bool empty() const { return conditions_ == 0; }
  // [c1, c1 and c2, ..., c1 and cN] as 0/1 (empty when no row was added).
  std::vector<int> result() const;

 private:
  unsigned conditions_ = 0;
  std::uint32_t mask_ = 0;
};

}  // namespace cohort
