// Accumulators that differ only in their windows are folded once per row and made cumulative in
// UserTable::finish(): checked against a brute-force aggregate per accumulator on random rows,
// and across tables merged before finish() (as parallel workers' tables are).
#include "test_util.hpp"

#include <limits>
#include <random>
#include <set>
#include <stdexcept>

using cohort_test::Harness;
using cohort_test::kDay;

namespace {

const int64_t kAsOf = 1000 * kDay;  // Harness default

// Five aggregates, each over several windows (and no window), some behind a filter: every chain
// shape, with count_distinct (never chained) alongside.
const char* kDefinition = R"({"any": [
  {"performed": {"event": "buy", "op": ">=", "value": 1, "days": 7}},
  {"performed": {"event": "buy", "op": ">=", "value": 1, "days": 30}},
  {"performed": {"event": "buy", "op": ">=", "value": 1}},
  {"performed": {"event": "buy", "op": ">=", "value": 1, "days": 90}},
  {"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 1, "days": 60}},
  {"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 1, "days": 15}},
  {"performed": {"event": "buy", "aggregate": "avg", "property": "price", "op": ">=", "value": 1, "days": 45}},
  {"performed": {"event": "buy", "aggregate": "avg", "property": "price", "op": ">=", "value": 1, "days": 5}},
  {"performed": {"event": "view", "aggregate": "min", "property": "price", "op": ">=", "value": 1, "days": 20}},
  {"performed": {"event": "view", "aggregate": "min", "property": "price", "op": ">=", "value": 1, "days": 100}},
  {"performed": {"event": "view", "aggregate": "min", "property": "price", "op": ">=", "value": 1}},
  {"performed": {"event": "view", "aggregate": "max", "property": "price", "op": ">=", "value": 1, "days": 3}},
  {"performed": {"event": "view", "aggregate": "max", "property": "price", "op": ">=", "value": 1, "days": 50}},
  {"performed": {"event": "view", "op": ">=", "value": 1, "days": 10, "where": {"category": "books"}}},
  {"performed": {"event": "view", "op": ">=", "value": 1, "days": 80, "where": {"category": "books"}}},
  {"performed": {"event": "view", "aggregate": "count", "property": "price", "op": ">=", "value": 1, "days": 25}},
  {"performed": {"event": "view", "aggregate": "count", "property": "price", "op": ">=", "value": 1, "days": 70}},
  {"performed": {"event": "view", "aggregate": "count_distinct", "property": "category", "op": ">=", "value": 1, "days": 40}},
  {"performed": {"event": "view", "aggregate": "count_distinct", "property": "category", "op": ">=", "value": 1, "days": 9}}]})";

using Row = Harness::Event;

std::vector<Row> random_rows(unsigned seed, int n) {
  std::mt19937 rng(seed);
  const char* names[] = {"buy", "view", "other"};
  const char* categories[] = {"books", "toys", "home"};
  std::vector<Row> rows;
  for (int i = 0; i < n; ++i) {
    Row r;
    r.user = 1 + static_cast<int64_t>(rng() % 60);
    r.event = names[rng() % 3];
    // Whole days back, some exactly on a window's bound, some a microsecond before or after it.
    r.ts = kAsOf - static_cast<int64_t>(rng() % 120) * kDay + static_cast<int64_t>(rng() % 3) - 1;
    if (rng() % 6 != 0) r.props["price"] = std::to_string(static_cast<int>(rng() % 200) - 50);
    if (rng() % 5 != 0) r.props["category"] = categories[rng() % 3];
    rows.push_back(r);
  }
  return rows;
}

