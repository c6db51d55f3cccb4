// EventList: append, merge, deterministic sort and validated (de)serialization.
#include "core/event_list.hpp"

#include <algorithm>
#include <cstring>

#include "core/errors.hpp"

namespace cohort {
namespace {

// Requests up to this size are power-of-two chunks in a PostgreSQL AllocSet (ALLOC_CHUNK_LIMIT);
// larger ones are allocated exactly.
constexpr std::size_t kSmallChunkLimit = 8192;

// The capacity after `capacity` (holding `size` events) is full: the most events that fit the
// next power-of-two chunk while chunks are small (so no rounding is wasted), then 1.5 times the
// old capacity (less slack than doubling for the few very active users).
std::size_t next_capacity(std::size_t size, std::size_t capacity) {
  std::size_t need = (size + 1) * sizeof(TimedEvent);
  if (need <= kSmallChunkLimit) {
    std::size_t bytes = 64;
    while (bytes < need) bytes *= 2;
    return bytes / sizeof(TimedEvent);
  }
  return std::max(size + 1, capacity + capacity / 2);
}

// Sorts by event_before (the comparison inlined).
void sort_events(TimedEvent* first, TimedEvent* last) {
  std::sort(first, last, [](const TimedEvent& a, const TimedEvent& b) { return event_before(a, b); });
}

}  // namespace

void EventList::grow() { events_.reserve(next_capacity(events_.size(), events_.capacity())); }

void EventList::append(const EventList& other) {
  if (other.events_.empty()) return;
  std::size_t middle = events_.size();
  bool was_sorted = sorted_;
  events_.insert(events_.end(), other.events_.begin(), other.events_.end());
  if (was_sorted && other.sorted_) {
    std::inplace_merge(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(middle), events_.end(),
                       [](const TimedEvent& a, const TimedEvent& b) { return event_before(a, b); });
    sorted_ = true;
  } else {
    sorted_ = false;
  }
}

void EventList::sort() {
  if (sorted_) return;
  sort_events(events_.data(), events_.data() + events_.size());
  sorted_ = true;
}

unsigned char* EventList::write_to(unsigned char* out) const noexcept {
  ByteWriter w(out);
  w.i64(static_cast<std::int64_t>(events_.size()));
  for (const TimedEvent& e : events_) {
    w.i64(e.ts);
    w.u32(e.mask);
  }
  return w.position();
}

void EventList::read_from(std::string_view bytes, unsigned conditions, bool allow_empty_mask) {
  ByteReader r(bytes);
  std::int64_t count = r.i64();
  if (count < 0 || static_cast<std::uint64_t>(count) != r.rest().size() / 12 || r.rest().size() % 12 != 0)
    invalid_state("event count does not match the state length");
  std::uint32_t allowed = conditions >= 32 ? 0xFFFFFFFFu : ((1u << conditions) - 1);
  events_.clear();
  events_.reserve(static_cast<std::size_t>(count));
  sorted_ = true;
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t ts = r.i64();
    std::uint32_t mask = r.u32();
    if ((mask & ~allowed) != 0) invalid_state("an event names a condition beyond the number of conditions");
    if (mask == 0 && !allow_empty_mask) invalid_state("an event has no true condition");
    add(ts, mask);
  }
}

void ByteWriter::u8(std::uint8_t v) { *p_++ = v; }
void ByteWriter::u32(std::uint32_t v) {
  std::memcpy(p_, &v, sizeof v);
  p_ += sizeof v;
}
void ByteWriter::i64(std::int64_t v) {
  std::memcpy(p_, &v, sizeof v);
  p_ += sizeof v;
}
void ByteWriter::bytes(std::string_view v) {
  if (!v.empty()) std::memcpy(p_, v.data(), v.size());
  p_ += v.size();
}

std::string_view ByteReader::take(std::size_t n) {
  if (n > in_.size()) invalid_state("the state is truncated");
  std::string_view out = in_.substr(0, n);
  in_.remove_prefix(n);
  return out;
}
std::uint8_t ByteReader::u8() { return static_cast<std::uint8_t>(take(1)[0]); }
std::uint32_t ByteReader::u32() {
  std::uint32_t v;
  std::memcpy(&v, take(sizeof v).data(), sizeof v);
  return v;
}
std::int64_t ByteReader::i64() {
  std::int64_t v;
  std::memcpy(&v, take(sizeof v).data(), sizeof v);
  return v;
}
std::string_view ByteReader::bytes(std::size_t n) { return take(n); }

void invalid_state(const char* what) {
  throw CohortError(ErrorKind::InvalidBinary, "invalid cohort aggregate state", what);
}

}  // namespace cohort
