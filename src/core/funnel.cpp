// window_funnel: parameters, the chain search, and the aggregate state.
#include "core/funnel.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace cohort {
namespace {

constexpr std::uint8_t kFormatVersion = 1;
constexpr std::uint8_t kFunnelTag = 'F';
constexpr std::size_t kHeaderSize = 2 + 8 + 4 + 4;
// strict_once keeps every chain not dominated by another, which can grow exponentially with the
// rows of one timestamp; this bounds the dominance checks per timestamp (well under a second).
constexpr std::uint64_t kMaxOnceWork = 20000000;

// A partial chain: the timestamp of its first step and, in strict_once mode, the rows it used at
// the current timestamp (rows at earlier timestamps can never be met again).
struct Candidate {
  std::int64_t first;
  std::uint32_t used_count;
  std::array<std::uint32_t, kMaxConditions> used;

  bool uses(std::uint32_t row) const {
    for (std::uint32_t i = 0; i < used_count; ++i)
      if (used[i] == row) return true;
    return false;
  }
  // True if every row this candidate used is also used by `o`.
  bool used_subset_of(const Candidate& o) const {
    for (std::uint32_t i = 0; i < used_count; ++i)
      if (!o.uses(used[i])) return false;
    return true;
  }
};

using Candidates = std::vector<Candidate, ArenaAllocator<Candidate>>;

// The search over sorted events; slots_[k] holds the chains whose last step is k (1-based).
class FunnelSearch {
 public:
  FunnelSearch(const FunnelParams& p, Arena& arena)
      : p_(p), slots_(p.steps + 1, Candidates(ArenaAllocator<Candidate>(arena)),
                      ArenaAllocator<Candidates>(arena)) {}

  int run(const TimedEvent* ev, std::size_t n) {
    std::size_t i = 0;
    while (i < n) {
      std::int64_t t = ev[i].ts;
      std::size_t j = i;
      while (j < n && ev[j].ts == t) ++j;
      if (!group(ev, i, j, t)) return level();
      if (reached(p_.steps)) return static_cast<int>(p_.steps);
      i = j;
    }
    return level();
  }

 private:
  bool has(std::uint32_t mode) const { return (p_.modes & mode) != 0; }
  bool reached(unsigned k) const { return (reached_ >> k) & 1u; }
  int level() const {
    for (unsigned k = p_.steps; k > 0; --k)
      if (reached(k)) return static_cast<int>(k);
    return 0;
  }

  // The best first timestamp of the chains ending at step k, if any.
  bool best_first(unsigned k, std::int64_t& out) const {
    const Candidates& s = slots_[k];
    if (s.empty()) return false;
    out = s.front().first;
    for (const Candidate& c : s) out = std::max(out, c.first);
    return true;
  }

  // Called when the timestamp changes: freeze the chains that may be extended at a strictly later
  // time (strict_increase) and forget which rows were used at the previous timestamp (strict_once).
  void new_timestamp() {
    once_work_ = 0;
    for (unsigned k = 1; k <= p_.steps; ++k) {
      std::int64_t first;
      bool any = best_first(k, first);
      committed_ok_[k] = any;
      if (any) committed_[k] = first;
      if (any && has(kStrictOnce)) {
        Candidate c{};
        c.first = first;
        slots_[k].clear();
        slots_[k].push_back(c);
      }
    }
  }

  // Records a chain ending at step k, keeping only chains not dominated by another.
  void offer(unsigned k, const Candidate& c) {
    reached_ |= 1ull << k;
    Candidates& s = slots_[k];
    if (!has(kStrictOnce)) {
      if (s.empty()) s.push_back(c);
      else if (c.first > s.front().first) s.front() = c;
      return;
    }
    once_work_ += s.size() * (c.used_count + 1);
    if (once_work_ > kMaxOnceWork)
      throw CohortError(ErrorKind::ProgramLimit, "window_funnel strict_once search is too large",
                        "Too many rows sharing one timestamp satisfy different steps.");
    for (const Candidate& o : s)
      if (o.first >= c.first && o.used_subset_of(c)) return;
    s.erase(std::remove_if(s.begin(), s.end(),
                           [&](const Candidate& o) { return c.first >= o.first && c.used_subset_of(o); }),
            s.end());
    s.push_back(c);
  }