// The value accumulator `a` should hold for `user`, from the rows directly; false for NULL.
bool brute_force(const cohort::Program& p, std::size_t a, int64_t user, const std::vector<Row>& rows, double& out) {
  const cohort::AccumulatorSpec& acc = p.accumulators()[a];
  const int64_t lower = acc.window >= 0 ? kAsOf - p.window_days()[static_cast<std::size_t>(acc.window)] * kDay
                                        : std::numeric_limits<int64_t>::min();
  double sum = 0, n = 0, best = 0;
  std::set<std::string> seen;
  for (const Row& r : rows) {
    if (r.user != user || p.event_index(r.event) != acc.event || r.ts < lower) continue;
    bool pass = true;
    for (int f : acc.filters) {
      const cohort::PropertyFilter& filter = p.filters()[static_cast<std::size_t>(f)];
      auto it = r.props.find(filter.column);
      pass = pass && it != r.props.end() && it->second &&
             std::find(filter.values.begin(), filter.values.end(), *it->second) != filter.values.end();
    }
    if (!pass) continue;
    if (acc.property < 0) {
      n += 1;
      continue;
    }
    auto it = r.props.find(p.properties()[static_cast<std::size_t>(acc.property)].column);
    if (it == r.props.end() || !it->second) continue;
    const double x = std::strtod(it->second->c_str(), nullptr);
    if (acc.aggregate == cohort::Aggregate::Min) best = n == 0 ? x : std::min(best, x);
    if (acc.aggregate == cohort::Aggregate::Max) best = n == 0 ? x : std::max(best, x);
    if (acc.aggregate == cohort::Aggregate::CountDistinct) seen.insert(*it->second);
    sum += x;
    n += 1;
  }
  switch (acc.aggregate) {
    case cohort::Aggregate::Count: out = n; return true;
    case cohort::Aggregate::Sum: out = sum; return true;
    case cohort::Aggregate::CountDistinct: out = static_cast<double>(seen.size()); return true;
    case cohort::Aggregate::Avg: out = n == 0 ? 0 : sum / n; return n != 0;
    default: out = best; return n != 0;
  }
}

// Every accumulator of every user of `h` (finished) against brute force over `rows`.
void expect_brute_force(Harness& h, const std::vector<Row>& rows) {
  h.table().finish();
  const cohort::Program& p = h.program();
  for (int64_t user = 1; user <= 60; ++user) {
    const double* slots = h.table().find(user);
    if (slots == nullptr) continue;
    for (std::size_t a = 0; a < p.accumulators().size(); ++a) {
      double want = 0, got = 0;
      const bool want_value = brute_force(p, a, user, rows, want);
      const bool got_value = cohort::accumulator_value(p.accumulators()[a], slots, got);
      ASSERT_EQ(got_value, want_value) << "user " << user << " accumulator " << a;
      if (want_value) EXPECT_DOUBLE_EQ(got, want) << "user " << user << " accumulator " << a;
    }
  }
}

void add_all(Harness& h, const std::vector<Row>& rows) {
  for (const Row& r : rows) h.add(r);
}

TEST(WindowChain, MatchesBruteForce) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    Harness h(kDefinition);
    const std::vector<Row> rows = random_rows(seed, 3000);
    add_all(h, rows);
    expect_brute_force(h, rows);
  }
}

// Chains of every length from 1 to 24 windows (as 20 saved cohorts with windows a few days apart
// give): count, sum (each row added to its narrowest window or discarded) and min (folded only
// where a window holds the row), and a chain with no window at all.
std::string long_chains_definition(int windows) {
  std::string leaves;
  for (int k = 0; k < windows; ++k) {
    const int days = 2 + (k * 37) % 115;  // spread over the rows' 0..119 days back, out of order
    for (const char* performed : {R"("op": ">=", "value": 1)", R"("aggregate": "sum", "property": "price", "op": ">=", "value": 1)",
                                  R"("aggregate": "min", "property": "price", "op": ">=", "value": 1)"})
      leaves += std::string(leaves.empty() ? "" : ", ") + R"({"performed": {"event": "buy", )" + performed +
                R"(, "days": )" + std::to_string(days) + "}}";
  }
  leaves += R"(, {"performed": {"event": "view", "aggregate": "sum", "property": "price", "op": ">=", "value": 1}})";
  return R"({"any": [)" + leaves + "]}";
}

TEST(WindowChain, LongChainsMatchBruteForce) {
  for (int windows = 1; windows <= 24; ++windows) {
    Harness h(long_chains_definition(windows).c_str());
    const std::vector<Row> rows = random_rows(100 + static_cast<unsigned>(windows), 2000);
    add_all(h, rows);
    expect_brute_force(h, rows);
  }
}

