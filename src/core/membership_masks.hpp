// Which definitions each user is a member of, decided in one pass over a finished per-user table.
#pragma once

#include <cstdint>
#include <vector>

#include "core/program.hpp"
#include "core/user_table.hpp"

namespace cohort {

// For a program whose definitions read no customers column (Program::needs_customers() false),
// every user's memberships as bits, decided in one pass over the table in memory order: the rows
// stream from memory instead of being fetched customer by customer, where each definition's slots
// would be a cache miss of their own.
class MembershipMasks {
 public:
  // Throws std::logic_error when the program needs customers columns or the table is not finished.
  MembershipMasks(const Program& program, const UserTable& table);
  // The bytes the masks of `program` over `table` take (before building them).
  static std::size_t bytes_for(const Program& program, const UserTable& table) {
    return (table.entries() + 1) * words_for(program) * sizeof(uint64_t);
  }
  // Words of bits per user for `program`'s definitions.
  static std::size_t words_for(const Program& program) { return (program.definitions() + 63) / 64; }
  // Words of bits per user: bit d % 64 of word d / 64 is definition d.
  std::size_t words() const { return words_; }
  // The memberships of `user_id`, with its events or (not in the table) without any.
  const uint64_t* of(int64_t user_id) const {
    const std::size_t e = table_.entry_of(user_id);
    return e == UserTable::npos ? idle_.data() : bits_.data() + e * words_;
  }

 private:
  const UserTable& table_;
  std::size_t words_;
  std::vector<uint64_t> bits_;  // per table entry
  std::vector<uint64_t> idle_;  // a user without events
};

}  // namespace cohort
