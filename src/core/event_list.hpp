// The compact per-group event list shared by window_funnel and sequence_match/sequence_count:
// one entry per row, its timestamp (microseconds) and a bitmask of the conditions it satisfied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

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

// A growable list of events on an Arena, in chunks that never move: growing copies nothing and
// frees nothing, so no freed copies are left behind in the host's free lists. Chunk k holds
// chunk_capacity(k) events; every chunk but the last is full. The second chunk also lists the
// addresses of the next kListedChunks (so that reading a list, the sorted view, waits for memory
// about twice instead of once per link). Also keeps a "known sorted" flag. 56 bytes, so that a
// window_funnel group's whole state fits a 128-byte allocation (see pg/funnel_agg.hpp).
class EventList {
 public:
  explicit EventList(Arena& arena) noexcept : arena_(&arena) {}
  EventList(EventList&& other) noexcept;
  EventList(const EventList&) = delete;
  EventList& operator=(const EventList&) = delete;
  EventList& operator=(EventList&&) = delete;
  ~EventList() { release(); }

  // Appends one row (inline: this is the per-row path of the aggregates). Between calls, the last
  // event is always the one before next_ (a new chunk is only added when an event goes into it).
  void add(std::int64_t ts, std::uint32_t mask) {
    TimedEvent e{ts, mask};
    if (sorted_ && size_ != 0 && event_before(e, next_[-1])) sorted_ = false;
    if (next_ == end_) grow();
    *next_++ = e;
    ++size_;
  }
  // Appends every row `other` had when called (`other` may be this list).
  void append(const EventList& other);
  // Calls f(first, count) for each chunk's events, in the order they were added.
  template <typename F>
  void for_each_chunk(F&& f) const {
    std::size_t left = size_;
    unsigned k = 0;
    for (const Chunk* c = head_; left != 0; c = c->next, ++k) {
      std::size_t n = left < chunk_capacity(k) ? left : chunk_capacity(k);
      f(events_of(c, k), n);
      left -= n;
    }
  }

  std::size_t size() const noexcept { return size_; }
  // Bytes a SortedEvents of this list allocates while it lives: a copy of the rows unless the
  // list is one chunk.
  std::size_t sorted_copy_bytes() const noexcept { return chunks_ > 1 ? size_ * sizeof(TimedEvent) : 0; }
  // Where the next add() writes (the end of the last chunk when it is full): for prefetching.
  const TimedEvent* next_slot() const noexcept { return next_; }
  bool sorted() const noexcept { return sorted_; }
  // The arena the chunks come from (also the scratch memory of the aggregates' final functions).
  Arena& arena() const noexcept { return *arena_; }

  // Bytes write_to() produces: an 8-byte count then 12 bytes per event.
  std::size_t serialized_size() const noexcept { return 8 + 12 * size_; }
  // Writes the count and the events (host byte order) to `out`; returns the end.
  unsigned char* write_to(unsigned char* out) const noexcept;
  // Replaces the list by what write_to() wrote, read from exactly `bytes`; every event's mask must
  // be non-zero unless `allow_empty_mask` and must use only the low `conditions` bits. Throws
  // InvalidBinary.
  void read_from(std::string_view bytes, unsigned conditions, bool allow_empty_mask);

  // Chunks the second chunk lists (the third to the eighth).
  static constexpr unsigned kListedChunks = 6;
  // Allocation size of chunk k (a power of two, so a PostgreSQL AllocSet rounds nothing up): 128
  // bytes, then each size twice from 256 bytes to 8 kB, so that each new chunk adds about half of
  // the capacity before it, and the last chunk's free room stays small.
  static std::size_t chunk_bytes(unsigned k) noexcept {
    unsigned doublings = (k + 1) / 2;
    return std::size_t{128} << (doublings < 6 ? doublings : 6);
  }
  // Bytes before chunk k's events: its link to the next chunk, and for the second chunk the list.
  static std::size_t header_bytes(unsigned k) noexcept {
    return sizeof(Chunk) + (k == 1 ? kListedChunks * sizeof(Chunk*) : 0);
  }
  // Events chunk k holds.
  static std::size_t chunk_capacity(unsigned k) noexcept { return (chunk_bytes(k) - header_bytes(k)) / sizeof(TimedEvent); }

 private:
  friend class SortedEvents;
  struct Chunk {
    Chunk* next;
  };
  static TimedEvent* events_of(const Chunk* c, unsigned k) noexcept {
    return reinterpret_cast<TimedEvent*>(reinterpret_cast<char*>(const_cast<Chunk*>(c)) + header_bytes(k));
  }
  // The chunks the second chunk lists (chunk k + 2 at [k]).
  static Chunk** listed(Chunk* second) noexcept { return reinterpret_cast<Chunk**>(second + 1); }
  // Adds the next chunk (the list is full).
  void grow();
  // Frees every chunk and empties the list.
  void release() noexcept;

  // What add() reads and writes comes first, so that it shares a cache line with the start of
  // the list (the aggregates prefetch their states' first line).
  TimedEvent* next_ = nullptr;  // where the next event goes
  TimedEvent* end_ = nullptr;   // the end of the last chunk
  std::size_t size_ = 0;
  unsigned chunks_ = 0;
  bool sorted_ = true;
  Arena* arena_;
  Chunk* head_ = nullptr;    // the first chunk
  Chunk* second_ = nullptr;  // the second chunk, which lists the next kListedChunks
};

// A list's events in event_before order, in one piece: the list's own chunk when it has only one
// (sorted there in place if need be: the multiset does not change), else a sorted copy on the
// list's arena, freed with this view. Valid while the list is not changed.
class SortedEvents {
 public:
  explicit SortedEvents(EventList& list);
  ~SortedEvents();
  SortedEvents(const SortedEvents&) = delete;
  SortedEvents& operator=(const SortedEvents&) = delete;

  const TimedEvent* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }

 private:
  Arena* arena_;
  TimedEvent* copy_ = nullptr;
  const TimedEvent* data_ = nullptr;
  std::size_t size_ = 0;
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
