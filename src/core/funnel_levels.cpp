// Funnel levels for many users: dense user indexes, rows in buckets, a counting sort per bucket.
#include "core/funnel_levels.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "core/errors.hpp"

namespace cohort {
namespace {

constexpr std::size_t kInitialSlots = 1024;  // a power of two

}  // namespace

FunnelLevels::FunnelLevels(const FunnelParams& params, std::vector<std::uint32_t> step_masks, Arena& arena)
    : params_(params),
      masks_(std::move(step_masks)),
      arena_(arena),
      users_(ArenaAllocator<std::int64_t>(arena)),
      slots_(kInitialSlots, 0, ArenaAllocator<std::uint32_t>(arena)),
      levels_(ArenaAllocator<std::uint8_t>(arena)) {
  if (params.modes & kStrictOrder)
    throw CohortError(ErrorKind::InvalidParameter, "strict_order needs every event of a user, not only the steps");
  if (masks_.size() > 256) throw CohortError(ErrorKind::InvalidParameter, "funnel levels take at most 256 row codes");
}

FunnelLevels::~FunnelLevels() {
  for (Bucket& b : buckets_) free_chunks(b);
}

std::uint32_t FunnelLevels::add_user(std::int64_t user_id, std::size_t i) {
  if ((users_.size() + 1) * 2 > slots_.size()) {  // keep the load factor at most 1/2
    grow();
    return user_index(user_id);
  }
  if (users_.size() == UINT32_MAX) throw std::bad_alloc();  // dense indexes are 32 bits
  users_.push_back(user_id);
  slots_[i] = static_cast<std::uint32_t>(users_.size());
  return slots_[i] - 1;
}

void FunnelLevels::grow() {
  std::vector<std::uint32_t, ArenaAllocator<std::uint32_t>> fresh(slots_.size() * 2, 0,
                                                                  ArenaAllocator<std::uint32_t>(arena_));
  const std::size_t mask = fresh.size() - 1;
  for (std::size_t u = 0; u < users_.size(); ++u) {
    std::size_t i = hash(users_[u]) & mask;
    while (fresh[i] != 0) i = (i + 1) & mask;
    fresh[i] = static_cast<std::uint32_t>(u + 1);
  }
  slots_.swap(fresh);
}

void FunnelLevels::new_chunk(Bucket& b) {
  if (sink_) {  // spilling: the bucket's one block is made, or goes out and is reused
    if (b.last == nullptr) {
      add_chunk(b, kSpillBlockRows);
    } else {
      sink_(static_cast<std::uint32_t>(&b - buckets_), b.last->rows(), b.last->capacity);
      b.next = b.last->rows();
    }
    return;
  }
  // Twice the last chunk's power of two (its rows fill all but its tail).
  std::size_t bytes = kFirstChunkBytes;
  if (b.last != nullptr) {
    const std::size_t last = sizeof(Chunk) + std::size_t{b.last->capacity} * sizeof(Row);
    while (bytes < last) bytes *= 2;
    bytes = std::min(2 * bytes, kMaxChunkBytes);
  }
  add_chunk(b, (bytes - sizeof(Chunk)) / sizeof(Row));
}

void FunnelLevels::add_chunk(Bucket& b, std::size_t rows) {
  if (rows > UINT32_MAX) throw std::bad_alloc();
  Chunk* c = static_cast<Chunk*>(arena_.allocate(sizeof(Chunk) + rows * sizeof(Row)));
  c->next_chunk = nullptr;
  c->capacity = static_cast<std::uint32_t>(rows);
  (b.last == nullptr ? b.first : b.last->next_chunk) = c;
  b.last = c;
  b.next = c->rows();
  b.end = c->rows() + rows;
  b.capacity += rows;
  capacity_ += rows;
  max_bucket_rows_ = std::max(max_bucket_rows_, b.capacity);
}

void FunnelLevels::free_chunks(Bucket& b) noexcept {
  for (Chunk* c = b.first; c != nullptr;) {
    Chunk* next = c->next_chunk;
    arena_.deallocate(c);
    c = next;
  }
  capacity_ -= b.capacity;
  b = Bucket{};
}

std::size_t FunnelLevels::bytes() const {
  return capacity_ * sizeof(Row) + max_bucket_rows_ * sizeof(TimedEvent) + user_bytes();
}

std::size_t FunnelLevels::user_bytes() const {
  return users_.capacity() * (sizeof(std::int64_t) + sizeof(std::uint8_t) + sizeof(std::uint32_t)) +
         slots_.capacity() * sizeof(std::uint32_t);
}

void FunnelLevels::spill(Sink sink) {
  sink_ = std::move(sink);
  send_held_rows();
}

void FunnelLevels::end_spill() {
  if (!sink_) return;
  send_held_rows();
  sink_ = nullptr;
}

void FunnelLevels::send_held_rows() {
  for (std::uint32_t b = 0; b < kBuckets; ++b) {
    for_each_run(buckets_[b], [&](const Row* rows, std::size_t n) { sink_(b, rows, n); });
    free_chunks(buckets_[b]);
  }
}

void FunnelLevels::append(std::uint32_t b, const Row* rows, std::size_t count) {
  if (sink_) throw std::logic_error("FunnelLevels::append() while spilling");
  Bucket& bucket = buckets_[b];
  while (count > 0) {
    if (bucket.next == bucket.end) new_chunk(bucket);
    const std::size_t n = std::min(count, static_cast<std::size_t>(bucket.end - bucket.next));
    std::memcpy(static_cast<void*>(bucket.next), rows, n * sizeof(Row));
    bucket.next += n;
    rows += n;
    count -= n;
  }
}

void FunnelLevels::reserve(std::uint32_t b, std::size_t rows) {
  if (sink_) throw std::logic_error("FunnelLevels::reserve() while spilling");
  Bucket& bucket = buckets_[b];
  if (bucket.first == nullptr && rows > 0) add_chunk(bucket, rows);
}

void FunnelLevels::ensure_levels() {
  if (levels_.size() < users_.size()) levels_.resize(users_.size(), 0);
}

void FunnelLevels::set_level(std::uint32_t user, int level) {
  ensure_levels();
  levels_[user] = static_cast<std::uint8_t>(level);
}

void FunnelLevels::level_bucket(std::uint32_t b) {
  Bucket& bucket = buckets_[b];
  if (bucket.first == nullptr || b >= users_.size()) {  // no rows (a bucket past the users has none)
    free_chunks(bucket);
    return;
  }
  ensure_levels();
  // Counting sort of the bucket's rows by user (index within the bucket), times and masks into
  // `events`.
  const std::size_t bucket_users = (users_.size() - b + kBuckets - 1) / kBuckets;
  std::vector<std::size_t, ArenaAllocator<std::size_t>> start(bucket_users + 1, 0, ArenaAllocator<std::size_t>(arena_));
  for_each_row(bucket, [&](const Row& r) { ++start[(r.tag >> 8) + 1]; });
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<TimedEvent, ArenaAllocator<TimedEvent>> events(start.back(), TimedEvent{0, 0}, ArenaAllocator<TimedEvent>(arena_));
  {
    std::vector<std::size_t, ArenaAllocator<std::size_t>> next(start.begin(), start.end() - 1, ArenaAllocator<std::size_t>(arena_));
    for_each_row(bucket, [&](const Row& r) { events[next[r.tag >> 8]++] = event_of(r); });
  }
  free_chunks(bucket);
  // Each user's run sorted by time (then step) and evaluated.
  const auto before = [](const TimedEvent& x, const TimedEvent& y) { return event_before(x, y); };
  for (std::size_t u = 0; u < bucket_users; ++u) {
    TimedEvent* first = events.data() + start[u];
    TimedEvent* last = events.data() + start[u + 1];
    if (first == last) continue;  // the user's rows were not here (levels set elsewhere)
    if (!std::is_sorted(first, last, before)) std::sort(first, last, before);  // sorted: a time-ordered table
    levels_[(u << kBucketBits) | b] =
        static_cast<std::uint8_t>(window_funnel(params_, first, static_cast<std::size_t>(last - first), arena_));
  }
}

void FunnelLevels::emit_levels(const std::function<void(std::int64_t, int)>& emit) {
  ensure_levels();
  std::vector<std::uint32_t, ArenaAllocator<std::uint32_t>> order(users_.size(), 0, ArenaAllocator<std::uint32_t>(arena_));
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return users_[a] < users_[b]; });
  for (std::uint32_t u : order) emit(users_[u], levels_[u]);
}

void FunnelLevels::finish(const std::function<void(std::int64_t, int)>& emit,
                          const std::function<void()>& between_buckets) {
  for (std::uint32_t b = 0; b < kBuckets; ++b) {
    if (between_buckets) between_buckets();
    level_bucket(b);
  }
  emit_levels(emit);
}

SortedRunLevels::SortedRunLevels(const FunnelParams& params, Arena& arena)
    : params_(params), arena_(arena), run_(ArenaAllocator<TimedEvent>(arena)) {
  if (params.modes & kStrictOrder)
    throw CohortError(ErrorKind::InvalidParameter, "strict_order needs every event of a user, not only the steps");
}

int SortedRunLevels::level() {
  const auto before = [](const TimedEvent& a, const TimedEvent& b) { return event_before(a, b); };
  if (!std::is_sorted(run_.begin(), run_.end(), before))
    throw std::logic_error("funnel rows of a user are not in time order");
  return window_funnel(params_, run_.data(), run_.size(), arena_);
}

}  // namespace cohort
