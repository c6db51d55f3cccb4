// Folding event rows into per-user accumulators, then deciding membership.
#include "test_util.hpp"

#include <limits>

#include "core/arena.hpp"
#include "core/canonical.hpp"
#include "core/user_table.hpp"

using cohort_test::Harness;
using cohort_test::kDay;

namespace {

const int64_t kAsOf = 1000 * kDay;  // Harness default

TEST(UserTable, RegistersEveryUserSeen) {
  Harness h(R"([{"action":"buy","condition":">=","value":1}])");
  h.add(30, "view", kAsOf);
  h.add(10, "buy", kAsOf);
  h.add(30, "buy", kAsOf);
  h.add(20, "other", kAsOf);
  ASSERT_EQ(h.table().size(), 3u);
  std::map<int64_t, const double*> entries = cohort_test::entries_of(h.table());
  ASSERT_EQ(entries.size(), 3u);
  for (int64_t user : {10, 20, 30}) {
    ASSERT_EQ(entries.count(user), 1u) << user;
    EXPECT_EQ(entries[user], h.table().find(user)) << user;
  }
  EXPECT_NE(h.table().find(20), nullptr);  // seen, even with an unrelated event
  EXPECT_EQ(h.table().find(99), nullptr);
  EXPECT_TRUE(h.member(10));
  EXPECT_TRUE(h.member(30));
  EXPECT_FALSE(h.member(20));
  EXPECT_FALSE(h.member(99));
}

TEST(UserTable, Count) {
  Harness h(R"([{"action":"buy","condition":">=","value":3}])");
  for (int i = 0; i < 3; ++i) h.add(1, "buy", kAsOf - i);
  for (int i = 0; i < 2; ++i) h.add(2, "buy", kAsOf - i);
  for (int i = 0; i < 5; ++i) h.add(2, "view", kAsOf - i);
  EXPECT_TRUE(h.member(1));
  EXPECT_FALSE(h.member(2));
  EXPECT_EQ(h.table().find(1)[0], 3);
  EXPECT_EQ(h.table().find(2)[0], 2);
}

TEST(UserTable, CountExactAndNotEqual) {
  Harness eq(R"([{"action":"buy","condition":"==","value":2}])");
  Harness ne(R"([{"action":"buy","condition":"<>","value":2}])");
  for (Harness* h : {&eq, &ne}) {
    h->add(1, "buy", 0);
    h->add(1, "buy", 0);
    h->add(2, "buy", 0);
  }
  EXPECT_TRUE(eq.member(1));
  EXPECT_FALSE(eq.member(2));
  EXPECT_FALSE(ne.member(1));
  EXPECT_TRUE(ne.member(2));
  EXPECT_TRUE(ne.member(3));  // 0 != 2
}

TEST(UserTable, CountOfColumnCountsNonNull) {
  Harness h(R"([{"action":"buy","property":"coupon","condition":">=","value":2}])");
  h.add(1, "buy", 0, {{"coupon", "A"}});
  h.add(1, "buy", 0, {{"coupon", std::nullopt}});
  h.add(1, "buy", 0, {});
  h.add(2, "buy", 0, {{"coupon", "A"}});
  h.add(2, "buy", 0, {{"coupon", "A"}});
  EXPECT_FALSE(h.member(1));
  EXPECT_TRUE(h.member(2));
  ASSERT_EQ(h.program().properties().size(), 1u);
  EXPECT_TRUE(h.program().properties()[0].as_text);
}

TEST(UserTable, SumIgnoresNulls) {
  Harness h(R"([{"action":"pay","operation":"sum","property":"price","condition":">=","value":10000}])");
  h.add(1, "pay", 0, {{"price", "6000"}});
  h.add(1, "pay", 0, {{"price", "4000"}});
  h.add(1, "pay", 0, {{"price", std::nullopt}});
  h.add(2, "pay", 0, {{"price", "9999.5"}});
  h.add(2, "pay", 0, {});
  EXPECT_TRUE(h.member(1));
  EXPECT_FALSE(h.member(2));
  EXPECT_EQ(h.table().find(1)[0], 10000);
}

TEST(UserTable, SumOverNothingIsZero) {
  Harness h(R"([{"action":"pay","operation":"sum","property":"price","condition":"=","value":0}])");
  h.add(1, "view", 0);
  h.add(2, "pay", 0, {{"price", std::nullopt}});
  h.add(3, "pay", 0, {{"price", "1"}});
  EXPECT_TRUE(h.member(1));
  EXPECT_TRUE(h.member(2));
  EXPECT_FALSE(h.member(3));
  EXPECT_TRUE(h.member(4));
}

TEST(UserTable, Avg) {
  Harness h(R"([{"action":"buy","operation":"avg","property":"price","condition":"=","value":15}])");
  h.add(1, "buy", 0, {{"price", "10"}});
  h.add(1, "buy", 0, {{"price", "20"}});
  h.add(1, "buy", 0, {{"price", std::nullopt}});  // ignored, not a zero
  h.add(2, "buy", 0, {{"price", "15"}});
  h.add(2, "buy", 0, {{"price", "0"}});
  EXPECT_TRUE(h.member(1));
  EXPECT_FALSE(h.member(2));
}

TEST(UserTable, AvgMinMaxOverNothingIsNull) {
  for (const char* op : {"avg", "min", "max"}) {
    std::string leaf = std::string(R"({"action":"buy","operation":")") + op +
                       R"(","property":"price","condition":">","value":100})";
    Harness pos("[" + leaf + "]");
    Harness neg(R"({"not":)" + leaf + "}");
    for (Harness* h : {&pos, &neg}) {
      h->add(1, "view", 0);                                // events, but none matching
      h->add(2, "buy", 0, {{"price", std::nullopt}});     // only NULL values
      h->add(3, "buy", 0, {{"price", "150"}});
      h->add(4, "buy", 0, {{"price", "50"}});
    }
    for (int64_t u : {1, 2, 5}) {
      EXPECT_FALSE(pos.member(u)) << op << " user " << u;
      EXPECT_TRUE(neg.member(u)) << op << " user " << u;  // "not avg(price) > 100" holds
    }
    EXPECT_TRUE(pos.member(3)) << op;
    EXPECT_FALSE(neg.member(3)) << op;
    EXPECT_FALSE(pos.member(4)) << op;
    EXPECT_TRUE(neg.member(4)) << op;
  }
}

