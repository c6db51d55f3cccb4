// The per-user table's rows: dense, in the order users came, never moved; known_slots() and
// add_known(), and fold_ahead() over whole batches, fold exactly as add() does.
#include "test_util.hpp"

#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/arena.hpp"
#include "core/canonical.hpp"
#include "core/fold_ahead.hpp"
#include "core/user_table.hpp"

using cohort_test::kDay;

namespace {

const int64_t kAsOf = 1000 * kDay;

// Two chained windows of one event (sum of p over 30 and 90 days), a filtered count and a count
// of another event: every way add() folds a row.
constexpr const char* kDefinition = R"({"any": [
    {"performed": {"event": "buy", "aggregate": "sum", "property": "p", "op": ">=", "value": 50, "days": 30}},
    {"performed": {"event": "buy", "aggregate": "sum", "property": "p", "op": ">=", "value": 90, "days": 90}},
    {"performed": {"event": "view", "op": ">=", "value": 3, "days": 60, "where": {"c": "x"}}},
    {"performed": {"event": "cart", "op": ">=", "value": 2}}]})";

// An arena whose memory comes filled with 0xFF bytes (NaN doubles), so unzeroed slots show.
class PoisonArena final : public cohort::Arena {
 public:
  void* allocate(std::size_t bytes) override {
    void* p = cohort::heap_arena().allocate(bytes);
    std::memset(p, 0xFF, bytes);
    return p;
  }
  void deallocate(void* p) noexcept override { cohort::heap_arena().deallocate(p); }
};

// A table of kDefinition in its own arena, with rows given by field.
class Table {
 public:
  explicit Table(cohort::Arena& arena = cohort::heap_arena())
      : program_(cohort::Program::compile(cohort::parse_definition(kDefinition))), table_(program_, arena) {
    table_.set_window_bounds(cohort_test::window_bounds(program_, kAsOf));
  }
  const cohort::Program& program() const { return program_; }
  cohort::UserTable& table() { return table_; }

  // The row of one event (p is the only number, the filter passes when `in_x`).
  cohort::EventRow row(int64_t user, const char* event, int64_t ts, double p, bool in_x) {
    numbers_[0] = p;
    nulls_[0] = false;
    passes_[0] = in_x;
    cohort::EventRow r;
    r.user_id = user;
    r.event = program_.event_index(event);
    r.ts = ts;
    r.numbers = numbers_;
    r.texts = texts_;
    r.nulls = nulls_;
    r.filters = passes_;
    return r;
  }

 private:
  cohort::Program program_;
  cohort::UserTable table_;
  double numbers_[2] = {0, 0};
  std::string_view texts_[2];
  bool nulls_[2] = {false, false};
  bool passes_[2] = {false, false};
};

TEST(UserTableRows, EntriesFollowTheOrderUsersCame) {
  Table t;
  for (int64_t user : {30, 10, 30, 20, 10}) t.table().add(t.row(user, "cart", kAsOf, 0, false));
  t.table().finish();
  ASSERT_EQ(t.table().entries(), 3u);
  const int64_t expected[] = {30, 10, 20};
  for (std::size_t e = 0; e < 3; ++e) {
    int64_t user = 0;
    const double* slots = nullptr;
    ASSERT_TRUE(t.table().entry(e, user, slots));
    EXPECT_EQ(user, expected[e]);
    EXPECT_EQ(t.table().entry_of(user), e);
    EXPECT_EQ(slots, t.table().find(user));
  }
  int64_t user = 0;
  const double* slots = nullptr;
  EXPECT_FALSE(t.table().entry(3, user, slots));
  EXPECT_EQ(t.table().entry_of(99), cohort::UserTable::npos);
}

