// window_funnel for every user at once from rows in any order: each row is appended flat with a
// dense index of its user (a small hash table of user ids), then a counting sort groups the rows
// by user in linear time and each user's run, sorted by time, goes through window_funnel() (no
// per-user state touched at random per row, as a hash aggregate's is).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/arena.hpp"
#include "core/event_list.hpp"
#include "core/funnel.hpp"

namespace cohort {

class FunnelLevels {
 public:
  // `params`: window, steps (1..32) and modes (kStrictOrder is not allowed: only step rows are
  // collected). Throws InvalidParameter for kStrictOrder.
  FunnelLevels(const FunnelParams& params, Arena& arena);
  ~FunnelLevels();
  FunnelLevels(const FunnelLevels&) = delete;
  FunnelLevels& operator=(const FunnelLevels&) = delete;

  // Adds one row; rows without a step (mask 0) are dropped.
  void add(std::int64_t user_id, std::int64_t ts, std::uint32_t mask);
  // Bytes finish() will hold at its peak (rows, their regrouped copy, users), for memory accounting.
  std::size_t bytes() const;
  // Calls emit(user_id, level) once per user with rows, in ascending user order.
  void finish(const std::function<void(std::int64_t, int)>& emit);
  // Calls f(user_id, event) for every row kept so far, in the order added (to hand them over to a
  // sort elsewhere, see SortedRunLevels).
  template <typename F>
  void for_each_user_row(F&& f) const {
    for_each_row([&](const Row& r) { f(users_[r.user], r.event); });
  }

 private:
  struct Row {
    std::uint32_t user;  // dense index into users_
    TimedEvent event;
  };
  // Rows are kept in chunks, from 1,024 rows doubling up to 65,536: growing never copies them
  // (nor faults in a doubled copy), and a small call holds little.
  static constexpr std::size_t kFirstChunkRows = 1 << 10, kMaxChunkRows = 1 << 16;
  struct Chunk {
    Row* rows;
    std::size_t capacity;
  };

  // The dense index of `user_id`, registering it when new.
  std::uint32_t user_index(std::int64_t user_id);
  void grow();
  // Calls f(row) for every row, in the order added.
  template <typename F>
  void for_each_row(F&& f) const {
    for (std::size_t c = 0; c < chunks_.size(); ++c) {
      const std::size_t n = c + 1 < chunks_.size() ? chunks_[c].capacity : last_used_;
      for (std::size_t i = 0; i < n; ++i) f(chunks_[c].rows[i]);
    }
  }

  FunnelParams params_;
  Arena& arena_;
  std::vector<Chunk, ArenaAllocator<Chunk>> chunks_;  // rows from arena_; all full but the last
  std::size_t last_used_ = 0;                         // rows in the last chunk
  std::size_t rows_ = 0;                              // rows in all
  std::size_t capacity_ = 0;                          // rows the chunks hold in all
  std::vector<std::int64_t, ArenaAllocator<std::int64_t>> users_;   // dense index -> user id
  std::vector<std::uint32_t, ArenaAllocator<std::uint32_t>> slots_;  // open addressing: index + 1, 0 free
};

// window_funnel for every user from rows that come grouped by user, each user's rows in
// event_before() order (as a sort by user id, time and tie_key() delivers them): only the current
// user's run is held, so memory does not grow with the rows. Gives what FunnelLevels gives for the
// same rows, users in the order they come.
class SortedRunLevels {
 public:
  SortedRunLevels(const FunnelParams& params, Arena& arena);
  // Adds the next row (mask 0 is dropped, as FunnelLevels drops it); when `user_id` differs from
  // the previous row's user, first calls emit(previous user, level).
  template <typename Emit>
  void add(std::int64_t user_id, const TimedEvent& event, Emit&& emit) {
    if (event.mask == 0) return;
    if (!run_.empty() && user_id != user_) {
      emit(user_, level());
      run_.clear();
    }
    user_ = user_id;
    run_.push_back(event);
  }
  // Bytes held for the current user's rows (the most any user has needed so far).
  std::size_t bytes() const { return run_.capacity() * sizeof(TimedEvent); }
  // Calls emit(user, level) for the last user, if any.
  template <typename Emit>
  void finish(Emit&& emit) {
    if (!run_.empty()) emit(user_, level());
    run_.clear();
  }

 private:
  // The current run's level (throws std::logic_error when it is not in event_before() order).
  int level();

  FunnelParams params_;
  Arena& arena_;
  std::int64_t user_ = 0;
  std::vector<TimedEvent, ArenaAllocator<TimedEvent>> run_;  // the current user's rows
};

}  // namespace cohort
