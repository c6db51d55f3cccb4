// Sort-based funnel levels for many users against the aggregate's per-user FunnelState.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <random>
#include <set>
#include <vector>

#include "core/arena.hpp"
#include "core/errors.hpp"
#include "core/funnel.hpp"
#include "core/funnel_levels.hpp"
#include "test_util.hpp"

namespace {

using cohort::FunnelParams;

// Parameters with `window` microseconds, `steps` steps and `modes`.
FunnelParams params_of(int64_t window, uint32_t steps, uint32_t modes = 0) {
  FunnelParams p;
  p.window = window;
  p.steps = steps;
  p.modes = modes;
  return p;
}

// Row codes whose step mask is the code itself (every mask of up to 8 steps, 0 dropping the row).
std::vector<uint32_t> identity_masks() {
  std::vector<uint32_t> masks(256);
  for (uint32_t m = 0; m < 256; ++m) masks[m] = m;
  return masks;
}

// Levels from FunnelLevels and from one FunnelState per user, over the same random rows: `rows`
// of them over `users` users, at random times or (`time_ordered`) in ascending time, as a scan of
// an append-only table gives them.
void expect_same_levels(const FunnelParams& params, unsigned seed, int rows = 4000, int users = 60,
                        bool time_ordered = false) {
  std::mt19937 rng(seed);
  cohort::FunnelLevels levels(params, identity_masks(), cohort::heap_arena());
  std::map<int64_t, cohort::FunnelState> states;
  const uint32_t all = params.steps == 32 ? ~0u : (1u << params.steps) - 1;
  for (int i = 0; i < rows; ++i) {
    int64_t user = static_cast<int64_t>(rng() % static_cast<unsigned>(users)) - users / 2;  // negative ids too
    int64_t ts = time_ordered ? int64_t{i / 7} * 1000000                 // runs of 7 equal timestamps
                              : static_cast<int64_t>(rng() % 50) * 1000000;  // many equal timestamps
    uint32_t mask = rng() % 4 == 0 ? (rng() & all) : (1u << (rng() % params.steps));
    levels.add(user, ts, mask);
    states.try_emplace(user, cohort::heap_arena(), params).first->second.add(ts, mask);
  }
  std::map<int64_t, int> got;
  int64_t previous = INT64_MIN;
  levels.finish([&](int64_t user, int level) {
    EXPECT_GT(user, previous) << "users in ascending order, once each";
    previous = user;
    got[user] = level;
  });
  for (auto& [user, state] : states) {
    if (state.size() == 0) {
      EXPECT_EQ(got.count(user), 0u) << "user " << user << " had only rows without a step";
      continue;
    }
    ASSERT_EQ(got.count(user), 1u) << "user " << user;
    EXPECT_EQ(got[user], state.result()) << "user " << user << " seed " << seed;
  }
}

TEST(FunnelLevels, SameLevelsAsTheAggregateState) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    for (uint32_t steps : {1u, 2u, 4u, 6u}) {
      for (uint32_t modes : {0u, uint32_t{cohort::kStrictDeduplication}, uint32_t{cohort::kStrictIncrease},
                             uint32_t{cohort::kStrictOnce}}) {
        FunnelParams p;
        p.window = int64_t{7} * 1000000 * (1 + seed % 5);
        p.steps = steps;
        p.modes = modes;
        expect_same_levels(p, seed);
      }
    }
  }
}

// Buckets of many chunks (up to the largest, 4,096 rows, for few users with many rows each) and
// buckets of many users (70,000 users: indexes within a bucket above 255), at random times and in
// time order (where most users' runs are already sorted and only those with equal-time rows out
// of step order are sorted again).
TEST(FunnelLevels, ManyChunksManyUsersRandomAndTimeOrdered) {
  for (bool time_ordered : {false, true}) {
    for (uint32_t modes : {0u, uint32_t{cohort::kStrictIncrease}}) {
      FunnelParams p;
      p.window = int64_t{40} * 1000000;
      p.steps = 4;
      p.modes = modes;
      expect_same_levels(p, 7 + modes, 200000, 5000, time_ordered);
      expect_same_levels(p, 9 + modes, 60000, 3, time_ordered);
      expect_same_levels(p, 11 + modes, 150000, 70000, time_ordered);
    }
  }
}


