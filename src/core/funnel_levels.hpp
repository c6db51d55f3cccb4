// window_funnel for every user at once from rows in any order: the rows are collected flat, sorted
// by user and time, and each user's run goes through window_funnel() in one sequential pass (no
// per-user state touched at random, as a hash aggregate's is).
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

  // Adds one row; rows without a step (mask 0) are dropped.
  void add(std::int64_t user_id, std::int64_t ts, std::uint32_t mask) {
    if (mask != 0) rows_.push_back(Row{user_id, TimedEvent{ts, mask}});
  }
  // Bytes held, for memory accounting.
  std::size_t bytes() const { return rows_.capacity() * sizeof(Row); }
  // Calls emit(user_id, level) once per user with rows, in ascending user order.
  void finish(const std::function<void(std::int64_t, int)>& emit);

 private:
  struct Row {
    std::int64_t user_id;
    TimedEvent event;
  };
  FunnelParams params_;
  Arena& arena_;
  std::vector<Row, ArenaAllocator<Row>> rows_;
};

}  // namespace cohort
