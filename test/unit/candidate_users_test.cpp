// Program::may_match (three-valued, attributes unknown) against matches() over every customers
// row that could decide it, and CandidateUsers' bits against may_match per user.
#include "test_util.hpp"

#include <limits>
#include <random>
#include <stdexcept>

#include "core/candidate_users.hpp"

using cohort_test::kDay;

namespace {

const int64_t kAsOf = 1000 * kDay;

// Definitions mixing behaviour with age, engagement and churn risk under AND, OR and NOT.
std::vector<cohort::Node> definitions() {
  const std::vector<std::string> texts = {
      R"({"all": [{"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 150, "days": 30}},
                  {"not": {"performed": {"event": "view", "op": ">=", "value": 1, "days": 30}}},
                  {"attribute": {"name": "age", "min": 25, "max": 45}}]})",
      R"({"any": [{"all": [{"performed": {"event": "view", "op": ">=", "value": 3, "days": 90}}, {"churn_risk_level": "high"}]},
                  {"not": {"attribute": {"name": "age", "min": 30}}}]})",
      R"({"not": {"all": [{"performed": {"event": "buy", "op": ">=", "value": 2}}, {"engagement_level": "low"}]}})",
      R"({"all": [{"performed": {"event": "buy", "aggregate": "avg", "property": "price", "op": ">", "value": 60}},
                  {"any": [{"churn_risk_level": "low"}, {"not": {"churn_risk_level": "medium"}}]}]})",
      // NOT of an unknown leaf twice over, and NOT over an OR holding one: unknown must stay unknown.
      R"({"all": [{"performed": {"event": "buy", "op": ">=", "value": 1, "days": 30}},
                  {"not": {"not": {"attribute": {"name": "age", "min": 40}}}}]})",
      R"({"not": {"any": [{"not": {"churn_risk_level": "high"}}, {"performed": {"event": "view", "op": ">=", "value": 5, "days": 30}}]}})",
      R"({"all": []})"};
  std::vector<cohort::Node> roots;
  for (const std::string& t : texts) roots.push_back(cohort::parse_definition(t));
  return roots;
}

// Every customers row that tells the definitions' attribute leaves apart: ages around the bounds
// and NULL, engagement parts giving each level and NULL, each risk level and NULL.
struct Customers {
  std::vector<std::vector<double>> numbers;
  std::vector<std::vector<char>> nulls;
  std::vector<std::string> risks;
  std::vector<bool> risk_nulls;
};

Customers all_customers(const cohort::Program& p) {
  Customers out;
  const std::size_t A = p.attributes().size();
  const std::vector<double> values = {0, 10, 24, 25, 30, 45, 46, 60, 100};
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::vector<double> n(A);
    std::vector<char> z(A);
    for (std::size_t a = 0; a < A; ++a) {
      n[a] = values[rng() % values.size()];
      z[a] = rng() % 9 == 0;
    }
    out.numbers.push_back(n);
    out.nulls.push_back(z);
    const char* risks[] = {"low", "medium", "high", "other"};
    out.risks.push_back(risks[rng() % 4]);
    out.risk_nulls.push_back(rng() % 8 == 0);
  }
  return out;
}

// Folds `n` random rows for `users` into `table`.
void fold_random(const cohort::Program& p, cohort::UserTable& table, const std::vector<int64_t>& users, unsigned seed,
                 int n) {
  std::mt19937 rng(seed);
  for (int i = 0; i < n; ++i) {
    double numbers[1] = {static_cast<double>(rng() % 120)};
    std::string_view texts[1];
    bool nulls[1] = {rng() % 7 == 0};
    cohort::EventRow row;
    row.user_id = users[rng() % users.size()];
    row.event = p.event_index(rng() % 2 == 0 ? "buy" : "view");
    row.ts = kAsOf - static_cast<int64_t>(rng() % 120) * kDay;
    row.numbers = numbers;
    row.texts = texts;
    row.nulls = nulls;
    row.filters = nullptr;
    table.add(row);
  }
}

// Whether some customers row in `customers` makes definition d match for `slots`.
bool some_row_matches(const cohort::Program& p, std::size_t d, const double* slots, const Customers& customers) {
  for (std::size_t i = 0; i < customers.numbers.size(); ++i) {
    cohort::CustomerRow c;
    c.numbers = customers.numbers[i].data();
    c.nulls = reinterpret_cast<const bool*>(customers.nulls[i].data());
    c.risk_level = cohort::risk_level_index(customers.risks[i]);
    c.risk_level_null = customers.risk_nulls[i];
    if (p.matches(d, slots, &c)) return true;
  }
  return false;
}

// Folds `rows` random rows for `users` into a new `table` and finishes it.
void fill_table(cohort::UserTable& table, const cohort::Program& p, const std::vector<int64_t>& users, unsigned seed,
                int rows) {
  std::vector<int64_t> lower;
  for (int32_t d : p.window_days()) lower.push_back(kAsOf - d * kDay);
  table.set_window_bounds(lower);
  fold_random(p, table, users, seed, rows);
  table.finish();
}

