// Merging per-user tables built from disjoint shares of the events (as parallel workers do).
#include "test_util.hpp"

#include <random>
#include <stdexcept>

using cohort_test::Harness;
using cohort_test::kDay;

namespace {

const int64_t kAsOf = 1000 * kDay;  // Harness default

// Every aggregate, a window, a filter and a count_distinct, over three event names.
const char* kDefinition = R"({"all": [
  {"performed": {"event": "buy", "op": ">=", "value": 2, "days": 30}},
  {"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 50}},
  {"performed": {"event": "buy", "aggregate": "avg", "property": "price", "op": ">", "value": 10}},
  {"performed": {"event": "view", "aggregate": "min", "property": "price", "op": "<", "value": 40}},
  {"performed": {"event": "view", "aggregate": "max", "property": "price", "op": ">", "value": 20, "days": 90}},
  {"performed": {"event": "view", "aggregate": "count_distinct", "property": "category", "op": ">=", "value": 2}},
  {"performed": {"event": "cart", "op": ">=", "value": 1, "where": {"category": "books"}}}]})";

using Event = Harness::Event;

std::vector<Event> random_events(unsigned seed, int n) {
  std::mt19937 rng(seed);
  const char* names[] = {"buy", "view", "cart", "other"};
  const char* categories[] = {"books", "toys", "home"};
  std::vector<Event> out;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.user = 1 + static_cast<int64_t>(rng() % 200);
    e.event = names[rng() % 4];
    e.ts = kAsOf - static_cast<int64_t>(rng() % 200) * kDay;
    if (rng() % 5 != 0) e.props["price"] = std::to_string(rng() % 60);  // integers: exact sums
    if (rng() % 7 != 0) e.props["category"] = categories[rng() % 3];
    out.push_back(e);
  }
  return out;
}

// Sends every chunk of `from` into `into`.
void merge(Harness& from, Harness& into, std::size_t chunk_bytes) {
  from.table().export_state(chunk_bytes, [&](std::string_view chunk) { into.table().merge_state(chunk); });
}

// Asserts both tables hold the same users with the same slots.
void expect_same(Harness& a, Harness& b) {
  ASSERT_EQ(a.table().size(), b.table().size());
  const int n = a.program().slots_per_user();
  for (const auto& [user, x] : cohort_test::entries_of(a.table())) {
    const double* y = b.table().find(user);
    ASSERT_NE(y, nullptr) << "user " << user;
    for (int s = 0; s < n; ++s) EXPECT_EQ(x[s], y[s]) << "user " << user << " slot " << s;
    EXPECT_EQ(a.member(user), b.member(user)) << "user " << user;
  }
}

TEST(UserTableMerge, SharesMergedEqualOneTable) {
  for (unsigned seed : {1u, 2u, 3u}) {
    for (std::size_t chunk_bytes : {std::size_t{1}, std::size_t{100}, std::size_t{1} << 20}) {
      std::vector<Event> events = random_events(seed, 3000);
      Harness whole(kDefinition), leader(kDefinition), worker1(kDefinition), worker2(kDefinition);
      Harness* shares[] = {&leader, &worker1, &worker2};
      for (std::size_t i = 0; i < events.size(); ++i) {
        const Event& e = events[i];
        whole.add(e);
        shares[(i / 50) % 3]->add(e);  // page-like runs of rows
      }
      merge(worker1, leader, chunk_bytes);
      merge(worker2, leader, chunk_bytes);
      expect_same(whole, leader);
    }
  }
}

TEST(UserTableMerge, EmptyTableSendsNothing) {
  Harness empty(kDefinition);
  int chunks = 0;
  empty.table().export_state(64, [&](std::string_view) { ++chunks; });
  EXPECT_EQ(chunks, 0);
}

TEST(UserTableMerge, UsersWithoutProgramEventsAreKept) {
  Harness leader(kDefinition), worker(kDefinition);
  worker.add(7, "other", kAsOf);
  merge(worker, leader, 64);
  ASSERT_EQ(leader.table().size(), 1u);
  EXPECT_NE(leader.table().find(7), nullptr);
}

TEST(UserTableMerge, MalformedChunksThrow) {
  Harness h(kDefinition);
  EXPECT_THROW(h.table().merge_state(""), std::invalid_argument);
  EXPECT_THROW(h.table().merge_state("X123"), std::invalid_argument);
  EXPECT_THROW(h.table().merge_state("E1234567"), std::invalid_argument);  // partial entry
  std::string bad_set("D");
  uint32_t set = 99, length = 8;
  bad_set.append(reinterpret_cast<const char*>(&set), 4).append(reinterpret_cast<const char*>(&length), 4);
  bad_set.append(8, '\0');
  EXPECT_THROW(h.table().merge_state(bad_set), std::invalid_argument);
  EXPECT_THROW(h.table().merge_state("D12"), std::invalid_argument);  // truncated header
  std::string short_key("D");
  set = 0;
  length = 3;
  short_key.append(reinterpret_cast<const char*>(&set), 4).append(reinterpret_cast<const char*>(&length), 4);
  short_key.append("abc");
  EXPECT_THROW(h.table().merge_state(short_key), std::invalid_argument);
  EXPECT_EQ(h.table().size(), 0u);
}

}  // namespace
