// Per-user accumulator state built from one pass over the events.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

#include <boost/container/vector.hpp>

#include "core/arena.hpp"
#include "core/program.hpp"
#include "core/user_index.hpp"

namespace cohort {

// One events row as the scan delivers it.
struct EventRow {
  int64_t user_id = 0;
  int event = -1;                      // Program::events() index, -1 for other events
  int64_t ts = 0;                      // microseconds; the scan already dropped ts > as_of
  const double* numbers = nullptr;     // per Program::properties(), numeric ones
  const std::string_view* texts = nullptr;  // per Program::properties(), text ones
  const bool* nulls = nullptr;         // per Program::properties()
  const bool* filters = nullptr;       // per Program::filters(): true when the row passes
};

// Users seen in the events, with each one's accumulator slots.
class UserTable {
 public:
  using ArenaString = std::basic_string<char, std::char_traits<char>, ArenaAllocator<char>>;

  UserTable(const Program& program, Arena& arena);

  // Sets the lower ts bound of each window (Program::window_days() order).
  void set_window_bounds(std::vector<int64_t> lower_bounds) { window_lower_ = std::move(lower_bounds); }

  // Folds one event into its user's accumulators (registering the user).
  void add(const EventRow& row);

  // Number of distinct users seen.
  std::size_t size() const { return user_ids_.size(); }
  // The i-th user's id and slots.
  int64_t user_id(std::size_t i) const { return user_ids_[i]; }
  const double* slots(std::size_t i) const { return slots_.data() + i * per_user_; }
  // The slots of `user_id`, or nullptr when the user has no events.
  const double* find(int64_t user_id) const;
  // Bytes held, for memory accounting.
  std::size_t bytes() const;

 private:
  // Hashes an ArenaString by its bytes.
  struct StringHash {
    std::size_t operator()(const ArenaString& s) const noexcept {
      return std::hash<std::string_view>()(std::string_view(s.data(), s.size()));
    }
  };
  using DistinctSet = std::unordered_set<ArenaString, StringHash, std::equal_to<ArenaString>,
                                         ArenaAllocator<ArenaString>>;

  uint32_t index_of(int64_t user_id);
  void fold(const AccumulatorSpec& acc, const EventRow& row, uint32_t user);

  const Program& program_;
  Arena& arena_;
  std::size_t per_user_;
  UserIndex index_;
  boost::container::vector<int64_t, ArenaAllocator<int64_t>> user_ids_;
  boost::container::vector<double, ArenaAllocator<double>> slots_;
  boost::container::vector<DistinctSet, ArenaAllocator<DistinctSet>> distinct_;
  std::vector<std::vector<int>> by_event_;  // accumulators fed by each event id
  std::vector<int64_t> window_lower_;
  std::size_t distinct_bytes_ = 0;
};

}  // namespace cohort
