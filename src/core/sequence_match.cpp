// The sequence matcher (a set-of-states simulation; no backtracking) and its aggregate state.
#include "core/sequence_match.hpp"

#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/funnel.hpp"

namespace cohort {
namespace {

constexpr std::uint8_t kFormatVersion = 1;
constexpr std::uint8_t kSequenceTag = 'S';

// The partial matches that have matched the first e elements, as the timestamps of their last
// matched event (only what can still matter is kept) and the index of the newest one's event.
struct Partial {
  std::int64_t ts;
  std::size_t born;
};
using Partials = std::vector<Partial, ArenaAllocator<Partial>>;

// How the partials waiting for an element are pruned, from its gap kind and time conditions.
enum class Keep { One, TwoOldest, All };

Keep keep_policy(const PatternStep& next) {
  if (next.constraints.empty()) return Keep::One;
  for (const TimeConstraint& c : next.constraints)
    if (c.is_upper_bound()) return Keep::All;
  return Keep::TwoOldest;  // only lower bounds and !=: the two oldest distinct times suffice
}

class Matcher {
 public:
  Matcher(const SequencePattern& p, Arena& arena)
      : p_(p), waiting_(p.steps.size(), Partials(ArenaAllocator<Partial>(arena)), ArenaAllocator<Partials>(arena)) {
    policy_.reserve(p.steps.size());
    for (const PatternStep& s : p.steps) policy_.push_back(keep_policy(s));
  }

  std::size_t run(const TimedEvent* ev, std::size_t n, std::size_t from) {
    const std::size_t m = p_.steps.size();
    for (std::size_t i = from; i < n; ++i) {
      // Descending, so a partial created at event i is not extended by event i itself.
      for (std::size_t e = m - 1; e >= 1; --e) {
        if (advance(e, ev[i], i) && e + 1 == m) return i + 1;
      }
      if (matches(p_.steps[0], ev[i].mask)) {
        if (m == 1) return i + 1;
        add(1, ev[i].ts, i);
      }
    }
    return kNoMatch;
  }

 private:
  static bool matches(const PatternStep& s, std::uint32_t mask) {
    return s.condition < 0 ? mask != 0 : ((mask >> s.condition) & 1u) != 0;
  }

  // Tries to extend the partials waiting for element e (0-based) with event i; true if it did.
  bool advance(std::size_t e, const TimedEvent& event, std::size_t i) {
    Partials& w = waiting_[e];
    if (w.empty()) return false;
    const PatternStep& step = p_.steps[e];
    if (!step.gap_before) {
      // Adjacent elements: only a partial made at the previous event may continue.
      if (w.back().born + 1 != i) {
        w.clear();
        return false;
      }
    }
    // Drop partials an upper-bound condition can no longer accept (time only moves forward).
    std::size_t drop = 0;
    while (drop < w.size() && expired(step, elapsed(w[drop].ts, event.ts))) ++drop;
    if (drop > 0) w.erase(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(drop));
    if (w.empty() || !matches(step, event.mask)) return false;
    for (const Partial& pa : w) {
      if (accepts(step, elapsed(pa.ts, event.ts))) {
        if (e + 1 < p_.steps.size()) add(e + 1, event.ts, i);
        return true;
      }
    }
    return false;
  }

  static bool expired(const PatternStep& s, std::uint64_t gap) {
    for (const TimeConstraint& c : s.constraints)
      if (c.is_upper_bound() && gap > static_cast<std::uint64_t>(c.micros)) return true;
    return false;
  }
  static bool accepts(const PatternStep& s, std::uint64_t gap) {
    for (const TimeConstraint& c : s.constraints)
      if (!c.holds(gap)) return false;
    return true;
  }

  // Records a partial that matched e elements, its last event being event i at time ts.
  void add(std::size_t e, std::int64_t ts, std::size_t i) {
    Partials& w = waiting_[e];
    if (!p_.steps[e].gap_before) {
      // Older partials had their only chance at event i already.
      if (!w.empty() && w.back().born != i) w.clear();
    }
    if (!w.empty() && w.back().ts == ts) {
      w.back().born = i;
      return;
    }
    switch (policy_[e]) {
      case Keep::One:
        w.clear();
        w.push_back({ts, i});
        return;
      case Keep::TwoOldest:
        if (w.size() < 2) w.push_back({ts, i});
        else w.back().born = i;  // the newest event index still matters for adjacency
        return;
      case Keep::All:
        w.push_back({ts, i});
        return;
    }
  }

