// MembershipMasks (one pass over the table in memory order) against Program::matches() per user
// through UserTable::find(), and the table's entry walk against the users folded into it.
#include "test_util.hpp"

#include <limits>
#include <random>
#include <set>
#include <stdexcept>

#include "core/membership_masks.hpp"

using cohort_test::kDay;

namespace {

const int64_t kAsOf = 1000 * kDay;

// Definitions without customers columns: chained windows (the same count over 7, 30 and 90
// days), NOT, sums, an average, a filter, more than 64 in all (two words of bits).
std::vector<cohort::Node> definitions() {
  std::vector<std::string> texts = {
      R"({"performed": {"event": "buy", "op": ">=", "value": 2, "days": 7}})",
      R"({"performed": {"event": "buy", "op": ">=", "value": 3, "days": 30}})",
      R"({"not": {"performed": {"event": "buy", "op": ">=", "value": 1, "days": 90}}})",
      R"({"all": [{"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 100}},
                  {"not": {"performed": {"event": "view", "op": ">=", "value": 2, "days": 10}}}]})",
      R"({"performed": {"event": "view", "aggregate": "avg", "property": "price", "op": ">", "value": 40}})",
      R"({"performed": {"event": "view", "op": ">=", "value": 1, "where": {"category": "books"}}})"};
  for (int i = 0; i < 70; ++i)
    texts.push_back(R"({"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": )" +
                    std::to_string(10 * i) + R"(, "days": )" + std::to_string(5 + i) + "}}");
  std::vector<cohort::Node> roots;
  for (const std::string& t : texts) roots.push_back(cohort::parse_definition(t));
  return roots;
}

// Folds `n` random rows for users drawn from `users` into `table`.
void fold_random(const cohort::Program& p, cohort::UserTable& table, const std::vector<int64_t>& users, unsigned seed,
                 int n) {
  std::mt19937 rng(seed);
  const int price = p.properties().empty() ? -1 : 0;
  for (int i = 0; i < n; ++i) {
    double numbers[2] = {static_cast<double>(rng() % 120), 0};
    std::string_view texts[2];
    bool nulls[2] = {rng() % 7 == 0, false};
    bool filters[2] = {rng() % 3 == 0, false};
    cohort::EventRow row;
    row.user_id = users[rng() % users.size()];
    row.event = p.event_index(rng() % 2 == 0 ? "buy" : "view");
    row.ts = kAsOf - static_cast<int64_t>(rng() % 120) * kDay;
    row.numbers = price < 0 ? nullptr : numbers;
    row.texts = texts;
    row.nulls = nulls;
    row.filters = filters;
    table.add(row);
  }
}

TEST(MembershipMasks, SameAsMatchesPerUser) {
  const cohort::Program p = cohort::Program::compile_many(definitions());
  ASSERT_GT(p.definitions(), 64u);
  ASSERT_FALSE(p.needs_customers());
  const std::vector<int64_t> users = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), -5, 0,
                                      1, 2, 3, 17, 99, 1000, 123456789};
  for (unsigned seed = 1; seed <= 20; ++seed) {
    cohort::UserTable table(p, cohort::heap_arena());
    std::vector<int64_t> lower;
    for (int32_t d : p.window_days()) lower.push_back(kAsOf - d * kDay);
    table.set_window_bounds(lower);
    std::vector<int64_t> folded(users.begin(), users.begin() + 1 + seed % users.size());
    fold_random(p, table, folded, seed, 40 + static_cast<int>(seed) * 30);
    EXPECT_THROW(cohort::MembershipMasks(p, table), std::logic_error);  // chained windows: finish() first
    table.finish();
    const cohort::MembershipMasks masks(p, table);
    ASSERT_EQ(masks.words(), 2u);
    // Every user, folded or not (absent users have no events).
    for (int64_t u : users) {
      const uint64_t* bits = masks.of(u);
      for (std::size_t d = 0; d < p.definitions(); ++d)
        EXPECT_EQ(((bits[d / 64] >> (d % 64)) & 1u) != 0, p.matches(d, table.find(u), nullptr))
            << "seed " << seed << " user " << u << " definition " << d;
    }
    // The entry walk visits each user with events once, with find()'s slots.
    std::set<int64_t> walked;
    for (std::size_t e = 0; e < table.entries(); ++e) {
      int64_t u;
      const double* slots;
      if (!table.entry(e, u, slots)) continue;
      EXPECT_TRUE(walked.insert(u).second) << u;
      EXPECT_EQ(slots, table.find(u));
      EXPECT_EQ(table.entry_of(u), e);
    }
    std::set<int64_t> expected;
    for (int64_t u : users)
      if (table.find(u) != nullptr) expected.insert(u);
    EXPECT_EQ(walked, expected);
    EXPECT_EQ(walked.size(), table.size());
  }
}

TEST(MembershipMasks, RefusesCustomersColumns) {
  const cohort::Program p = cohort::Program::compile(
      cohort::parse_definition(R"({"all": [{"attribute": {"name": "age", "min": 20}}, {"performed": {"event": "buy", "op": ">=", "value": 1}}]})"));
  cohort::UserTable table(p, cohort::heap_arena());
  table.finish();
  EXPECT_THROW(cohort::MembershipMasks(p, table), std::logic_error);
}

}  // namespace
