// sequence_match / sequence_count: a compiled pattern run over a per-group event list.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/arena.hpp"
#include "core/event_list.hpp"
#include "core/sequence_pattern.hpp"

namespace cohort {

// Returned by find_sequence when there is no match.
constexpr std::size_t kNoMatch = static_cast<std::size_t>(-1);

// Over events sorted by event_before, the match of `pattern` using only events [from, count) that
// ends earliest; returns one past the index of its last event, or kNoMatch.
std::size_t find_sequence(const SequencePattern& pattern, const TimedEvent* events, std::size_t count,
                          std::size_t from, Arena& scratch);
// Whether the pattern matches anywhere.
bool sequence_match(const SequencePattern& pattern, const TimedEvent* events, std::size_t count, Arena& scratch);
// The number of matches found one after another, each starting after the previous one's last event.
std::uint64_t sequence_count(const SequencePattern& pattern, const TimedEvent* events, std::size_t count,
                             Arena& scratch);

// The aggregate state: the pattern text, the number of conditions and the rows with a true condition.
class SequenceState {
 public:
  // Validates the pattern for `conditions` conditions (throws like parse_sequence_pattern).
  SequenceState(Arena& arena, std::string_view pattern, unsigned conditions);

  std::string_view pattern() const { return {pattern_.data(), pattern_.size()}; }
  unsigned conditions() const { return conditions_; }
  // Throws InvalidParameter if a row's pattern or number of conditions differs from the group's.
  void check_same(std::string_view pattern, unsigned conditions) const;
  // Adds a row (rows without a true condition are not events and are dropped).
  void add(std::int64_t ts, std::uint32_t mask);
  // Folds another partial state in.
  void merge(const SequenceState& other);
  // sequence_match / sequence_count results (a one-chunk event list may be sorted in place).
  bool match();
  std::uint64_t count();
  std::size_t size() const { return events_.size(); }
  // Bytes match() and count() allocate while they run, besides the search's own (see SortedEvents).
  std::size_t result_bytes() const { return events_.sorted_copy_bytes(); }
  // Where the next row's bytes go (see EventList::next_slot).
  const void* next_slot() const { return events_.next_slot(); }

  std::size_t serialized_size() const;
  void serialize(unsigned char* out) const;
  // Reads a serialized state (validating every length and re-parsing the pattern).
  static SequenceState deserialize(Arena& arena, std::string_view bytes);

 private:
  std::basic_string<char, std::char_traits<char>, ArenaAllocator<char>> pattern_;
  unsigned conditions_;
  std::uint32_t used_ = 0;  // conditions the pattern names (the compiled pattern is not kept: it
                            // lives on the C++ heap, and this state's destructor never runs)
  std::uint32_t seen_ = 0;  // OR of every added mask
  EventList events_;
};

}  // namespace cohort