TEST(UserTable, MinMax) {
  Harness mn(R"([{"action":"buy","operation":"min","property":"p","condition":"=","value":-3}])");
  Harness mx(R"([{"action":"buy","operation":"max","property":"p","condition":"=","value":7.5}])");
  for (Harness* h : {&mn, &mx}) {
    h->add(1, "buy", 0, {{"p", "2"}});
    h->add(1, "buy", 0, {{"p", "-3"}});
    h->add(1, "buy", 0, {{"p", std::nullopt}});
    h->add(1, "buy", 0, {{"p", "7.5"}});
    h->add(1, "buy", 0, {{"p", "0"}});
    h->add(2, "buy", 0, {{"p", "7.5"}});  // single value: both min and max
    h->add(3, "buy", 0, {{"p", "-3"}});
  }
  EXPECT_TRUE(mn.member(1));
  EXPECT_TRUE(mx.member(1));
  EXPECT_FALSE(mn.member(2));
  EXPECT_TRUE(mx.member(2));
  EXPECT_TRUE(mn.member(3));
  EXPECT_FALSE(mx.member(3));
}

TEST(UserTable, MinMaxFirstValueAboveZeroAndBelowZero) {
  // The first value is taken as is, not compared against the zeroed slot.
  Harness mn(R"([{"action":"buy","operation":"min","property":"p","condition":"=","value":5}])");
  Harness mx(R"([{"action":"buy","operation":"max","property":"p","condition":"=","value":-5}])");
  mn.add(1, "buy", 0, {{"p", "5"}});
  mn.add(1, "buy", 0, {{"p", "9"}});
  mx.add(1, "buy", 0, {{"p", "-5"}});
  mx.add(1, "buy", 0, {{"p", "-9"}});
  EXPECT_TRUE(mn.member(1));
  EXPECT_TRUE(mx.member(1));
}

