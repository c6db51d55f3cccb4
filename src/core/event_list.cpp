// EventList: chunks, append, deterministic sorted view and validated (de)serialization.
#include "core/event_list.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include "core/errors.hpp"

namespace cohort {
namespace {

// Sorts by event_before (the comparison inlined).
void sort_events(TimedEvent* first, TimedEvent* last) {
  std::sort(first, last, [](const TimedEvent& a, const TimedEvent& b) { return event_before(a, b); });
}

}  // namespace

EventList::EventList(EventList&& other) noexcept
    : next_(other.next_),
      end_(other.end_),
      size_(other.size_),
      chunks_(other.chunks_),
      sorted_(other.sorted_),
      arena_(other.arena_),
      head_(other.head_),
      second_(other.second_) {
  other.next_ = other.end_ = nullptr;
  other.size_ = 0;
  other.chunks_ = 0;
  other.sorted_ = true;
  other.head_ = other.second_ = nullptr;
}

void EventList::grow() {
  const unsigned k = chunks_;
  auto* chunk = static_cast<Chunk*>(arena_->allocate(chunk_bytes(k)));
  chunk->next = nullptr;
  if (k == 0) {
    head_ = chunk;
  } else {  // link it from the last chunk, whose events end at end_
    auto* tail = reinterpret_cast<Chunk*>(reinterpret_cast<char*>(end_ - chunk_capacity(k - 1)) - header_bytes(k - 1));
    tail->next = chunk;
  }
  if (k == 1) {
    second_ = chunk;
    std::fill(listed(chunk), listed(chunk) + kListedChunks, nullptr);
  } else if (k >= 2 && k < 2 + kListedChunks) {
    listed(second_)[k - 2] = chunk;
  }
  next_ = events_of(chunk, k);
  end_ = next_ + chunk_capacity(k);
  ++chunks_;
}

void EventList::release() noexcept {
  for (Chunk* c = head_; c != nullptr;) {
    Chunk* next = c->next;
    arena_->deallocate(c);
    c = next;
  }
  next_ = end_ = nullptr;
  size_ = 0;
  chunks_ = 0;
  sorted_ = true;
  head_ = second_ = nullptr;
}

void EventList::append(const EventList& other) {
  other.for_each_chunk([&](const TimedEvent* first, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) add(first[i].ts, first[i].mask);
  });
}

unsigned char* EventList::write_to(unsigned char* out) const noexcept {
  ByteWriter w(out);
  w.i64(static_cast<std::int64_t>(size_));
  for_each_chunk([&](const TimedEvent* first, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      w.i64(first[i].ts);
      w.u32(first[i].mask);
    }
  });
  return w.position();
}

void EventList::read_from(std::string_view bytes, unsigned conditions, bool allow_empty_mask) {
  ByteReader r(bytes);
  std::int64_t count = r.i64();
  if (count < 0 || static_cast<std::uint64_t>(count) != r.rest().size() / 12 || r.rest().size() % 12 != 0)
    invalid_state("event count does not match the state length");
  std::uint32_t allowed = conditions >= 32 ? 0xFFFFFFFFu : ((1u << conditions) - 1);
  release();
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t ts = r.i64();
    std::uint32_t mask = r.u32();
    if ((mask & ~allowed) != 0) invalid_state("an event names a condition beyond the number of conditions");
    if (mask == 0 && !allow_empty_mask) invalid_state("an event has no true condition");
    add(ts, mask);
  }
}

namespace {

// Asks for every cache line of `bytes` bytes at `p`. Always inlined: GCC takes a function that
// only prefetches for one without effects and drops calls to it that inlining left.
[[gnu::always_inline]] inline void prefetch_lines(const void* p, std::size_t bytes) {
  for (std::size_t line = 0; line < bytes; line += 64) __builtin_prefetch(static_cast<const char*>(p) + line);
}

}  // namespace

SortedEvents::SortedEvents(EventList& list) : arena_(list.arena_), size_(list.size_) {
  using Chunk = EventList::Chunk;
  if (list.chunks_ <= 1) {  // one piece already: sort it in place
    TimedEvent* first = list.head_ == nullptr ? nullptr : EventList::events_of(list.head_, 0);
    if (!list.sorted_) sort_events(first, first + size_);
    list.sorted_ = true;
    data_ = first;
    return;
  }
  if (size_ > static_cast<std::size_t>(-1) / sizeof(TimedEvent)) throw std::bad_alloc();
  copy_ = static_cast<TimedEvent*>(arena_->allocate(size_ * sizeof(TimedEvent)));
  // Every line of the first two chunks, then of the chunks the second lists, is asked for before
  // the copy reads them, and each later chunk while the one before it is copied.
  prefetch_lines(list.head_, EventList::chunk_bytes(0));
  prefetch_lines(list.second_, EventList::chunk_bytes(1));
  for (unsigned k = 2; k < list.chunks_ && k < 2 + EventList::kListedChunks; ++k)
    prefetch_lines(EventList::listed(list.second_)[k - 2], EventList::chunk_bytes(k));
  TimedEvent* out = copy_;
  std::size_t left = size_;
  unsigned k = 0;
  for (const Chunk* c = list.head_; left != 0; c = c->next, ++k) {
    if (k + 1 >= 2 + EventList::kListedChunks && c->next != nullptr) prefetch_lines(c->next, EventList::chunk_bytes(k + 1));
    const std::size_t n = std::min(left, EventList::chunk_capacity(k));
    std::memcpy(static_cast<void*>(out), EventList::events_of(c, k), n * sizeof(TimedEvent));
    out += n;
    left -= n;
  }
  if (!list.sorted_) sort_events(copy_, copy_ + size_);
  data_ = copy_;
}

SortedEvents::~SortedEvents() {
  if (copy_ != nullptr) arena_->deallocate(copy_);
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
