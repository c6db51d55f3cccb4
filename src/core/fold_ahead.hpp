// Folding a run of event rows into a UserTable, each user looked up ahead of its row.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/user_table.hpp"

namespace cohort {

// Folds rows [0, n) into `table` in order, exactly as table.add(row_at(r)) for each r would.
// Each row's hash entry is loaded 16 rows ahead; 8 rows ahead, a row that feeds an accumulator
// (events[r] >= 0) looks its user up (known_slots(), which starts loading the slots), so that
// folding a user already in the table needs no second lookup. `row_at(r)` builds row r, whose
// user and event are users[r] and events[r].
template <typename RowAt>
void fold_ahead(UserTable& table, std::size_t n, const int64_t* users, const int* events, RowAt&& row_at) {
  constexpr std::size_t kEntryDistance = 16, kSlotsDistance = 8;  // kSlotsDistance: a power of two
  double* ahead[kSlotsDistance];  // the slots of rows r .. r + kSlotsDistance - 1 (nullptr: not known)
  const auto look_up = [&](std::size_t r) { return events[r] >= 0 ? table.known_slots(users[r]) : nullptr; };
  for (std::size_t r = 0; r < std::min(n, kSlotsDistance); ++r) ahead[r] = look_up(r);
  for (std::size_t r = 0; r < n; ++r) {
    if (r + kEntryDistance < n) table.prefetch(users[r + kEntryDistance]);
    double* slots = ahead[r % kSlotsDistance];
    if (r + kSlotsDistance < n) ahead[r % kSlotsDistance] = look_up(r + kSlotsDistance);
    const EventRow row = row_at(r);
    if (slots != nullptr)
      table.add_known(row, slots);
    else
      table.add(row);
  }
}

}  // namespace cohort
