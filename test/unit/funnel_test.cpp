// window_funnel: every mode's corner cases, a brute-force cross-check, and the state's bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/arena.hpp"
#include "core/errors.hpp"
#include "core/event_list.hpp"
#include "core/funnel.hpp"

using cohort::FunnelParams;
using cohort::FunnelState;
using cohort::TimedEvent;

namespace {

constexpr std::uint32_t A = 1, B = 2, C = 4, X = 0;

// The funnel level of rows (ts, mask) with `steps` steps, window and modes.
int level(std::vector<TimedEvent> rows, std::int64_t window, std::uint32_t modes = 0, std::uint32_t steps = 3) {
  FunnelParams p;
  p.window = window;
  p.modes = modes;
  p.steps = steps;
  FunnelState s(cohort::heap_arena(), p);
  for (const TimedEvent& e : rows) s.add(e.ts, e.mask);
  return s.result();
}

TEST(Funnel, BasicChainAndInclusiveWindow) {
  std::vector<TimedEvent> rows{{0, A}, {5, B}, {20, C}};
  EXPECT_EQ(level(rows, 30), 3);
  EXPECT_EQ(level(rows, 20), 3);  // inclusive: 20 - 0 <= 20
  EXPECT_EQ(level(rows, 19), 2);
  EXPECT_EQ(level(rows, 4), 1);
  EXPECT_EQ(level({}, 10), 0);
  EXPECT_EQ(level({{1, C}, {2, B}}, 10), 0);
}

TEST(Funnel, OutOfOrderStepsAndRestart) {
  EXPECT_EQ(level({{0, B}, {1, A}, {2, C}, {3, B}}, 10), 2);
  // A later first step restarts with a later window start.
  EXPECT_EQ(level({{0, A}, {5, B}, {50, A}, {55, B}, {60, C}}, 30), 3);
  // Insertion order does not matter.
  EXPECT_EQ(level({{60, C}, {55, B}, {0, A}, {50, A}, {5, B}}, 30), 3);
}

TEST(Funnel, EqualTimestampsOrderByStep) {
  EXPECT_EQ(level({{0, C}, {0, B}, {0, A}}, 1), 3);
  EXPECT_EQ(level({{0, C}, {0, B}, {0, A}}, 1, cohort::kStrictIncrease), 1);
  EXPECT_EQ(level({{0, A | B | C}}, 1), 3);
  EXPECT_EQ(level({{0, A | B | C}}, 1, cohort::kStrictOnce), 1);
}

TEST(Funnel, StrictIncreaseFindsTheLongestChain) {
  // A greedy single slot would keep b@2 and miss a@0 b@1 c@2.
  EXPECT_EQ(level({{0, A}, {1, B}, {2, B}, {2, C}}, 10, cohort::kStrictIncrease), 3);
  EXPECT_EQ(level({{0, A}, {0, B}, {1, C}}, 10, cohort::kStrictIncrease), 1);
}

TEST(Funnel, StrictOnce) {
  EXPECT_EQ(level({{0, A | B}, {1, C}}, 10, cohort::kStrictOnce), 1);
  EXPECT_EQ(level({{0, A | B}, {0, B}, {1, C}}, 10, cohort::kStrictOnce), 3);
  // a from the second row, b from the first.
  EXPECT_EQ(level({{0, A | B}, {0, A}, {1, C}}, 10, cohort::kStrictOnce), 3);
  EXPECT_EQ(level({{0, A | B}, {1, B | C}}, 10, cohort::kStrictOnce), 2);  // c needs a third row
  // Two rows each satisfying a and b: a from one, b from the other.
  EXPECT_EQ(level({{0, A | B}, {0, A | B}, {0, C}}, 10, cohort::kStrictOnce), 3);
}

TEST(Funnel, StrictDeduplication) {
  EXPECT_EQ(level({{0, A}, {1, B}, {2, B}, {3, C}}, 10, cohort::kStrictDeduplication), 2);
  EXPECT_EQ(level({{0, A}, {1, A}, {2, B}, {3, C}}, 10, cohort::kStrictDeduplication), 3);
  EXPECT_EQ(level({{0, A}, {1, B}, {2, C}, {3, B}}, 10, cohort::kStrictDeduplication), 3);
}

TEST(Funnel, StrictOrderAndReentry) {
  std::uint32_t so = cohort::kStrictOrder, re = cohort::kStrictOrder | cohort::kAllowReentry;
  EXPECT_EQ(level({{0, A}, {1, X}, {2, B}, {3, C}}, 10, so), 1);
  EXPECT_EQ(level({{0, A}, {1, X}, {2, B}, {3, C}}, 10, re), 1);  // another event still ends it
  EXPECT_EQ(level({{0, A}, {1, C}, {2, B}, {3, C}}, 10, so), 1);
  EXPECT_EQ(level({{0, A}, {1, C}, {2, B}, {3, C}}, 10, re), 3);
  EXPECT_EQ(level({{0, X}, {1, A}, {2, B}}, 10, so), 2);  // before the first step: ignored
  // x@0 sorts before a@0 (rows without a step come first at a timestamp): ignored.
  EXPECT_EQ(level({{0, A}, {0, X}, {1, B}}, 10, so), 2);
}

TEST(Funnel, StrictOrderTieRowsWithoutStepsComeFirst) {
  // At equal timestamps a row without a true step sorts before the steps (as ClickHouse's
  // (timestamp, 0) entries), so x@1 b@1 is "x, then b" and x ends the chain after a@0.
  EXPECT_EQ(level({{0, A}, {1, B}, {1, X}}, 10, cohort::kStrictOrder), 1);
  EXPECT_EQ(level({{0, X}, {0, A}, {1, B}}, 10, cohort::kStrictOrder), 2);
}

TEST(Funnel, OneStepAndInfiniteTimestamps) {
  EXPECT_EQ(level({{5, A}}, 1, 0, 1), 1);
  EXPECT_EQ(level({{INT64_MIN, A}, {INT64_MAX, B}}, INT64_MAX, 0, 2), 1);
  EXPECT_EQ(level({{INT64_MAX, A}, {INT64_MAX, B}}, 1, 0, 2), 2);
}

TEST(Funnel, ParametersAreValidated) {
  EXPECT_EQ(cohort::funnel_window(0, 1, 0), 86400LL * 1000000);
  EXPECT_EQ(cohort::funnel_window(1, 0, 0), 30 * 86400LL * 1000000);
  EXPECT_THROW(cohort::funnel_window(0, 0, 0), cohort::CohortError);
  EXPECT_THROW(cohort::funnel_window(1, -30, 0), cohort::CohortError);
  EXPECT_THROW(cohort::funnel_window(INT32_MAX, 0, 0), cohort::CohortError);
  EXPECT_THROW(cohort::funnel_mode("strict"), cohort::CohortError);
  EXPECT_EQ(cohort::funnel_mode("strict_once"), cohort::kStrictOnce);
  EXPECT_THROW(cohort::check_funnel_modes(cohort::kAllowReentry), cohort::CohortError);
  EXPECT_NO_THROW(cohort::check_funnel_modes(cohort::kAllowReentry | cohort::kStrictOrder));
  try {
    cohort::check_step_count(33, "window_funnel", "step");
    FAIL();
  } catch (const cohort::CohortError& e) {
    EXPECT_EQ(e.kind(), cohort::ErrorKind::ProgramLimit);
  }
  try {
    cohort::check_step_count(0, "window_funnel", "step");
    FAIL();
  } catch (const cohort::CohortError& e) {
    EXPECT_EQ(e.kind(), cohort::ErrorKind::InvalidParameter);
  }
}

// Longest chain by exhaustive search: rows used in order of (ts, step), window from the first.
int brute(const std::vector<TimedEvent>& rows, std::int64_t window, std::uint32_t modes, unsigned steps) {
  int best = 0;
  std::vector<std::size_t> used;
  // Extends a chain whose last step is `k` at row `last` (k = 0: empty chain).
  auto dfs = [&](auto&& self, unsigned k, std::int64_t first, std::int64_t last_ts) -> void {
    best = std::max(best, static_cast<int>(k));
    if (k == steps) return;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (!(rows[r].mask & (1u << k))) continue;
      std::int64_t t = rows[r].ts;
      if (k > 0) {
        if (t < last_ts || t - first > window) continue;
        if ((modes & cohort::kStrictIncrease) && t == last_ts) continue;
        if ((modes & cohort::kStrictOnce) && std::find(used.begin(), used.end(), r) != used.end()) continue;
      }
      used.push_back(r);
      self(self, k + 1, k == 0 ? t : first, t);
      used.pop_back();
    }
  };
  dfs(dfs, 0, 0, 0);
  return best;
}