using Row = cohort::FunnelLevels::Row;
constexpr uint32_t kBuckets = cohort::FunnelLevels::kBuckets;

// Every step row added goes to the sink exactly once, whenever spill() is called: the rows held
// at spill(), full blocks while spilling, and the rest at end_spill(); nothing is held after it,
// and append() is refused while spilling.
TEST(FunnelLevels, SpillSendsEveryRowOnce) {
  const FunnelParams p = params_of(10, 3);
  for (int users : {20, 600}) {
    for (int spill_at : {0, 1, 65, 193, 30000}) {
      cohort::FunnelLevels levels(p, identity_masks(), cohort::heap_arena());
      std::mt19937 rng(static_cast<unsigned>(users + spill_at));
      std::vector<std::tuple<int64_t, int64_t, uint32_t>> added, got;
      bool spilling = false;
      std::size_t blocks = 0;
      const auto sink = [&](uint32_t b, const Row* r, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
          got.emplace_back(levels.user_id(cohort::FunnelLevels::user_of(r[i], b)), r[i].ts, levels.event_of(r[i]).mask);
        if (spilling) {
          ++blocks;
          EXPECT_EQ(n, std::size_t{cohort::FunnelLevels::kSpillBlockRows}) << "a full block while spilling";
        }
      };
      for (int i = 0; i < 40000; ++i) {
        if (i == spill_at) {
          levels.spill(sink);
          spilling = true;
          EXPECT_THROW(levels.append(0, nullptr, 0), std::logic_error);
        }
        int64_t user = static_cast<int64_t>(rng() % static_cast<unsigned>(users)) * 7 - 100;
        int64_t ts = static_cast<int64_t>(rng() % 100000);
        uint32_t mask = rng() % 8;
        levels.add(user, ts, mask);
        if (mask != 0) added.emplace_back(user, ts, mask);
      }
      spilling = false;
      levels.end_spill();
      if (users == 20 && spill_at < 20000) EXPECT_GT(blocks, 0u) << "full blocks went out while spilling";
      for (uint32_t b = 0; b < kBuckets; ++b) EXPECT_EQ(levels.bucket_rows(b), 0u);
      std::sort(added.begin(), added.end());
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, added) << "users " << users << " spill at " << spill_at;
    }
  }
}

// Rows spilled half-way (some buckets filling several blocks, some holding several users) and
// brought back: odd buckets appended again and levelled in memory, even ones levelled elsewhere
// (sorted, through SortedRunLevels) and set; every user's level is the aggregate state's, and the
// levels vary (6,000 users of 10 rows each).
TEST(FunnelLevels, SpilledBucketsComeBackWithTheSameLevels) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    for (uint32_t modes : {0u, uint32_t{cohort::kStrictDeduplication}, uint32_t{cohort::kStrictIncrease},
                           uint32_t{cohort::kStrictOnce}}) {
      for (int users : {20, 6000}) {
        FunnelParams p;
        p.window = int64_t{5} * 1000000 * (1 + seed % 4);
        p.steps = 2 + seed % 3;
        p.modes = modes;
        std::mt19937 rng(seed * 31 + modes + static_cast<unsigned>(users));
        cohort::FunnelLevels levels(p, identity_masks(), cohort::heap_arena());
        std::map<int64_t, cohort::FunnelState> states;
        std::vector<std::vector<Row>> file(kBuckets);
        const uint32_t all = (1u << p.steps) - 1;
        const int rows = 60000;
        // A user's rows about two windows apart on average, so that every level occurs.
        const auto span = static_cast<unsigned>(rows / users) * 2 * static_cast<unsigned>(p.window / 1000000);
        for (int i = 0; i < rows; ++i) {
          if (i == rows / 2)
            levels.spill([&](uint32_t b, const Row* r, std::size_t n) { file[b].insert(file[b].end(), r, r + n); });
          int64_t user = static_cast<int64_t>(rng() % static_cast<unsigned>(users)) * 1009 - 5000;
          int64_t ts = static_cast<int64_t>(rng() % span) * 1000000;
          uint32_t mask = rng() % 6 == 0 ? (rng() & all) : (1u << (rng() % p.steps));
          levels.add(user, ts, mask);
          if (mask != 0) states.try_emplace(user, cohort::heap_arena(), p).first->second.add(ts, mask);
        }
        levels.end_spill();
        for (uint32_t b = 0; b < kBuckets; ++b) {
          if (b % 2 == 1) {
            levels.append(b, file[b].data(), file[b].size());
            EXPECT_EQ(levels.bucket_rows(b), file[b].size());
            levels.level_bucket(b);
            EXPECT_EQ(levels.bucket_rows(b), 0u);
            continue;
          }
          struct Keyed {
            uint32_t user;
            cohort::TimedEvent event;
          };
          std::vector<Keyed> keyed;
          for (const Row& r : file[b]) keyed.push_back(Keyed{cohort::FunnelLevels::user_of(r, b), levels.event_of(r)});
          std::sort(keyed.begin(), keyed.end(), [](const Keyed& x, const Keyed& y) {
            return x.user != y.user ? x.user < y.user : cohort::event_before(x.event, y.event);
          });
          cohort::SortedRunLevels runs(p, cohort::heap_arena());
          const auto set = [&](int64_t user, int level) { levels.set_level(static_cast<uint32_t>(user), level); };
          for (const Keyed& k : keyed) runs.add(k.user, k.event, set);
          runs.finish(set);
        }
        std::map<int64_t, int> got;
        std::set<int> distinct;
        levels.emit_levels([&](int64_t user, int level) {
          got[user] = level;
          distinct.insert(level);
        });
        std::size_t with_rows = 0;
        for (auto& [user, state] : states) {
          if (state.size() == 0) continue;
          ++with_rows;
          ASSERT_EQ(got.count(user), 1u) << "user " << user;
          EXPECT_EQ(got[user], state.result()) << "user " << user << " seed " << seed << " modes " << modes;
        }
        EXPECT_EQ(got.size(), with_rows);
        if (users == 6000) EXPECT_GE(distinct.size(), 3u) << "levels vary";
      }
    }
  }
}

