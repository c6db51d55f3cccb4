// FlatDecisions (every definition at once, flat ones by mask tests) against Program::matches()
// per definition, on random definitions and random slots.
#include "test_util.hpp"

#include <limits>
#include <random>

#include "core/flat_decisions.hpp"

namespace {

// A random behavioural leaf: count, sum, avg, min or max of buy or view rows, any comparator.
std::string random_leaf(std::mt19937& rng) {
  static const char* aggregates[] = {"count", "sum", "avg", "min", "max"};
  static const char* ops[] = {">=", ">", "<=", "<", "=", "!=", "between"};
  const std::string aggregate = aggregates[rng() % 5];
  const std::string op = ops[rng() % 7];
  // Thresholds around the slots' values: negative, -0, fractional, huge.
  static const char* values[] = {"-1e300", "-2", "-1", "-0", "0", "0.5", "1", "2", "3", "5", "1e300"};  // ascending
  const std::size_t ai = rng() % 11, bi = std::min<std::size_t>(10, ai + rng() % 4);
  const std::string a = values[ai], b = values[bi];  // between needs low <= high
  std::string leaf = R"({"performed": {"event": ")" + std::string(rng() % 2 ? "buy" : "view") + R"(", "aggregate": ")" +
                     aggregate + "\"";
  if (aggregate != "count") leaf += R"(, "property": "price")";
  leaf += R"(, "op": ")" + op + R"(", "value": )" +
          (op == "between" ? "[" + a + ", " + b + "]" : a);
  if (rng() % 2) leaf += R"(, "days": )" + std::to_string(1 + rng() % 3);
  return leaf + "}}";
}

// A random definition: a leaf, a negated leaf, a flat all/any of (negated) leaves (empty too), or
// one with a nested group (not flat).
std::string random_definition(std::mt19937& rng) {
  const auto maybe_not = [&](const std::string& leaf) { return rng() % 3 == 0 ? R"({"not": )" + leaf + "}" : leaf; };
  switch (rng() % 5) {
    case 0: return random_leaf(rng);
    case 1: return R"({"not": )" + random_leaf(rng) + "}";
    default: {
      const std::string group = rng() % 2 ? "all" : "any";
      std::string text = R"({")" + group + R"(": [)";
      const int n = static_cast<int>(rng() % 5);
      for (int i = 0; i < n; ++i) {
        if (i > 0) text += ", ";
        if (rng() % 6 == 0)
          text += R"({"any": [)" + random_leaf(rng) + ", " + maybe_not(random_leaf(rng)) + "]}";
        else
          text += maybe_not(random_leaf(rng));
      }
      return text + "]}";
    }
  }
}

// Whether FlatDecisions and Program::matches() agree on every definition for random slots.
void expect_same_decisions(const cohort::Program& p, std::mt19937& rng, int users) {
  const cohort::FlatDecisions decisions(p);
  const double values[] = {0, 1, 2, 3, 4, 5, 7, -1, -2, 2.5, -0.0, std::numeric_limits<double>::quiet_NaN(),
                           -std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min(),
                           -std::numeric_limits<double>::denorm_min()};
  std::vector<double> slots(static_cast<std::size_t>(p.slots_per_user()));
  std::vector<uint64_t> bits((p.definitions() + 63) / 64);
  for (int u = 0; u < users; ++u) {
    for (double& s : slots) s = values[rng() % (sizeof values / sizeof values[0])];
    std::fill(bits.begin(), bits.end(), 0);
    decisions.match_all(slots.data(), bits.data());
    for (std::size_t d = 0; d < p.definitions(); ++d)
      ASSERT_EQ(((bits[d / 64] >> (d % 64)) & 1u) != 0, p.matches(d, slots.data(), nullptr))
          << "definition " << d << ": " << cohort::write_canonical(p.sources()[d]);
  }
}

TEST(FlatDecisions, SameAsMatchesOnRandomDefinitions) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<cohort::Node> roots;
    const int n = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) roots.push_back(cohort::parse_definition(random_definition(rng)));
    const cohort::Program p = cohort::Program::compile_many(roots);
    expect_same_decisions(p, rng, 50);
  }
}

TEST(FlatDecisions, FlatShapesAndTheirLimits) {
  std::mt19937 rng(11);
  const std::string buy = R"({"performed": {"event": "buy", "op": ">=", "value": 2}})";
  const std::string sum = R"({"performed": {"event": "buy", "aggregate": "sum", "property": "price", "op": ">", "value": 3}})";
  std::vector<cohort::Node> roots = {
      cohort::parse_definition(buy),                                                     // one leaf
      cohort::parse_definition(R"({"not": )" + buy + "}"),                               // one negated leaf
      cohort::parse_definition(R"({"all": [)" + buy + ", " + sum + "]}"),                // all
      cohort::parse_definition(R"({"any": [{"not": )" + buy + "}, " + sum + "]}"),       // any with a negation
      cohort::parse_definition(R"({"all": []})"),                                        // empty all: true
      cohort::parse_definition(R"({"any": []})"),                                        // empty any: false
      cohort::parse_definition(R"({"all": [)" + buy + R"(, {"not": )" + buy + "}]}"),    // x and not x: not flat
      cohort::parse_definition(R"({"any": [{"all": [)" + buy + ", " + sum + R"(]}, {"not": )" + sum + "}]}")};  // nested: not flat
  const cohort::Program p = cohort::Program::compile_many(roots);
  EXPECT_EQ(cohort::FlatDecisions(p).flat_definitions(), 6u);
  expect_same_decisions(p, rng, 2000);
  // More than 64 distinct leaves: those past the 64th leave their definitions to matches().
  std::vector<cohort::Node> many;
  for (int i = 0; i < 80; ++i)
    many.push_back(cohort::parse_definition(R"({"performed": {"event": "buy", "op": ">=", "value": )" +
                                            std::to_string(i) + "}}"));
  const cohort::Program q = cohort::Program::compile_many(many);
  EXPECT_EQ(cohort::FlatDecisions(q).flat_definitions(), 64u);
  expect_same_decisions(q, rng, 500);
}

}  // namespace
