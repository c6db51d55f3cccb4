// Funnel levels for many users: dense user indexes, rows in buckets, a counting sort per bucket.
#include "core/funnel_levels.hpp"

#include <algorithm>
#include <cstdint>
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
      slots_(kInitialSlots, 0, ArenaAllocator<std::uint32_t>(arena)) {
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
  const std::uint32_t rows = b.last == nullptr ? kFirstChunkRows : std::min(2 * b.last->capacity, kMaxChunkRows);
  Chunk* c = static_cast<Chunk*>(arena_.allocate(sizeof(Chunk) + std::size_t{rows} * sizeof(Row)));
  c->next_chunk = nullptr;
  c->capacity = rows;
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
  b = Bucket{};
}

std::size_t FunnelLevels::bytes() const {
  return capacity_ * sizeof(Row) + max_bucket_rows_ * sizeof(TimedEvent) +
         users_.capacity() * (sizeof(std::int64_t) + sizeof(std::uint8_t) + sizeof(std::uint32_t)) +
         slots_.capacity() * sizeof(std::uint32_t);
}

void FunnelLevels::finish(const std::function<void(std::int64_t, int)>& emit) {
  const std::size_t n_users = users_.size();
  std::vector<std::uint8_t, ArenaAllocator<std::uint8_t>> level(n_users, 0, ArenaAllocator<std::uint8_t>(arena_));
  {
    std::vector<TimedEvent, ArenaAllocator<TimedEvent>> events{ArenaAllocator<TimedEvent>(arena_)};
    events.reserve(max_bucket_rows_);
    std::vector<std::size_t, ArenaAllocator<std::size_t>> start{ArenaAllocator<std::size_t>(arena_)};
    std::vector<std::size_t, ArenaAllocator<std::size_t>> next{ArenaAllocator<std::size_t>(arena_)};
    const auto before = [](const TimedEvent& a, const TimedEvent& b) { return event_before(a, b); };
    for (std::uint32_t b = 0; b < kBuckets && b < n_users; ++b) {
      Bucket& bucket = buckets_[b];
      // Counting sort of the bucket's rows by user (index within the bucket), times and masks
      // into `events`.
      const std::size_t bucket_users = (n_users - b + kBuckets - 1) / kBuckets;
      start.assign(bucket_users + 1, 0);
      for_each_row(bucket, [&](const Row& r) { ++start[(r.tag >> 8) + 1]; });
      std::partial_sum(start.begin(), start.end(), start.begin());
      events.resize(start.back());
      next.assign(start.begin(), start.end() - 1);
      for_each_row(bucket, [&](const Row& r) { events[next[r.tag >> 8]++] = TimedEvent{r.ts, masks_[r.tag & 0xFF]}; });
      free_chunks(bucket);
      // Each user's run sorted by time (then step) and evaluated.
      for (std::size_t u = 0; u < bucket_users; ++u) {
        TimedEvent* first = events.data() + start[u];
        TimedEvent* last = events.data() + start[u + 1];
        if (!std::is_sorted(first, last, before)) std::sort(first, last, before);  // sorted: a time-ordered table
        level[(u << kBucketBits) | b] =
            static_cast<std::uint8_t>(window_funnel(params_, first, static_cast<std::size_t>(last - first), arena_));
      }
    }
  }
  // Users in ascending id order.
  std::vector<std::uint32_t, ArenaAllocator<std::uint32_t>> order(n_users, 0, ArenaAllocator<std::uint32_t>(arena_));
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return users_[a] < users_[b]; });
  for (std::uint32_t u : order) emit(users_[u], level[u]);
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
