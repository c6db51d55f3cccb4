// Hard limits on definitions; exceeding one is a 54000 program_limit_exceeded error.
#pragma once

#include <cstddef>

namespace cohort::limits {

constexpr std::size_t kMaxInputBytes = 1024 * 1024;  // JSON text of one definition
constexpr std::size_t kMaxJsonDepth = 64;            // nesting of JSON arrays/objects
constexpr std::size_t kMaxTreeDepth = 32;            // nesting of all/any/not groups
constexpr std::size_t kMaxConditions = 1000;         // leaves in one definition
constexpr std::size_t kMaxNameBytes = 63;            // column names (PostgreSQL NAMEDATALEN-1)
constexpr std::size_t kMaxTextBytes = 1000;          // event names and filter values
constexpr std::size_t kMaxFilterValues = 1000;       // values in one property filter
constexpr int kMaxDays = 36600;                      // timeframe in days (about 100 years)

}  // namespace cohort::limits