TEST(UserTableRows, RowsStayWhereTheyAreWhileTheTableGrows) {
  Table t;
  const int64_t lo = std::numeric_limits<int64_t>::min();
  t.table().add(t.row(7, "cart", kAsOf, 0, false));
  t.table().add(t.row(lo, "cart", kAsOf, 0, false));
  double* seven = t.table().known_slots(7);
  double* lowest = t.table().known_slots(lo);
  ASSERT_NE(seven, nullptr);
  ASSERT_NE(lowest, nullptr);
  EXPECT_NE(seven, lowest);
  for (int64_t u = 100; u < 5100; ++u) t.table().add(t.row(u, "cart", kAsOf, 0, false));  // grows, 5 chunks
  EXPECT_EQ(t.table().known_slots(7), seven);
  EXPECT_EQ(t.table().known_slots(lo), lowest);
  t.table().add_known(t.row(7, "cart", kAsOf, 0, false), seven);
  t.table().finish();
  EXPECT_EQ(t.table().find(7), seven);
  EXPECT_EQ(t.table().find(lo), lowest);
  int cart = -1;  // the slot counting cart rows
  for (const cohort::AccumulatorSpec& a : t.program().accumulators())
    if (a.event == t.program().event_index("cart")) cart = a.slot;
  ASSERT_GE(cart, 0);
  EXPECT_EQ(seven[cart], 2);
  EXPECT_EQ(lowest[cart], 1);
  EXPECT_EQ(t.table().find(5099)[cart], 1);
}

TEST(UserTableRows, KnownSlotsOnlyForUsersInTheTable) {
  Table t;
  const int64_t lo = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(t.table().known_slots(1), nullptr);
  EXPECT_EQ(t.table().known_slots(lo), nullptr);
  t.table().add(t.row(1, "other", kAsOf, 0, false));
  EXPECT_NE(t.table().known_slots(1), nullptr);
  EXPECT_EQ(t.table().known_slots(2), nullptr);
  EXPECT_EQ(t.table().known_slots(lo), nullptr);
  t.table().add(t.row(lo, "other", kAsOf, 0, false));
  EXPECT_NE(t.table().known_slots(lo), nullptr);
  EXPECT_EQ(t.table().size(), 2u);
}

TEST(UserTableRows, NewRowsAreZeroedInReusedMemory) {
  PoisonArena arena;
  Table t(arena);
  const std::size_t per_user = static_cast<std::size_t>(t.program().slots_per_user());
  ASSERT_GT(per_user, 3u);
  for (int64_t u = 0; u < 3000; ++u) t.table().add(t.row(u * 31, "other", kAsOf, 0, false));
  t.table().add(t.row(std::numeric_limits<int64_t>::min(), "other", kAsOf, 0, false));
  t.table().finish();
  std::size_t users = 0;
  t.table().for_each_entry([&](std::size_t, int64_t user, const double* slots) {
    ++users;
    for (std::size_t s = 0; s < per_user; ++s) ASSERT_EQ(slots[s], 0) << "user " << user << " slot " << s;
  });
  EXPECT_EQ(users, 3001u);
}

// Folding each row through known_slots() and add_known() where the user is known (as the scan's
// batches do) gives every user the same slots as add() alone, on random rows.
TEST(UserTableRows, AddKnownFoldsAsAddDoes) {
  const char* events[] = {"buy", "view", "cart", "other"};
  std::mt19937_64 rng(20261206);
  Table plain, known;
  for (int i = 0; i < 40000; ++i) {
    const int64_t user = static_cast<int64_t>(rng() % 3000) - (i % 7 == 0 ? 1500 : 0);
    const char* event = events[rng() % 4];
    const int64_t ts = kAsOf - static_cast<int64_t>(rng() % 120) * kDay;
    const double p = static_cast<double>(rng() % 20);
    const bool in_x = rng() % 2 == 0;
    plain.table().add(plain.row(user, event, ts, p, in_x));
    cohort::EventRow row = known.row(user, event, ts, p, in_x);
    double* slots = row.event >= 0 ? known.table().known_slots(user) : nullptr;
    if (slots != nullptr)
      known.table().add_known(row, slots);
    else
      known.table().add(row);
  }
  plain.table().finish();
  known.table().finish();
  ASSERT_EQ(plain.table().size(), known.table().size());
  const std::size_t per_user = static_cast<std::size_t>(plain.program().slots_per_user());
  std::size_t compared = 0;
  plain.table().for_each_entry([&](std::size_t, int64_t user, const double* slots) {
    const double* other = known.table().find(user);
    ASSERT_NE(other, nullptr) << user;
    for (std::size_t s = 0; s < per_user; ++s) ASSERT_EQ(slots[s], other[s]) << "user " << user << " slot " << s;
    ++compared;
  });
  EXPECT_EQ(compared, plain.table().size());
  EXPECT_GT(compared, 2000u);
}

}  // namespace