  // Extends the chains ending at step k-1 with row `row` at time t as step k. `twin` says that the
  // previous row has the same mask: a chain then takes `row` only if it already used that twin
  // (twins are interchangeable, so strict_once keeps one chain instead of one per choice of twin).
  void extend(unsigned k, std::uint32_t row, std::int64_t t, bool twin) {
    if (has(kStrictIncrease)) {
      if (committed_ok_[k - 1] && elapsed(committed_[k - 1], t) <= window()) {
        Candidate c{};
        c.first = committed_[k - 1];
        offer(k, c);
      }
      return;
    }
    // offer(k, ...) only changes slot k, so iterating slot k-1 by index is safe.
    const Candidates& prev = slots_[k - 1];
    for (std::size_t ci = 0; ci < prev.size(); ++ci) {
      Candidate c = prev[ci];
      if (elapsed(c.first, t) > window()) continue;
      if (has(kStrictOnce)) {
        if (c.uses(row) || (twin && !c.uses(row - 1))) continue;
        c.used[c.used_count++] = row;
      }
      offer(k, c);
    }
  }

  std::uint64_t window() const { return static_cast<std::uint64_t>(p_.window); }

  // Processes the rows [i, j) sharing timestamp t; false when a mode ends the search.
  bool group(const TimedEvent* ev, std::size_t i, std::size_t j, std::int64_t t) {
    new_timestamp();
    // Rows without a true step (kept only in strict_order mode) sort first within a timestamp.
    if (has(kStrictOrder) && ev[i].mask == 0 && seen_first_) return false;
    for (unsigned k = 1; k <= p_.steps; ++k) {
      std::uint32_t bit = 1u << (k - 1);
      for (std::size_t r = i; r < j; ++r) {
        if ((ev[r].mask & bit) == 0) continue;
        std::uint32_t row = static_cast<std::uint32_t>(r - i);
        bool twin = r > i && ev[r - 1].mask == ev[r].mask;  // rows of equal masks are adjacent
        if (k == 1) {
          if (twin && has(kStrictOnce)) continue;  // the twin started the same chain

          Candidate c{};
          c.first = t;
          if (has(kStrictOnce)) c.used[c.used_count++] = row;
          offer(1, c);
          seen_first_ = true;
          continue;
        }
        if (has(kStrictDeduplication) && reached(k)) return false;
        if (has(kStrictOrder) && seen_first_ && !reached(k - 1)) {
          if (has(kAllowReentry)) continue;
          return false;
        }
        extend(k, row, t, twin);
      }
      if (reached(p_.steps)) return true;
    }
    return true;
  }

  const FunnelParams& p_;
  std::vector<Candidates, ArenaAllocator<Candidates>> slots_;
  std::array<std::int64_t, kMaxConditions + 1> committed_{};
  std::array<bool, kMaxConditions + 1> committed_ok_{};
  std::uint64_t reached_ = 0;
  std::uint64_t once_work_ = 0;  // strict_once dominance checks at the current timestamp
  bool seen_first_ = false;
};

// The search without modes, in one pass: first[k] is the latest first-step time of a chain
// reaching step k (a later start dominates: it leaves more of the window). Rows sharing a
// timestamp may chain in step order and one row may count for several steps, so the rows of one
// timestamp act together as one row with the OR of their masks.
int plain_funnel(const FunnelParams& p, const TimedEvent* ev, std::size_t n) {
  std::array<std::int64_t, kMaxConditions + 1> first{};
  std::uint64_t reached = 0;  // bit k: some chain reaches step k
  const std::uint64_t window = static_cast<std::uint64_t>(p.window);
  const std::uint64_t done = 1ull << p.steps;
  std::size_t i = 0;
  while (i < n) {
    const std::int64_t t = ev[i].ts;
    std::uint32_t mask = 0;
    for (; i < n && ev[i].ts == t; ++i) mask |= ev[i].mask;
    if (mask & 1u) {
      first[1] = t;
      reached |= 2;
    }
    for (unsigned k = 2; k <= p.steps; ++k) {
      if (((mask >> (k - 1)) & 1u) == 0 || ((reached >> (k - 1)) & 1u) == 0) continue;
      if (elapsed(first[k - 1], t) > window) continue;
      if (((reached >> k) & 1u) == 0 || first[k - 1] > first[k]) first[k] = first[k - 1];
      reached |= 1ull << k;
    }
    if (reached & done) return static_cast<int>(p.steps);
  }
  return reached == 0 ? 0 : 63 - __builtin_clzll(reached);
}

}  // namespace

