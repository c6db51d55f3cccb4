// window_funnel: ClickHouse's windowFunnel over a per-group event list (no PostgreSQL here).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/arena.hpp"
#include "core/event_list.hpp"

namespace cohort {

// Mode flags of window_funnel (ClickHouse's windowFunnel options).
enum FunnelMode : std::uint32_t {
  kStrictDeduplication = 1u << 0,  // a step already reached occurring again ends the search
  kStrictOrder = 1u << 1,          // any other event (or a later step out of turn) ends the search
  kStrictIncrease = 1u << 2,       // timestamps along the chain strictly increase
  kStrictOnce = 1u << 3,           // one row counts for at most one step of a chain
  kAllowReentry = 1u << 4,         // with strict_order: a later step out of turn is skipped instead
};
constexpr std::uint32_t kAllFunnelModes = 0x1F;

// The flag for a mode name; throws InvalidParameter naming an unknown mode.
std::uint32_t funnel_mode(std::string_view name);
// Throws InvalidParameter if a set of modes is not allowed (allow_reentry without strict_order).
void check_funnel_modes(std::uint32_t modes);
// A window given as an interval (months, days, microseconds) in microseconds, a month counting
// 30 days and a day 24 hours; throws InvalidParameter unless positive and representable.
std::int64_t funnel_window(std::int32_t months, std::int32_t days, std::int64_t micros);
// Throws InvalidParameter / ProgramLimit unless 1 <= steps <= 32.
void check_step_count(std::size_t steps, const char* function, const char* what);

// What must be the same for every row of a group.
struct FunnelParams {
  std::int64_t window = 0;  // microseconds, > 0
  std::uint32_t modes = 0;  // FunnelMode flags
  std::uint32_t steps = 0;  // 1..32

  bool operator==(const FunnelParams& o) const {
    return window == o.window && modes == o.modes && steps == o.steps;
  }
};

// The highest step reached by a chain over `events` sorted by event_before (see docs/analytics.md).
// `scratch` holds the working memory.
int window_funnel(const FunnelParams& params, const TimedEvent* events, std::size_t count, Arena& scratch);

// The aggregate state: parameters and the rows that matter.
class FunnelState {
 public:
  FunnelState(Arena& arena, const FunnelParams& params) : params_(params), events_(arena) {}

  const FunnelParams& params() const { return params_; }
  // Throws InvalidParameter if a row's parameters differ from the group's.
  void check_same(const FunnelParams& params) const;
  // Adds a row (rows without a true step are kept only in strict_order mode).
  void add(std::int64_t ts, std::uint32_t mask) {
    if (mask == 0 && !(params_.modes & kStrictOrder)) return;
    events_.add(ts, mask);
  }
  // Folds another partial state in (same parameters required).
  void merge(const FunnelState& other);
  // The funnel level (a one-chunk event list may be sorted in place; its rows do not change).
  int result();
  std::size_t size() const { return events_.size(); }
  // Bytes result() allocates while it runs, besides the search's own (see SortedEvents).
  std::size_t result_bytes() const { return events_.sorted_copy_bytes(); }
  // Where the next row's bytes go (see EventList::next_slot).
  const void* next_slot() const { return events_.next_slot(); }

  // Serialized size, writer and validating reader (InvalidBinary on any inconsistency).
  std::size_t serialized_size() const;
  void serialize(unsigned char* out) const;
  // Reads the parameters of a serialized state (validated).
  static FunnelParams read_params(std::string_view bytes);
  // Reads the events of a serialized state into this state, whose params came from read_params.
  void read_events(std::string_view bytes);

 private:
  FunnelParams params_;
  EventList events_;  // its arena is also the final function's scratch memory
};

}  // namespace cohort