namespace {

// prefetch_slots() is a hint for any id: the user whose id is the free-entry marker, absent or
// present, and users absent or present, in a table whose fresh memory is poisoned.
TEST(UserTableRows, PrefetchSlotsForAnyUser) {
  PoisonArena arena;
  Table t(arena);
  const int64_t lo = std::numeric_limits<int64_t>::min();
  t.table().add(t.row(5, "cart", kAsOf, 0, false));
  for (int64_t user : {lo, int64_t{5}, int64_t{6}}) t.table().prefetch_slots(user);
  t.table().add(t.row(lo, "cart", kAsOf, 0, false));
  for (int64_t user : {lo, int64_t{5}, int64_t{6}}) t.table().prefetch_slots(user);
  EXPECT_EQ(t.table().size(), 2u);
}

// fold_ahead() over batches of every length around its look-ahead distances gives every user the
// same slots as add() row by row: users new inside the look-ahead, users repeated within it, the
// free-entry marker's user, rows of no wanted event, and growth of the table mid-batch.
TEST(UserTableRows, FoldAheadFoldsAsAddDoes) {
  const char* events[] = {"buy", "view", "cart", "other"};
  const int64_t lo = std::numeric_limits<int64_t>::min();
  std::mt19937_64 rng(7);
  Table plain, ahead;
  int64_t next_new = 1000000;  // users never seen before
  for (std::size_t n : {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 4096, 3, 8, 4096}) {
    std::vector<int64_t> users(n);
    std::vector<int> event_ids(n);
    std::vector<int64_t> ts(n);
    std::vector<double> prices(n);
    std::vector<bool> in_x(n);
    for (std::size_t r = 0; r < n; ++r) {
      const uint64_t pick = rng() % 10;
      users[r] = pick == 0 ? lo : pick < 3 ? next_new++ : pick < 5 && r > 0 ? users[r - 1] : static_cast<int64_t>(rng() % 500);
      event_ids[r] = plain.program().event_index(events[rng() % 4]);
      ts[r] = kAsOf - static_cast<int64_t>(rng() % 120) * kDay;
      prices[r] = static_cast<double>(rng() % 20);
      in_x[r] = rng() % 2 == 0;
    }
    // The events as names again for Table::row() (event ids of both tables are the same).
    auto name_of = [&](int id) { return id < 0 ? "other" : plain.program().events()[static_cast<std::size_t>(id)].c_str(); };
    for (std::size_t r = 0; r < n; ++r) plain.table().add(plain.row(users[r], name_of(event_ids[r]), ts[r], prices[r], in_x[r]));
    cohort::fold_ahead(ahead.table(), n, users.data(), event_ids.data(), [&](std::size_t r) {
      return ahead.row(users[r], name_of(event_ids[r]), ts[r], prices[r], in_x[r]);
    });
  }
  plain.table().finish();
  ahead.table().finish();
  ASSERT_EQ(plain.table().size(), ahead.table().size());
  ASSERT_GT(plain.table().size(), 2000u);
  const std::size_t per_user = static_cast<std::size_t>(plain.program().slots_per_user());
  for (std::size_t e = 0; e < plain.table().entries(); ++e) {
    int64_t user = 0, same = 0;
    const double *slots = nullptr, *other = nullptr;
    ASSERT_TRUE(plain.table().entry(e, user, slots));
    ASSERT_TRUE(ahead.table().entry(e, same, other));  // users came in the same order
    ASSERT_EQ(user, same);
    for (std::size_t s = 0; s < per_user; ++s) ASSERT_EQ(slots[s], other[s]) << "user " << user << " slot " << s;
  }
}

}  // namespace