  const SequencePattern& p_;
  std::vector<Partials, ArenaAllocator<Partials>> waiting_;
  std::vector<Keep> policy_;
};

}  // namespace

std::size_t find_sequence(const SequencePattern& pattern, const TimedEvent* events, std::size_t count,
                          std::size_t from, Arena& scratch) {
  if (pattern.steps.empty()) return kNoMatch;
  Matcher m(pattern, scratch);
  return m.run(events, count, from);
}

bool sequence_match(const SequencePattern& pattern, const TimedEvent* events, std::size_t count, Arena& scratch) {
  return find_sequence(pattern, events, count, 0, scratch) != kNoMatch;
}

std::uint64_t sequence_count(const SequencePattern& pattern, const TimedEvent* events, std::size_t count,
                             Arena& scratch) {
  std::uint64_t found = 0;
  std::size_t from = 0;
  while (from < count) {
    std::size_t end = find_sequence(pattern, events, count, from, scratch);
    if (end == kNoMatch) break;
    ++found;
    from = end;
  }
  return found;
}

SequenceState::SequenceState(Arena& arena, std::string_view pattern, unsigned conditions)
    : pattern_(pattern.data(), pattern.size(), ArenaAllocator<char>(arena)),
      conditions_(conditions),
      events_(arena) {
  check_step_count(conditions, "sequence_match", "condition");
  used_ = parse_sequence_pattern(pattern, conditions).conditions_used;
}

void SequenceState::check_same(std::string_view pattern, unsigned conditions) const {
  if (conditions == conditions_ && pattern == this->pattern()) return;
  throw CohortError(ErrorKind::InvalidParameter,
                    "sequence pattern and number of conditions must be the same for every row of a group");
}

void SequenceState::add(std::int64_t ts, std::uint32_t mask) {
  if (mask == 0) return;
  seen_ |= mask;
  events_.add(ts, mask);
}

void SequenceState::merge(const SequenceState& other) {
  check_same(other.pattern(), other.conditions_);
  seen_ |= other.seen_;
  events_.append(other.events_);
}

bool SequenceState::match() {
  if ((used_ & ~seen_) != 0) return false;  // a condition the pattern needs never held
  SortedEvents sorted(events_);
  SequencePattern compiled = parse_sequence_pattern(pattern(), conditions_);
  return sequence_match(compiled, sorted.data(), sorted.size(), events_.arena());
}

std::uint64_t SequenceState::count() {
  if ((used_ & ~seen_) != 0) return 0;
  SortedEvents sorted(events_);
  SequencePattern compiled = parse_sequence_pattern(pattern(), conditions_);
  return sequence_count(compiled, sorted.data(), sorted.size(), events_.arena());
}

std::size_t SequenceState::serialized_size() const { return 2 + 4 + 4 + pattern_.size() + events_.serialized_size(); }

void SequenceState::serialize(unsigned char* out) const {
  ByteWriter w(out);
  w.u8(kFormatVersion);
  w.u8(kSequenceTag);
  w.u32(conditions_);
  w.u32(static_cast<std::uint32_t>(pattern_.size()));
  w.bytes(pattern());
  events_.write_to(w.position());
}

SequenceState SequenceState::deserialize(Arena& arena, std::string_view bytes) {
  ByteReader r(bytes);
  if (r.u8() != kFormatVersion) invalid_state("unknown state format version");
  if (r.u8() != kSequenceTag) invalid_state("not a sequence_match state");
  std::uint32_t conditions = r.u32();
  if (conditions < 1 || conditions > kMaxConditions) invalid_state("invalid number of conditions");
  std::uint32_t length = r.u32();
  std::string_view pattern = r.bytes(length);
  SequenceState s = [&] {
    try {
      return SequenceState(arena, pattern, conditions);
    } catch (const CohortError&) {
      invalid_state("invalid pattern");
    }
  }();
  s.events_.read_from(r.rest(), conditions, false);
  s.events_.for_each_chunk([&](const TimedEvent* first, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) s.seen_ |= first[i].mask;
  });
  return s;
}

}  // namespace cohort