// A bucket's chunks are powers of two doubling from 1 kB to 64 kB (one user's 100,000 rows take a
// few dozen allocations); one row in each of the 256 buckets holds 256 kB of chunks.
TEST(FunnelLevels, ChunksGrow) {
  const FunnelParams p = params_of(10, 1);
  {
    cohort_test::CountingArena arena;
    cohort::FunnelLevels levels(p, identity_masks(), arena);
    const std::size_t before = arena.allocations();
    for (int i = 0; i < 100000; ++i) levels.add(42, i, 1);
    EXPECT_EQ(levels.bucket_rows(0), 100000u);
    std::vector<std::size_t> chunks;  // the row chunks (the user table's allocations are smaller)
    for (std::size_t i = before; i < arena.all_sizes().size(); ++i)
      if (arena.all_sizes()[i] >= 1000) chunks.push_back(arena.all_sizes()[i]);
    ASSERT_GE(chunks.size(), 8u);
    ASSERT_LT(chunks.size(), 40u);
    for (std::size_t i = 0; i < chunks.size(); ++i) {  // a power of two but for less than a row
      const std::size_t power = std::min(std::size_t{1024} << std::min<std::size_t>(i, 6), std::size_t{65536});
      EXPECT_LE(chunks[i], power) << "chunk " << i;
      EXPECT_GT(chunks[i], power - sizeof(Row)) << "chunk " << i;
    }
  }
  cohort_test::CountingArena arena;
  cohort::FunnelLevels levels(p, identity_masks(), arena);
  const std::size_t before = arena.current();
  for (int u = 0; u < 256; ++u) levels.add(u, 0, 1);
  EXPECT_LE(arena.current() - before, 256u * 1024 + levels.user_bytes());
}

// finish() calls between_buckets() once per bucket; an exception it throws (a cancel) ends
// finish() and leaves nothing held once the levels are destroyed.
TEST(FunnelLevels, FinishChecksBetweenBuckets) {
  const FunnelParams p = params_of(10, 2);
  cohort_test::CountingArena arena;
  const auto fill = [](cohort::FunnelLevels& levels) {
    for (int i = 0; i < 5000; ++i) levels.add(i % 700, i, 1 + i % 3);
  };
  {
    cohort::FunnelLevels levels(p, identity_masks(), arena);
    fill(levels);
    int calls = 0;
    levels.finish([](int64_t, int) {}, [&] { ++calls; });
    EXPECT_EQ(calls, static_cast<int>(kBuckets));
  }
  {
    cohort::FunnelLevels levels(p, identity_masks(), arena);
    fill(levels);
    int calls = 0;
    EXPECT_THROW(levels.finish([](int64_t, int) {}, [&] {
      if (++calls == 10) throw std::runtime_error("canceled");
    }), std::runtime_error);
  }
  EXPECT_EQ(arena.current(), 0u);
}