TEST(CandidateUsers, MayMatchExactlyWhenSomeRowMatches) {
  const cohort::Program p = cohort::Program::compile_many(definitions());
  ASSERT_TRUE(p.needs_customers());
  const Customers customers = all_customers(p);
  std::vector<int64_t> users;
  for (int64_t u = 1; u <= 300; ++u) users.push_back(u);
  cohort::UserTable table(p, cohort::heap_arena());
  fill_table(table, p, users, 3, 2500);
  std::size_t open = 0, closed = 0;
  for (int64_t u = 0; u <= 301; ++u) {  // 0 and 301: no events
    const double* slots = table.find(u);
    for (std::size_t d = 0; d < p.definitions(); ++d) {
      const bool may = p.may_match(d, slots);
      // Never false for a user some row makes a member (the skip loses nobody); and here, where
      // the rows cover every case of each attribute leaf, never true for one no row can.
      EXPECT_EQ(may, some_row_matches(p, d, slots, customers)) << "user " << u << " definition " << d;
      (may ? open : closed) += 1;
    }
  }
  EXPECT_GT(open, 100u);
  EXPECT_GT(closed, 100u);
}

TEST(CandidateUsers, BitsAgreeWithMayMatch) {
  const cohort::Program p = cohort::Program::compile_many(definitions());
  const std::vector<std::vector<int64_t>> id_sets = {
      {5, 6, 7, 8, 9, 10, 11, 12, 64, 65, 127, 128, 129},
      {-70, -3, 0, 2, 1000},
      {std::numeric_limits<int64_t>::min(), 0, std::numeric_limits<int64_t>::max()},  // too sparse
      {1, 10000000}};                                                                   // too sparse
  for (std::size_t k = 0; k < id_sets.size(); ++k) {
    cohort::UserTable table(p, cohort::heap_arena());
    fill_table(table, p, id_sets[k], 11 + static_cast<unsigned>(k), 400);
    const cohort::CandidateUsers candidates(p, table, cohort::heap_arena());
    EXPECT_EQ(candidates.bounded(), k < 2) << k;
    std::size_t open_with_events = 0;
    const auto any_open = [&](int64_t u) {
      for (std::size_t d = 0; d < p.definitions(); ++d)
        if (p.may_match(d, table.find(u))) return true;
      return false;
    };
    std::vector<int64_t> probes = id_sets[k];
    for (int64_t u : id_sets[k])
      for (int64_t delta : {-65, -1, 1, 63}) {
        int64_t near;
        if (!__builtin_add_overflow(u, delta, &near)) probes.push_back(near);
      }
    probes.push_back(std::numeric_limits<int64_t>::min());
    probes.push_back(std::numeric_limits<int64_t>::max());
    for (int64_t u : probes) {
      const bool expected = candidates.bounded() ? any_open(u) : true;
      EXPECT_EQ(candidates.may_match(u), expected) << "set " << k << " user " << u;
    }
    for (int64_t u : id_sets[k]) open_with_events += table.find(u) != nullptr && any_open(u);
    if (candidates.bounded()) EXPECT_EQ(candidates.candidates(), open_with_events) << k;
  }
}

TEST(CandidateUsers, IdleUsersFollowTheZeroState) {
  // A definition a user without events can meet (NOT bought) and one it cannot (bought).
  for (const char* text : {R"({"all": [{"not": {"performed": {"event": "buy", "op": ">=", "value": 1}}}, {"attribute": {"name": "age", "min": 20}}]})",
                           R"({"all": [{"performed": {"event": "buy", "op": ">=", "value": 1}}, {"attribute": {"name": "age", "min": 20}}]})"}) {
    const cohort::Program p = cohort::Program::compile(cohort::parse_definition(text));
    const bool idle_open = p.may_match(0, nullptr);
    cohort::UserTable empty(p, cohort::heap_arena());
    empty.finish();
    const cohort::CandidateUsers none(p, empty, cohort::heap_arena());
    EXPECT_TRUE(none.bounded());
    EXPECT_EQ(none.may_match(42), idle_open);
    cohort::UserTable table(p, cohort::heap_arena());
    fill_table(table, p, {100, 103}, 5, 50);
    const cohort::CandidateUsers some(p, table, cohort::heap_arena());
    for (int64_t u : {99, 101, 102, 104, -1}) EXPECT_EQ(some.may_match(u), idle_open) << text << " " << u;
    for (int64_t u : {100, 103}) EXPECT_EQ(some.may_match(u), p.may_match(0, table.find(u))) << text << " " << u;
    // everyone(): may_match() holds for every user, with events or without.
    EXPECT_EQ(none.everyone(), idle_open) << text;
    const bool all_with_events = p.may_match(0, table.find(100)) && p.may_match(0, table.find(103));
    EXPECT_EQ(some.everyone(), idle_open && all_with_events) << text;
  }
}

TEST(CandidateUsers, EveryoneWithoutBehaviour) {
  // Attributes only: no user's events can rule a row out, with or without a table of users.
  const cohort::Program p = cohort::Program::compile(cohort::parse_definition(R"({"attribute": {"name": "age", "min": 20}})"));
  cohort::UserTable empty(p, cohort::heap_arena());
  empty.finish();
  EXPECT_TRUE(cohort::CandidateUsers(p, empty, cohort::heap_arena()).everyone());
  // Sparse ids (not bounded): every user is a candidate.
  const cohort::Program q = cohort::Program::compile_many(definitions());
  cohort::UserTable sparse(q, cohort::heap_arena());
  fill_table(sparse, q, {1, 10000000}, 7, 40);
  const cohort::CandidateUsers c(q, sparse, cohort::heap_arena());
  EXPECT_FALSE(c.bounded());
  EXPECT_TRUE(c.everyone());
}

}  // namespace