TEST(UserTable, NaNValues) {
  // max of {1, NaN} is NaN, which is above everything and equals NaN.
  Harness mx(R"([{"action":"buy","operation":"max","property":"p","condition":">","value":1e308}])");
  mx.add(1, "buy", 0, {{"p", "1"}});
  mx.add(1, "buy", 0, {{"p", "NaN"}});
  mx.add(2, "buy", 0, {{"p", "NaN"}});
  mx.add(2, "buy", 0, {{"p", "1"}});
  mx.add(3, "buy", 0, {{"p", "1"}});
  EXPECT_TRUE(mx.member(1));
  EXPECT_TRUE(mx.member(2));
  EXPECT_FALSE(mx.member(3));
  // min of {NaN, 5} is 5, whichever comes first.
  Harness mn(R"([{"action":"buy","operation":"min","property":"p","condition":"=","value":5}])");
  mn.add(1, "buy", 0, {{"p", "NaN"}});
  mn.add(1, "buy", 0, {{"p", "5"}});
  mn.add(2, "buy", 0, {{"p", "5"}});
  mn.add(2, "buy", 0, {{"p", "NaN"}});
  mn.add(3, "buy", 0, {{"p", "NaN"}});
  EXPECT_TRUE(mn.member(1));
  EXPECT_TRUE(mn.member(2));
  EXPECT_FALSE(mn.member(3));
  // A NaN sum or avg compares above every number.
  Harness sum(R"([{"action":"buy","operation":"sum","property":"p","condition":">=","value":1e300}])");
  sum.add(1, "buy", 0, {{"p", "NaN"}});
  sum.add(1, "buy", 0, {{"p", "-5"}});
  EXPECT_TRUE(sum.member(1));
  Harness avg(R"([{"action":"buy","operation":"avg","property":"p","condition":"<","value":0}])");
  avg.add(1, "buy", 0, {{"p", "NaN"}});
  avg.add(1, "buy", 0, {{"p", "-5"}});
  EXPECT_FALSE(avg.member(1));
}

TEST(UserTable, CountDistinct) {
  Harness h(R"([{"action":"view","operation":"count_distinct","property":"page","condition":">=","value":3}])");
  for (const char* page : {"a", "b", "a", "b", "a"}) h.add(1, "view", 0, {{"page", page}});
  for (const char* page : {"a", "b", "c"}) h.add(2, "view", 0, {{"page", page}});
  h.add(2, "view", 0, {{"page", std::nullopt}});
  for (const char* page : {"a", "b", "c", "d"}) h.add(3, "view", 0, {{"page", page}});
  // Distinct per user: user 4 sees the same pages as others, but only 2 of them.
  for (const char* page : {"c", "d", "d"}) h.add(4, "view", 0, {{"page", page}});
  h.add(5, "view", 0, {{"page", std::nullopt}});
  EXPECT_FALSE(h.member(1));
  EXPECT_TRUE(h.member(2));
  EXPECT_TRUE(h.member(3));
  EXPECT_FALSE(h.member(4));
  EXPECT_EQ(h.table().find(1)[0], 2);
  EXPECT_EQ(h.table().find(3)[0], 4);
  EXPECT_EQ(h.table().find(4)[0], 2);
  EXPECT_EQ(h.table().find(5)[0], 0);
}

TEST(UserTable, CountDistinctIsByteExact) {
  Harness h(R"([{"action":"view","operation":"count_distinct","property":"page","condition":"=","value":4}])");
  for (const char* page : {"a", "A", "a ", "", "a"}) h.add(1, "view", 0, {{"page", page}});
  EXPECT_TRUE(h.member(1));
}

TEST(UserTable, CountDistinctWindowsKeepSeparateSets) {
  Harness h(R"({"all":[
      {"performed":{"event":"v","aggregate":"count_distinct","property":"p","op":"=","value":1,"days":1}},
      {"performed":{"event":"v","aggregate":"count_distinct","property":"p","op":"=","value":2}}]})");
  EXPECT_EQ(h.program().distinct_sets(), 2);
  h.add(1, "v", kAsOf - 10 * kDay, {{"p", "x"}});
  h.add(1, "v", kAsOf, {{"p", "x"}});
  h.add(1, "v", kAsOf, {{"p", "y"}});
  EXPECT_FALSE(h.member(1));  // window has 2 distinct (x, y)
  Harness g(R"({"all":[
      {"performed":{"event":"v","aggregate":"count_distinct","property":"p","op":"=","value":1,"days":1}},
      {"performed":{"event":"v","aggregate":"count_distinct","property":"p","op":"=","value":2}}]})");
  g.add(1, "v", kAsOf - 10 * kDay, {{"p", "y"}});
  g.add(1, "v", kAsOf, {{"p", "x"}});
  g.add(1, "v", kAsOf, {{"p", "x"}});
  EXPECT_TRUE(g.member(1));  // window: {x}; all time: {x, y}
}