// reload_bytes(rows), which decides whether a spilled bucket is brought back into memory, covers
// what bringing it back holds at its peak but for 4 kB (the per-user counters of level_bucket()
// and the funnel's scratch are not counted) and is at most a quarter over it (user_bytes() counts
// 4 more bytes a user for the index's growth): with few users of many rows (the rows and their
// regrouped copy dominate) and with many users of few rows (the users dominate).
TEST(FunnelLevels, ReloadBytesAreWhatABucketBroughtBackHolds) {
  const FunnelParams p = params_of(1000, 2);
  for (int users : {5, 200000}) {
    cohort_test::CountingArena arena;
    cohort::FunnelLevels levels(p, identity_masks(), arena);
    std::vector<std::vector<Row>> file(kBuckets);
    std::mt19937 rng(static_cast<unsigned>(users));
    for (int i = 0; i < 400000; ++i) {
      if (i == 1000) levels.spill([&](uint32_t b, const Row* r, std::size_t n) { file[b].insert(file[b].end(), r, r + n); });
      const int64_t user = i < users ? i : static_cast<int64_t>(rng() % static_cast<unsigned>(users));
      levels.add(user * 7 + 1, static_cast<int64_t>(rng() % 100000), 1 + rng() % 3);
    }
    levels.end_spill();
    std::size_t buckets = 0;
    for (uint32_t b = 0; b < kBuckets; ++b) {
      if (file[b].empty()) continue;
      ++buckets;
      arena.reset_peak();
      levels.reserve(b, file[b].size());
      levels.append(b, file[b].data(), file[b].size());
      levels.level_bucket(b);
      const std::size_t estimate = levels.reload_bytes(file[b].size());
      EXPECT_LE(arena.peak(), estimate + 4096) << "users " << users << " bucket " << b;
      EXPECT_LE(estimate, arena.peak() + arena.peak() / 4 + 4096) << "users " << users << " bucket " << b;
    }
    EXPECT_EQ(buckets, std::min<std::size_t>(static_cast<std::size_t>(users), kBuckets));
  }
}

// bytes() is at least what the rows and users hold once added, and what finish() holds at its
// peak; bucket_rows() counts the rows a bucket holds.
TEST(FunnelLevels, BytesCoverWhatIsHeld) {
  const FunnelParams p = params_of(1000, 2);
  for (int users : {3, 3000}) {
    cohort_test::CountingArena arena;
    std::size_t held = 0;
    {
      cohort::FunnelLevels levels(p, identity_masks(), arena);
      std::mt19937 rng(static_cast<unsigned>(users));
      std::vector<std::size_t> per_bucket(kBuckets, 0);
      std::map<int64_t, uint32_t> index;
      for (int i = 0; i < 50000; ++i) {
        int64_t user = static_cast<int64_t>(rng() % static_cast<unsigned>(users));
        levels.add(user, static_cast<int64_t>(rng() % 5000), 1 + rng() % 3);
        index.try_emplace(user, static_cast<uint32_t>(index.size()));
        ++per_bucket[index[user] % kBuckets];
      }
      for (uint32_t b = 0; b < kBuckets; ++b) EXPECT_EQ(levels.bucket_rows(b), per_bucket[b]) << "bucket " << b;
      const std::size_t bytes = levels.bytes();
      held = arena.current();
      EXPECT_LE(held, bytes) << "users " << users;
      EXPECT_GE(held, 50000 * sizeof(Row)) << "the rows are held";
      arena.reset_peak();
      int emitted = 0;
      levels.finish([&](int64_t, int) { ++emitted; });
      EXPECT_EQ(emitted, users);
      EXPECT_LE(arena.peak(), bytes + 4096) << "finish() stays within bytes() (users " << users << ")";
      EXPECT_LT(arena.current(), held) << "finish() freed the rows";
    }
    EXPECT_EQ(arena.current(), 0u) << "everything freed";
  }
}

