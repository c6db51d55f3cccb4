// FlatDecisions (every definition at once, flat ones by mask tests) against Program::matches()
// per definition, on random definitions and random slots.
#include "test_util.hpp"

#include <limits>
#include <random>

#include "core/flat_decisions.hpp"

namespace {

// A random behavioural leaf: count, sum, avg, min or max of buy or view rows, any comparator.
std::string random_leaf(std::mt19937& rng) {
  static const char* aggregates[] = {"count", "sum", "avg", "min", "max", "count_distinct", "count"};
  static const char* ops[] = {">=", ">", "<=", "<", "=", "!=", "between"};
  const std::size_t ag = rng() % 7;
  const std::string aggregate = aggregates[ag];  // the second count: count(price)
  const std::string op = ops[rng() % 7];
  // Thresholds around the slots' values: negative, -0, fractional, huge.
  static const char* values[] = {"-1e300", "-2", "-1", "-0", "0", "0.5", "1", "2", "3", "5", "1e300"};  // ascending
  const std::size_t ai = rng() % 11, bi = std::min<std::size_t>(10, ai + rng() % 4);
  const std::string a = values[ai], b = values[bi];  // between needs low <= high
  std::string leaf = R"({"performed": {"event": ")" + std::string(rng() % 2 ? "buy" : "view") + R"(", "aggregate": ")" +
                     aggregate + "\"";
  if (ag != 0) leaf += R"(, "property": "price")";
  leaf += R"(, "op": ")" + op + R"(", "value": )" +
          (op == "between" ? "[" + a + ", " + b + "]" : a);
  if (rng() % 2) leaf += R"(, "days": )" + std::to_string(1 + rng() % 3);
  return leaf + "}}";
}

// A random definition: a leaf, a negated leaf, a flat all/any of (negated) leaves (empty too), or
// one with a nested group or a negated group (not flat).
std::string random_definition(std::mt19937& rng) {
  const auto maybe_not = [&](const std::string& leaf) { return rng() % 3 == 0 ? R"({"not": )" + leaf + "}" : leaf; };
  switch (rng() % 6) {
    case 0: return random_leaf(rng);
    case 1: return R"({"not": )" + random_leaf(rng) + "}";
    case 2: {
      const std::string first = random_leaf(rng);
      const std::string second = random_leaf(rng);
      return R"({"not": {"any": [)" + first + ", " + second + "]}}";
    }
    default: {
      const std::string group = rng() % 2 ? "all" : "any";
      std::string text = R"({")" + group + R"(": [)";
      const int n = static_cast<int>(rng() % 5);
      for (int i = 0; i < n; ++i) {
        if (i > 0) text += ", ";
        if (rng() % 6 == 0) {
          const std::string first = random_leaf(rng);
          const std::string second = maybe_not(random_leaf(rng));
          text += R"({"any": [)" + first + ", " + second + "]}";
        } else
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

// A behavioural leaf built directly (the parser admits only finite thresholds, and no -0).
cohort::Node leaf_node(cohort::Aggregate aggregate, cohort::Comparator op, double value, double value2) {
  cohort::Node n;
  n.kind = cohort::NodeKind::Performed;
  n.behaviour.event = "buy";
  n.behaviour.aggregate = aggregate;
  if (aggregate != cohort::Aggregate::Count) n.behaviour.property = "price";
  n.behaviour.op = op;
  n.behaviour.value = value;
  n.behaviour.value2 = value2;
  return n;
}

TEST(FlatDecisions, EveryComparatorAtTheEdgesOfTheOrder) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const double tiny = std::numeric_limits<double>::denorm_min(), big = std::numeric_limits<double>::max();
  const std::vector<double> edges = {-0.0, 0.0, tiny, -tiny, big, -big, inf, -inf, nan, -nan, 1, -1};
  std::vector<double> values = edges;
  values.push_back(2.5);
  const std::vector<double> counts = {0, -0.0, 1, 2, nan};  // the second slot of avg, min and max
  const cohort::Comparator ops[] = {cohort::Comparator::Ge, cohort::Comparator::Gt, cohort::Comparator::Le,
                                    cohort::Comparator::Lt, cohort::Comparator::Eq, cohort::Comparator::Ne};
  for (cohort::Aggregate aggregate : {cohort::Aggregate::Count, cohort::Aggregate::Sum, cohort::Aggregate::Avg,
                                      cohort::Aggregate::Min, cohort::Aggregate::Max}) {
    std::vector<cohort::Node> leaves;
    for (cohort::Comparator op : ops)
      for (double a : edges) leaves.push_back(leaf_node(aggregate, op, a, 0));
    for (double a : edges)
      for (double b : edges) leaves.push_back(leaf_node(aggregate, cohort::Comparator::Between, a, b));
    // Each leaf alone and negated, 30 leaves a program; every slot value, exhaustively.
    for (std::size_t first = 0; first < leaves.size(); first += 30) {
      std::vector<cohort::Node> roots;
      for (std::size_t i = first; i < std::min(leaves.size(), first + 30); ++i) {
        roots.push_back(leaves[i]);
        roots.push_back(cohort::Node::negate(leaves[i]));
      }
      const cohort::Program p = cohort::Program::compile_many(roots);
      const cohort::FlatDecisions decisions(p);
      ASSERT_EQ(decisions.flat_definitions(), roots.size());
      std::vector<uint64_t> bits((roots.size() + 63) / 64);
      for (double v : values)
        for (double c : counts) {
          const double slots[2] = {v, c};
          std::fill(bits.begin(), bits.end(), 0);
          decisions.match_all(slots, bits.data());
          for (std::size_t d = 0; d < roots.size(); ++d)
            ASSERT_EQ(((bits[d / 64] >> (d % 64)) & 1u) != 0, p.matches(d, slots, nullptr))
                << "definition " << d << " value " << v << " count " << c;
        }
    }
  }
}

TEST(FlatDecisions, LeavesOfDefinitionsThatAreNotFlatAreNotTested) {
  // 40 leaves in a nested definition, then 40 flat definitions of other leaves: all 40 fit.
  std::vector<cohort::Node> inner, roots;
  for (int i = 0; i < 40; ++i) inner.push_back(leaf_node(cohort::Aggregate::Sum, cohort::Comparator::Ge, i, 0));
  std::vector<cohort::Node> parts = {cohort::Node::group(cohort::NodeKind::Any, {inner[0], inner[1]})};
  parts.insert(parts.end(), inner.begin() + 2, inner.end());
  roots.push_back(cohort::Node::group(cohort::NodeKind::All, parts));
  for (int i = 0; i < 40; ++i) roots.push_back(leaf_node(cohort::Aggregate::Sum, cohort::Comparator::Lt, i, 0));
  const cohort::Program p = cohort::Program::compile_many(roots);
  const cohort::FlatDecisions decisions(p);
  EXPECT_EQ(decisions.flat_definitions(), 40u);
  EXPECT_EQ(decisions.leaves(), 40u);
  std::mt19937 rng(3);
  expect_same_decisions(p, rng, 500);
}

}  // namespace