TEST(Funnel, MatchesBruteForceOnRandomInputs) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 3000; ++round) {
    unsigned steps = 1 + rng() % 4;
    std::vector<TimedEvent> rows(rng() % 9);
    for (TimedEvent& e : rows) {
      e.ts = static_cast<std::int64_t>(rng() % 8);
      e.mask = static_cast<std::uint32_t>(rng() % (1u << steps));
    }
    std::int64_t window = 1 + rng() % 5;
    for (std::uint32_t modes : {0u, unsigned(cohort::kStrictIncrease), unsigned(cohort::kStrictOnce),
                                unsigned(cohort::kStrictOnce | cohort::kStrictIncrease)}) {
      ASSERT_EQ(level(rows, window, modes, steps), brute(rows, window, modes, steps))
          << "round " << round << " modes " << modes;
    }
  }
}

TEST(Funnel, NoModeFastPathMatchesBruteForceOnLongerInputs) {
  std::mt19937 rng(2024);
  for (int round = 0; round < 1500; ++round) {
    unsigned steps = 1 + rng() % 5;
    std::vector<TimedEvent> rows(rng() % 15);
    for (TimedEvent& e : rows) {
      e.ts = static_cast<std::int64_t>(rng() % 20);
      e.mask = static_cast<std::uint32_t>(rng() % (1u << steps));
    }
    std::int64_t window = 1 + rng() % 8;
    ASSERT_EQ(level(rows, window, 0, steps), brute(rows, window, 0, steps)) << "round " << round;
  }
}