TEST(UserTable, WindowBoundIsInclusive) {
  Harness h(R"([{"action":"buy","condition":">=","value":1,"timeframe":7}])");
  h.add(1, "buy", kAsOf - 7 * kDay);      // exactly as_of - 7 days: counts
  h.add(2, "buy", kAsOf - 7 * kDay - 1);  // a microsecond earlier: does not
  h.add(3, "buy", kAsOf);                 // at as_of: counts
  EXPECT_TRUE(h.member(1));
  EXPECT_FALSE(h.member(2));
  EXPECT_TRUE(h.member(3));
  EXPECT_NE(h.table().find(2), nullptr);  // user 2 is still in the universe
}

TEST(UserTable, NoTimeframeCountsEverything) {
  Harness h(R"([{"action":"buy","condition":">=","value":2}])");
  h.add(1, "buy", std::numeric_limits<int64_t>::min() / 2);
  h.add(1, "buy", kAsOf);
  EXPECT_TRUE(h.member(1));
  EXPECT_TRUE(h.program().window_days().empty());
}

TEST(UserTable, ReadmeSeedExample) {
  Harness h(R"([{"include": true,  "action": "payment_successful", "operation": "sum", "property": "price",
                 "condition": ">=", "value": 10000, "timeframe": 365, "logic": "AND"},
                {"include": false, "action": "payment_successful", "operation": "count", "property": "events",
                 "condition": ">=", "value": 1, "timeframe": 90, "logic": null}])");
  // User 1: 10000 paid 200 days ago, nothing in the last 90 days.
  h.add(1, "payment_successful", kAsOf - 200 * kDay, {{"price", "10000"}});
  // User 2: same, plus a small payment 10 days ago.
  h.add(2, "payment_successful", kAsOf - 200 * kDay, {{"price", "10000"}});
  h.add(2, "payment_successful", kAsOf - 10 * kDay, {{"price", "1"}});
  // User 3: 10000 paid 400 days ago: outside the year.
  h.add(3, "payment_successful", kAsOf - 400 * kDay, {{"price", "10000"}});
  // User 4: two payments of 5000 at 300 and 100 days.
  h.add(4, "payment_successful", kAsOf - 300 * kDay, {{"price", "5000"}});
  h.add(4, "payment_successful", kAsOf - 100 * kDay, {{"price", "5000"}});
  // User 5: only other events.
  h.add(5, "login", kAsOf);
  EXPECT_TRUE(h.member(1));
  EXPECT_FALSE(h.member(2));
  EXPECT_FALSE(h.member(3));
  EXPECT_TRUE(h.member(4));
  EXPECT_FALSE(h.member(5));
}

TEST(UserTable, SeveralWindowsOnOneEvent) {
  Harness h(R"({"all":[{"performed":{"event":"e","op":">=","value":1,"days":1}},
                       {"performed":{"event":"e","op":">=","value":3,"days":30}},
                       {"performed":{"event":"e","op":"<=","value":3}}]})");
  EXPECT_EQ(h.program().window_days().size(), 2u);
  h.add(1, "e", kAsOf);
  h.add(1, "e", kAsOf - 20 * kDay);
  h.add(1, "e", kAsOf - 29 * kDay);
  h.add(2, "e", kAsOf);
  h.add(2, "e", kAsOf - 20 * kDay);
  h.add(2, "e", kAsOf - 29 * kDay);
  h.add(2, "e", kAsOf - 100 * kDay);  // 4 of all time
  h.add(3, "e", kAsOf - 2 * kDay);
  h.add(3, "e", kAsOf - 20 * kDay);
  h.add(3, "e", kAsOf - 29 * kDay);  // none in the last day
  EXPECT_TRUE(h.member(1));
  EXPECT_FALSE(h.member(2));
  EXPECT_FALSE(h.member(3));
}