TEST(WindowChain, MergedBeforeFinishMatchesBruteForce) {
  for (unsigned seed = 21; seed <= 30; ++seed) {
    Harness a(kDefinition), b(kDefinition);
    const std::vector<Row> rows = random_rows(seed, 3000);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      Harness& h = i % 3 == 0 ? b : a;
      h.add(rows[i]);
    }
    b.table().export_state(256, [&](std::string_view chunk) { a.table().merge_state(chunk); });
    expect_brute_force(a, rows);
  }
}

// The README's promise: sums of whole numbers come out bit for bit the same whether a window is
// alone or chained with others over the same event and aggregate.
TEST(WindowChain, WholeNumberSumsDoNotDependOnOtherWindows) {
  const char* alone = R"({"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 1, "days": 60}})";
  const char* chained = R"({"any": [
    {"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 1, "days": 60}},
    {"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 1, "days": 15}},
    {"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">=", "value": 1, "days": 33}}]})";
  Harness a(alone), c(chained);
  std::mt19937 rng(5);
  for (int i = 0; i < 5000; ++i) {
    const int64_t user = 1 + static_cast<int64_t>(rng() % 40);
    const int64_t ts = kAsOf - static_cast<int64_t>(rng() % 80) * kDay;
    const std::string price = std::to_string(static_cast<int64_t>(rng() % 2000000) - 1000000);
    a.add(user, "buy", ts, {{"price", price}});
    c.add(user, "buy", ts, {{"price", price}});
  }
  a.table().finish();
  c.table().finish();
  int found = -1;  // the 60-day accumulator of the chained program
  for (std::size_t k = 0; k < c.program().accumulators().size(); ++k)
    if (c.program().window_days()[static_cast<std::size_t>(c.program().accumulators()[k].window)] == 60) found = static_cast<int>(k);
  ASSERT_GE(found, 0);
  const int slot = c.program().accumulators()[static_cast<std::size_t>(found)].slot;
  for (int64_t user = 1; user <= 40; ++user) {
    ASSERT_NE(a.table().find(user), nullptr);
    EXPECT_EQ(a.table().find(user)[a.program().accumulators()[0].slot], c.table().find(user)[slot]) << user;
  }
}

// The user whose id marks free entries keeps its slots apart; finish() cumulates them too.
TEST(WindowChain, ExtremeUserIdsAreCumulated) {
  const char* def = R"({"any": [{"performed": {"event": "buy", "op": ">=", "value": 1, "days": 10}},
                                {"performed": {"event": "buy", "op": ">=", "value": 1, "days": 50}}]})";
  Harness h(def);
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  for (int64_t user : {lo, hi})
    for (int days : {1, 5, 20, 40, 60}) h.add(user, "buy", kAsOf - days * kDay);
  h.table().finish();
  const cohort::Program& p = h.program();
  for (int64_t user : {lo, hi}) {
    ASSERT_NE(h.table().find(user), nullptr);
    for (const cohort::AccumulatorSpec& acc : p.accumulators()) {
      const int days = p.window_days()[static_cast<std::size_t>(acc.window)];
      EXPECT_EQ(h.table().find(user)[acc.slot], days == 10 ? 2 : 4) << user << " " << days;
    }
  }
}

TEST(WindowChain, ReadsNeedFinishAndChangesAfterItAreRefused) {
  Harness h(kDefinition);
  const std::vector<Row> rows = {{1, "buy", kAsOf - 20 * kDay, {{"price", "10"}}}};
  add_all(h, rows);
  EXPECT_THROW(h.table().find(1), std::logic_error);
  expect_brute_force(h, rows);  // finishes
  EXPECT_THROW(h.add(1, "buy", kAsOf), std::logic_error);
  EXPECT_THROW(h.table().merge_state("E"), std::logic_error);
  EXPECT_THROW(h.table().export_state(64, [](std::string_view) {}), std::logic_error);
  expect_brute_force(h, rows);  // finish() again changes nothing
}

}  // namespace