TEST(Funnel, ManyRowsGrowSortAndSerialize) {
  // Rows arrive newest first, across many growths of the event list; only a -> b -> c two
  // microseconds apart completes the chain.
  FunnelParams p{2, 0, 3};
  FunnelState s(cohort::heap_arena(), p);
  const int n = 20000;
  for (int i = n - 1; i >= 0; --i) {
    s.add(10 * i + 2, C);
    s.add(10 * i + 1, B);
    s.add(10 * i, A);
    s.add(10 * i + 5, X);  // no step: not kept without strict_order
  }
  EXPECT_EQ(s.size(), 3u * n);
  EXPECT_EQ(s.result(), 3);
  EXPECT_EQ(s.result(), 3);  // the final function may run again
  std::string bytes(s.serialized_size(), '\0');
  EXPECT_EQ(bytes.size(), 18u + 8u + 12u * 3u * n);
  s.serialize(reinterpret_cast<unsigned char*>(bytes.data()));
  FunnelState t(cohort::heap_arena(), FunnelState::read_params(bytes));
  t.read_events(bytes);
  EXPECT_EQ(t.size(), 3u * n);
  EXPECT_EQ(t.result(), 3);
  FunnelState narrow(cohort::heap_arena(), FunnelParams{1, 0, 3});
  narrow.read_events(bytes);
  EXPECT_EQ(narrow.result(), 2);
}

TEST(Funnel, SerializeRoundTripAndMerge) {
  FunnelParams p{3600, cohort::kStrictOrder, 3};
  FunnelState a(cohort::heap_arena(), p), b(cohort::heap_arena(), p);
  a.add(0, A);
  a.add(10, X);  // kept in strict_order mode
  b.add(5, B);
  std::string bytes(a.serialized_size(), '\0');
  a.serialize(reinterpret_cast<unsigned char*>(bytes.data()));
  FunnelParams q = FunnelState::read_params(bytes);
  EXPECT_TRUE(q == p);
  FunnelState c(cohort::heap_arena(), q);
  c.read_events(bytes);
  EXPECT_EQ(c.size(), 2u);
  c.merge(b);
  EXPECT_EQ(c.result(), 2);  // a@0, b@5 from the other state, then x@10 ends the search
}

TEST(Funnel, MergeOrderDoesNotMatter) {
  FunnelParams p{100, 0, 3};
  FunnelState a(cohort::heap_arena(), p), b(cohort::heap_arena(), p);
  a.add(0, A);
  a.add(30, C);
  b.add(10, B);
  FunnelState c(cohort::heap_arena(), p);
  c.merge(b);
  c.merge(a);
  EXPECT_EQ(c.result(), 3);
  EXPECT_EQ(c.result(), 3);  // the final step may run twice
  FunnelState other(cohort::heap_arena(), FunnelParams{200, 0, 3});
  EXPECT_THROW(c.merge(other), cohort::CohortError);
}

TEST(Funnel, CorruptedBytesAreRejected) {
  FunnelParams p{3600, 0, 2};
  FunnelState a(cohort::heap_arena(), p);
  a.add(1, A);
  a.add(2, B);
  std::string good(a.serialized_size(), '\0');
  a.serialize(reinterpret_cast<unsigned char*>(good.data()));
  auto rejects = [&](std::string bytes) {
    try {
      FunnelParams q = FunnelState::read_params(bytes);
      FunnelState s(cohort::heap_arena(), q);
      s.read_events(bytes);
    } catch (const cohort::CohortError& e) {
      return e.kind() == cohort::ErrorKind::InvalidBinary;
    }
    return false;
  };
  EXPECT_FALSE(rejects(good));
  EXPECT_TRUE(rejects(""));
  EXPECT_TRUE(rejects(good.substr(0, good.size() - 1)));  // truncated event
  EXPECT_TRUE(rejects(good + "x"));                       // trailing byte
  std::string bad = good;
  bad[0] = 9;  // version
  EXPECT_TRUE(rejects(bad));
  bad = good;
  bad[1] = 'S';  // wrong kind
  EXPECT_TRUE(rejects(bad));
  bad = good;
  bad[2 + 7] = static_cast<char>(0x80);  // negative window
  EXPECT_TRUE(rejects(bad));
  bad = good;
  bad[10] = static_cast<char>(0x10);  // allow_reentry without strict_order
  EXPECT_TRUE(rejects(bad));
  bad = good;
  bad[14] = 33;  // 33 steps
  EXPECT_TRUE(rejects(bad));
  bad = good;
  bad[18] = 3;  // count 3, only 2 events present
  EXPECT_TRUE(rejects(bad));
  bad = good;
  bad[18 + 8 + 8] = 4;  // first event names step 3 of 2
  EXPECT_TRUE(rejects(bad));
  bad = good;
  bad[18 + 8 + 8] = 0;  // an event without steps outside strict_order
  EXPECT_TRUE(rejects(bad));
}

}  // namespace