TEST(UserTable, Filters) {
  Harness h(R"([{"action":"buy","operation":"sum","property":"price","condition":">=","value":100,
                 "where":{"category":["electronics","toys"],"store":[7,8]}}])");
  ASSERT_EQ(h.program().filters().size(), 2u);
  h.add(1, "buy", 0, {{"price", "60"}, {"category", "toys"}, {"store", "7"}});
  h.add(1, "buy", 0, {{"price", "60"}, {"category", "electronics"}, {"store", "8"}});
  h.add(2, "buy", 0, {{"price", "60"}, {"category", "toys"}, {"store", "7"}});
  h.add(2, "buy", 0, {{"price", "60"}, {"category", "books"}, {"store", "7"}});       // wrong category
  h.add(2, "buy", 0, {{"price", "60"}, {"category", "toys"}, {"store", "9"}});        // wrong store
  h.add(2, "buy", 0, {{"price", "60"}, {"category", std::nullopt}, {"store", "7"}});  // NULL never matches
  h.add(2, "buy", 0, {{"price", "60"}, {"category", "Toys"}, {"store", "7"}});        // case matters
  h.add(2, "buy", 0, {{"price", "60"}, {"store", "7"}});
  EXPECT_TRUE(h.member(1));
  EXPECT_FALSE(h.member(2));
  EXPECT_EQ(h.table().find(2)[0], 60);
}

TEST(UserTable, FilteredAndUnfilteredLeaves) {
  Harness h(R"({"all":[{"performed":{"event":"buy","op":">=","value":2}},
                       {"not":{"performed":{"event":"buy","op":">=","value":1,"where":{"refund":true}}}}]})");
  EXPECT_EQ(h.program().accumulators().size(), 2u);
  h.add(1, "buy", 0, {{"refund", "false"}});
  h.add(1, "buy", 0, {{"refund", "false"}});
  h.add(2, "buy", 0, {{"refund", "false"}});
  h.add(2, "buy", 0, {{"refund", "true"}});
  h.add(3, "buy", 0, {{"refund", std::nullopt}});
  h.add(3, "buy", 0);
  EXPECT_TRUE(h.member(1));
  EXPECT_FALSE(h.member(2));
  EXPECT_TRUE(h.member(3));
}

TEST(UserTable, Between) {
  Harness h(R"([{"action":"buy","operation":"sum","property":"p","condition":"between","value":[10,20]}])");
  h.add(1, "buy", 0, {{"p", "10"}});
  h.add(2, "buy", 0, {{"p", "20"}});
  h.add(3, "buy", 0, {{"p", "9.99"}});
  h.add(4, "buy", 0, {{"p", "20.01"}});
  EXPECT_TRUE(h.member(1));
  EXPECT_TRUE(h.member(2));
  EXPECT_FALSE(h.member(3));
  EXPECT_FALSE(h.member(4));
  EXPECT_FALSE(h.member(5));  // sum 0
}

TEST(UserTable, OrOfConditions) {
  Harness h(R"([{"action":"a","condition":">=","value":2,"logic":"OR"},
                {"action":"b","condition":">=","value":1,"logic":"AND"},
                {"action":"c","condition":"=","value":0}])");
  h.add(1, "a", 0);
  h.add(1, "a", 0);  // a >= 2
  h.add(2, "b", 0);  // b and no c
  h.add(3, "b", 0);
  h.add(3, "c", 0);  // b but c
  h.add(4, "a", 0);  // one a only
  EXPECT_TRUE(h.member(1));
  EXPECT_TRUE(h.member(2));
  EXPECT_FALSE(h.member(3));
  EXPECT_FALSE(h.member(4));
}

TEST(UserTable, ManyUsers) {
  Harness h(R"([{"action":"e","operation":"sum","property":"p","condition":">=","value":5000},
                {"action":"e","operation":"count_distinct","property":"q","condition":">=","value":2}])");
  const int64_t n = 20000;
  for (int round = 0; round < 2; ++round)
    for (int64_t u = 0; u < n; ++u)
      h.add(u * 7919 - n, "e", 0, {{"p", std::to_string(u / 2)}, {"q", std::to_string(round)}});
  ASSERT_EQ(h.table().size(), static_cast<std::size_t>(n));
  int members = 0;
  for (int64_t u = 0; u < n; ++u) members += h.member(u * 7919 - n);
  // sum = 2 * (u/2) >= 5000 for u >= 5000.
  EXPECT_EQ(members, n - 5000);
  EXPECT_GT(h.table().bytes(), static_cast<std::size_t>(n) * (8 + 2 * 8));
}