TEST(FunnelLevels, NoRowsNoUsers) {
  FunnelParams p;
  p.window = 1;
  p.steps = 2;
  cohort::FunnelLevels levels(p, identity_masks(), cohort::heap_arena());
  levels.add(5, 0, 0);  // no step: dropped
  int calls = 0;
  levels.finish([&](int64_t, int) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(FunnelLevels, StrictOrderIsRefused) {
  FunnelParams p;
  p.window = 1;
  p.steps = 2;
  p.modes = cohort::kStrictOrder;
  EXPECT_THROW(cohort::FunnelLevels(p, identity_masks(), cohort::heap_arena()), cohort::CohortError);
  p.modes = 0;
  EXPECT_THROW(cohort::FunnelLevels(p, std::vector<uint32_t>(257, 1), cohort::heap_arena()), cohort::CohortError);
}

}  // namespace

// Rows sorted by user, time and tie key (as the SQL function's sort delivers them) give
// SortedRunLevels the same levels, in the same user order, as FunnelLevels over the same rows.
TEST(SortedRunLevels, SameLevelsAsFunnelLevels) {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    for (uint32_t modes : {0u, uint32_t{cohort::kStrictDeduplication}, uint32_t{cohort::kStrictIncrease},
                           uint32_t{cohort::kStrictOnce}}) {
      FunnelParams p;
      p.window = int64_t{5} * 1000000 * (1 + seed % 4);
      p.steps = 1 + seed % 5;
      p.modes = modes;
      std::mt19937 rng(seed);
      cohort::FunnelLevels levels(p, identity_masks(), cohort::heap_arena());
      const uint32_t all = (1u << p.steps) - 1;
      struct Row {
        int64_t user;
        cohort::TimedEvent event;
      };
      std::vector<Row> rows;
      for (int i = 0; i < 3000; ++i) {
        int64_t user = static_cast<int64_t>(rng() % 80) - 40;
        int64_t ts = static_cast<int64_t>(rng() % 40) * 1000000;
        uint32_t mask = rng() % 5 == 0 ? (rng() & all) : (1u << (rng() % p.steps));  // some 0: dropped
        levels.add(user, ts, mask);
        if (mask != 0) rows.push_back(Row{user, cohort::TimedEvent{ts, mask}});
      }
      std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        if (a.user != b.user) return a.user < b.user;
        return cohort::event_before(a.event, b.event);
      });
      std::vector<std::pair<int64_t, int>> expected, got;
      levels.finish([&](int64_t user, int level) { expected.emplace_back(user, level); });
      cohort::SortedRunLevels sorted(p, cohort::heap_arena());
      const auto emit = [&](int64_t user, int level) { got.emplace_back(user, level); };
      for (const Row& r : rows) sorted.add(r.user, r.event, emit);
      sorted.finish(emit);
      ASSERT_FALSE(expected.empty());
      EXPECT_EQ(got, expected) << "seed " << seed << " modes " << modes;
    }
  }
}

// A user's rows out of time order are refused (the sort feeding SortedRunLevels went wrong),
// rows without a step are dropped, and a user with none emits nothing.
TEST(SortedRunLevels, RefusesUnsortedRunsAndDropsStepless) {
  FunnelParams p;
  p.window = 10;
  p.steps = 2;
  std::vector<std::pair<int64_t, int>> got;
  const auto emit = [&](int64_t user, int level) { got.emplace_back(user, level); };
  cohort::SortedRunLevels levels(p, cohort::heap_arena());
  levels.add(1, cohort::TimedEvent{5, 0}, emit);
  levels.add(2, cohort::TimedEvent{5, 1}, emit);
  levels.add(2, cohort::TimedEvent{8, 2}, emit);
  levels.add(3, cohort::TimedEvent{9, 0}, emit);
  levels.finish(emit);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, int>>{{2, 2}}));
  cohort::SortedRunLevels unsorted(p, cohort::heap_arena());
  unsorted.add(4, cohort::TimedEvent{8, 2}, emit);
  unsorted.add(4, cohort::TimedEvent{5, 1}, emit);
  EXPECT_THROW(unsorted.finish(emit), std::logic_error);
  FunnelParams strict = p;
  strict.modes = cohort::kStrictOrder;
  EXPECT_THROW(cohort::SortedRunLevels(strict, cohort::heap_arena()), cohort::CohortError);
}