std::uint32_t funnel_mode(std::string_view name) {
  if (name == "strict_deduplication") return kStrictDeduplication;
  if (name == "strict_order") return kStrictOrder;
  if (name == "strict_increase") return kStrictIncrease;
  if (name == "strict_once") return kStrictOnce;
  if (name == "allow_reentry") return kAllowReentry;
  throw CohortError(ErrorKind::InvalidParameter, "unknown window_funnel mode \"" + std::string(name) + "\"",
                    "Valid modes are strict_deduplication, strict_order, strict_increase, strict_once "
                    "and allow_reentry.");
}

void check_funnel_modes(std::uint32_t modes) {
  if ((modes & ~kAllFunnelModes) != 0) throw CohortError(ErrorKind::InvalidParameter, "unknown window_funnel mode");
  if ((modes & kAllowReentry) && !(modes & kStrictOrder))
    throw CohortError(ErrorKind::InvalidParameter, "window_funnel mode allow_reentry requires strict_order");
}

std::int64_t funnel_window(std::int32_t months, std::int32_t days, std::int64_t micros) {
  constexpr std::int64_t kDay = 86400LL * 1000000LL;
  // |months * 30 + days| < 2^37 days, times kDay < 2^74: do it in long double-free 128-bit math.
  __int128 total = static_cast<__int128>(months) * 30 * kDay + static_cast<__int128>(days) * kDay + micros;
  if (total <= 0)
    throw CohortError(ErrorKind::InvalidParameter, "window_funnel window must be positive");
  if (total > std::numeric_limits<std::int64_t>::max())
    throw CohortError(ErrorKind::InvalidParameter, "window_funnel window is out of range");
  return static_cast<std::int64_t>(total);
}

void check_step_count(std::size_t steps, const char* function, const char* what) {
  if (steps < 1)
    throw CohortError(ErrorKind::InvalidParameter, std::string(function) + " needs at least one " + what);
  if (steps > kMaxConditions)
    throw CohortError(ErrorKind::ProgramLimit,
                      std::string(function) + " takes at most 32 " + what + "s, not " + std::to_string(steps));
}

int window_funnel(const FunnelParams& params, const TimedEvent* events, std::size_t count, Arena& scratch) {
  if (params.modes == 0) return plain_funnel(params, events, count);
  FunnelSearch search(params, scratch);
  return search.run(events, count);
}

void FunnelState::check_same(const FunnelParams& params) const {
  if (params == params_) return;
  throw CohortError(ErrorKind::InvalidParameter,
                    "window_funnel window, modes and number of steps must be the same for every row of a group");
}

void FunnelState::merge(const FunnelState& other) {
  check_same(other.params_);
  events_.append(other.events_);
}

int FunnelState::result() {
  SortedEvents sorted(events_);
  return window_funnel(params_, sorted.data(), sorted.size(), events_.arena());
}

std::size_t FunnelState::serialized_size() const { return kHeaderSize + events_.serialized_size(); }

void FunnelState::serialize(unsigned char* out) const {
  ByteWriter w(out);
  w.u8(kFormatVersion);
  w.u8(kFunnelTag);
  w.i64(params_.window);
  w.u32(params_.modes);
  w.u32(params_.steps);
  events_.write_to(w.position());
}

FunnelParams FunnelState::read_params(std::string_view bytes) {
  ByteReader r(bytes);
  if (r.u8() != kFormatVersion) invalid_state("unknown state format version");
  if (r.u8() != kFunnelTag) invalid_state("not a window_funnel state");
  FunnelParams p;
  p.window = r.i64();
  p.modes = r.u32();
  p.steps = r.u32();
  if (p.window <= 0) invalid_state("window is not positive");
  if ((p.modes & ~kAllFunnelModes) != 0 || ((p.modes & kAllowReentry) && !(p.modes & kStrictOrder)))
    invalid_state("invalid modes");
  if (p.steps < 1 || p.steps > kMaxConditions) invalid_state("invalid number of steps");
  return p;
}

void FunnelState::read_events(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) invalid_state("the state is truncated");
  events_.read_from(bytes.substr(kHeaderSize), params_.steps, (params_.modes & kStrictOrder) != 0);
}

}  // namespace cohort
