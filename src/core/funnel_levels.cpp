// Funnel levels for many users: dense user indexes, a counting sort, one pass per user.
#include "core/funnel_levels.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/errors.hpp"

namespace cohort {
namespace {

constexpr std::size_t kInitialSlots = 1024;  // a power of two

// Spreads the bits of a user id over the slot index.
std::uint64_t hash(std::int64_t key) {
  std::uint64_t h = static_cast<std::uint64_t>(key);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

FunnelLevels::FunnelLevels(const FunnelParams& params, Arena& arena)
    : params_(params),
      arena_(arena),
      chunks_(ArenaAllocator<Chunk>(arena)),
      users_(ArenaAllocator<std::int64_t>(arena)),
      slots_(kInitialSlots, 0, ArenaAllocator<std::uint32_t>(arena)) {
  if (params.modes & kStrictOrder)
    throw CohortError(ErrorKind::InvalidParameter, "strict_order needs every event of a user, not only the steps");
}

FunnelLevels::~FunnelLevels() {
  for (const Chunk& chunk : chunks_) arena_.deallocate(chunk.rows);
}

std::uint32_t FunnelLevels::user_index(std::int64_t user_id) {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(user_id) & mask;; i = (i + 1) & mask) {
    std::uint32_t slot = slots_[i];
    if (slot == 0) {
      if ((users_.size() + 1) * 2 > slots_.size()) {  // keep the load factor at most 1/2
        grow();
        return user_index(user_id);
      }
      users_.push_back(user_id);
      slots_[i] = static_cast<std::uint32_t>(users_.size());
      return slots_[i] - 1;
    }
    if (users_[slot - 1] == user_id) return slot - 1;
  }
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

void FunnelLevels::add(std::int64_t user_id, std::int64_t ts, std::uint32_t mask) {
  if (mask == 0) return;
  const std::uint32_t user = user_index(user_id);
  if (chunks_.empty() || last_used_ == chunks_.back().capacity) {
    const std::size_t capacity = chunks_.empty() ? kFirstChunkRows : std::min(2 * chunks_.back().capacity, kMaxChunkRows);
    chunks_.reserve(chunks_.size() + 1);  // so that push_back cannot throw after the allocation
    chunks_.push_back(Chunk{static_cast<Row*>(arena_.allocate(capacity * sizeof(Row))), capacity});
    last_used_ = 0;
    capacity_ += capacity;
  }
  chunks_.back().rows[last_used_++] = Row{user, TimedEvent{ts, mask}};
  ++rows_;
}

std::size_t FunnelLevels::bytes() const {
  return capacity_ * sizeof(Row) + rows_ * sizeof(TimedEvent) +
         users_.capacity() * (sizeof(std::int64_t) + 2 * sizeof(std::uint32_t)) +
         slots_.capacity() * sizeof(std::uint32_t);
}

void FunnelLevels::finish(const std::function<void(std::int64_t, int)>& emit) {
  const std::size_t n_users = users_.size();
  // Counting sort by user: start offsets, then every row's event into its user's run.
  std::vector<std::uint32_t, ArenaAllocator<std::uint32_t>> start(n_users + 1, 0,
                                                                  ArenaAllocator<std::uint32_t>(arena_));
  for_each_row([&](const Row& r) { ++start[r.user + 1]; });
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<TimedEvent, ArenaAllocator<TimedEvent>> events(rows_, TimedEvent{0, 0},
                                                            ArenaAllocator<TimedEvent>(arena_));
  {
    std::vector<std::uint32_t, ArenaAllocator<std::uint32_t>> next(start.begin(), start.end() - 1,
                                                                   ArenaAllocator<std::uint32_t>(arena_));
    for_each_row([&](const Row& r) { events[next[r.user]++] = r.event; });
  }
  // Users in ascending id order, each run sorted by time (then step) and evaluated.
  std::vector<std::uint32_t, ArenaAllocator<std::uint32_t>> order(n_users, 0, ArenaAllocator<std::uint32_t>(arena_));
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return users_[a] < users_[b]; });
  for (std::uint32_t u : order) {
    TimedEvent* first = events.data() + start[u];
    TimedEvent* last = events.data() + start[u + 1];
    const auto before = [](const TimedEvent& a, const TimedEvent& b) { return event_before(a, b); };
    if (!std::is_sorted(first, last, before)) std::sort(first, last, before);  // sorted: a time-ordered table
    emit(users_[u], window_funnel(params_, first, static_cast<std::size_t>(last - first), arena_));
  }
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