TEST(UserTable, BytesGrowWithUsersAndDistinctValues) {
  Harness h(R"([{"action":"e","operation":"count_distinct","property":"q","condition":">=","value":2}])");
  std::size_t before = h.table().bytes();
  for (int u = 0; u < 2000; ++u) h.add(u, "other", 0);  // past the initial 1,024 entries
  std::size_t users = h.table().bytes();
  EXPECT_GT(users, before);
  for (int u = 0; u < 100; ++u) h.add(u, "e", 0, {{"q", std::string(100, 'x') + std::to_string(u)}});
  EXPECT_GT(h.table().bytes(), users + 100 * 100);
}

TEST(UserTable, NoBehaviouralLeaves) {
  Harness h(R"({"min_age":1})");
  EXPECT_EQ(h.program().slots_per_user(), 0);
  h.add(1, "anything", 0);
  EXPECT_EQ(h.table().size(), 1u);
  EXPECT_TRUE(h.member(1, cohort_test::Customer{{{"age", 5}}, {}}));
}

TEST(Arena, UserTableAllocatesFromArenaAndFreesEverything) {
  cohort_test::CountingArena arena;
  {
    cohort::Program p = cohort::Program::compile(cohort::parse_definition(
        R"([{"action":"e","operation":"count_distinct","property":"q","condition":">=","value":2}])"));
    cohort::UserTable t(p, arena);
    std::string_view texts[1];
    bool nulls[1] = {false};
    double numbers[1] = {0};
    for (int u = 0; u < 1000; ++u) {
      std::string v = "value-number-" + std::to_string(u % 37) + std::string(40, 'z');
      texts[0] = v;
      cohort::EventRow row;
      row.user_id = u % 300;
      row.event = p.event_index("e");
      row.numbers = numbers;
      row.texts = texts;
      row.nulls = nulls;
      t.add(row);
    }
    EXPECT_EQ(t.size(), 300u);
    EXPECT_GT(arena.allocations(), 0u);
    EXPECT_GT(arena.live(), 0u);
  }
  EXPECT_EQ(arena.live(), 0u);
}

TEST(Arena, HeapArenaAndAllocator) {
  cohort::Arena& a = cohort::heap_arena();
  EXPECT_EQ(&a, &cohort::heap_arena());
  void* p = a.allocate(0);
  EXPECT_NE(p, nullptr);
  a.deallocate(p);
  cohort::ArenaAllocator<int> ai(a);
  cohort::ArenaAllocator<double> ad(ai);
  EXPECT_TRUE(ai == ad);
  EXPECT_EQ(ad.arena(), &a);
  cohort::HeapArena other;
  EXPECT_TRUE(ai != cohort::ArenaAllocator<int>(other));
  int* xs = ai.allocate(10);
  for (int i = 0; i < 10; ++i) xs[i] = i;
  EXPECT_EQ(xs[9], 9);
  ai.deallocate(xs, 10);
  EXPECT_THROW(ai.allocate(static_cast<std::size_t>(-1) / 2), std::bad_alloc);
}

}  // namespace

namespace {

// The smallest and largest user ids are ordinary users, also across table growth and merging.
TEST(UserTable, ExtremeUserIdsAcrossGrowth) {
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  Harness h(R"([{"action":"buy","condition":">=","value":2}])");
  h.add(lo, "buy", kAsOf);
  h.add(hi, "buy", kAsOf);
  for (int64_t u = 1; u <= 5000; ++u) h.add(u, u % 2 ? "buy" : "view", kAsOf);  // forces growth
  h.add(lo, "buy", kAsOf);
  EXPECT_EQ(h.table().size(), 5002u);
  EXPECT_EQ(cohort_test::entries_of(h.table()).count(lo), 1u);
  ASSERT_NE(h.table().find(lo), nullptr);
  EXPECT_EQ(h.table().find(lo)[0], 2);
  EXPECT_EQ(h.table().find(hi)[0], 1);
  EXPECT_TRUE(h.member(lo));
  EXPECT_FALSE(h.member(hi));
  EXPECT_EQ(h.table().find(4)[0], 0);  // seen, no purchase
  EXPECT_EQ(h.table().find(0), nullptr);
  Harness other(R"([{"action":"buy","condition":">=","value":2}])");
  other.add(hi, "buy", kAsOf);
  h.table().export_state(64, [&](std::string_view chunk) { other.table().merge_state(chunk); });
  EXPECT_EQ(other.table().find(lo)[0], 2);
  EXPECT_EQ(other.table().find(hi)[0], 2);
  EXPECT_EQ(other.table().size(), 5002u);
}

}  // namespace
