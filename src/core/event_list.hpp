// The compact per-group event list shared by window_funnel and sequence_match/sequence_count:
// one entry per row, its timestamp (microseconds) and a bitmask of the conditions it satisfied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/arena.hpp"

namespace cohort {

// Most step conditions (window_funnel), conditions (sequence_*, retention) one call takes.
constexpr unsigned kMaxConditions = 32;

// One row: when it happened and which conditions held (bit i = condition i + 1). Packed to 12
// bytes (4-byte aligned), the size the aggregate states are documented to take per row.
struct __attribute__((packed, aligned(4))) TimedEvent {
  std::int64_t ts;
  std::uint32_t mask;
};
static_assert(sizeof(TimedEvent) == 12, "TimedEvent is 12 bytes");

// The order of rows sharing a timestamp: 0 for a row without a true condition, else the lowest
// true condition (1-based) in the high half and the whole mask in the low half.
inline std::uint64_t tie_key(std::uint32_t mask) noexcept {
  std::uint64_t first = mask == 0 ? 0 : 1 + static_cast<unsigned>(__builtin_ctz(mask));
  return (first << 32) | mask;
}

// The deterministic event order: by timestamp, then by the lowest-numbered true condition (a row
// with none comes first), then by the whole mask.
inline bool event_before(const TimedEvent& a, const TimedEvent& b) noexcept {
  if (a.ts != b.ts) return a.ts < b.ts;
  return tie_key(a.mask) < tie_key(b.mask);
}

// A growable list of events on an Arena, with a "known sorted" flag.
class EventList {
 public:
  explicit EventList(Arena& arena) : events_(ArenaAllocator<TimedEvent>(arena)) {}

  // Appends one row (inline: this is the per-row path of the aggregates).
  void add(std::int64_t ts, std::uint32_t mask) {
    TimedEvent e{ts, mask};
    if (events_.size() == events_.capacity()) grow();
    if (sorted_ && !events_.empty() && event_before(e, events_.back())) sorted_ = false;
    events_.push_back(e);
  }
  // Appends every row of `other`.
  void append(const EventList& other);
  // Sorts by event_before (does not change the multiset, so it is safe in a final function).
  void sort();

  std::size_t size() const noexcept { return events_.size(); }
  const TimedEvent* data() const noexcept { return events_.data(); }
  // Where the next add() writes (past the end of the memory when full): for prefetching.
  const TimedEvent* next_slot() const noexcept { return events_.data() + events_.size(); }
  bool sorted() const noexcept { return sorted_; }

  // Bytes write_to() produces: an 8-byte count then 12 bytes per event.
  std::size_t serialized_size() const noexcept { return 8 + 12 * events_.size(); }
  // Writes the count and the events (host byte order) to `out`; returns the end.
  unsigned char* write_to(unsigned char* out) const noexcept;
  // Reads what write_to() wrote from exactly `bytes`; every event's mask must be non-zero unless
  // `allow_empty_mask` and must use only the low `conditions` bits. Throws InvalidBinary.
  void read_from(std::string_view bytes, unsigned conditions, bool allow_empty_mask);

 private:
  // Makes room for at least one more event (see next_capacity in event_list.cpp).
  void grow();

  std::vector<TimedEvent, ArenaAllocator<TimedEvent>> events_;
  bool sorted_ = true;
};

// Little helpers to write and read fixed-size fields of a serialized state.
class ByteWriter {
 public:
  explicit ByteWriter(unsigned char* out) : p_(out) {}
  void u8(std::uint8_t v);
  void u32(std::uint32_t v);
  void i64(std::int64_t v);
  void bytes(std::string_view v);
  unsigned char* position() const { return p_; }

 private:
  unsigned char* p_;
};

// Reads fields in order; running past the end throws CohortError InvalidBinary.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::int64_t i64();
  std::string_view bytes(std::size_t n);
  std::string_view rest() const { return in_; }

 private:
  std::string_view take(std::size_t n);
  std::string_view in_;
};

// Throws CohortError InvalidBinary with `what` as the message detail.
[[noreturn]] void invalid_state(const char* what);

// b - a for a <= b without overflow (timestamps may be +-infinity as INT64 extremes).
inline std::uint64_t elapsed(std::int64_t a, std::int64_t b) noexcept {
  return static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
}

}  // namespace cohort
