// Compiling definitions and deciding membership from slots and customers rows.
#include "test_util.hpp"

#include <cmath>
#include <algorithm>
#include <limits>
#include <random>
#include <set>

#include "core/canonical.hpp"
#include "core/compare.hpp"
#include "core/engagement.hpp"
#include "core/program.hpp"

using cohort::Aggregate;
using cohort::Comparator;
using cohort::Level;
using cohort::Program;
using cohort_test::Customer;
using cohort_test::Harness;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

Program compile(std::string_view def) { return Program::compile(cohort::parse_definition(def)); }

// same_bytes() agrees with memcmp for every length up to 40 and a difference at every position.
TEST(Program, SameBytesMatchesMemcmp) {
  std::string a(48, 'x');
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<char>('a' + i % 26);
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string b = a;
    EXPECT_TRUE(cohort::same_bytes(a.data(), b.data(), n)) << n;
    for (std::size_t at = 0; at < n; ++at) {
      b = a;
      b[at] = static_cast<char>(b[at] ^ 0x40);
      EXPECT_FALSE(cohort::same_bytes(a.data(), b.data(), n)) << n << " " << at;
    }
    b = a;
    b[n] = '#';  // beyond the compared bytes
    EXPECT_TRUE(cohort::same_bytes(a.data(), b.data(), n)) << n;
  }
}

// Event names differing only in one byte, or sharing first and last bytes, are told apart.
TEST(Program, EventIndexExact) {
  Program p = compile(R"({"any":[{"performed":{"event":"product_viewed","op":">=","value":1}},
                                  {"performed":{"event":"product_searched","op":">=","value":1}}]})");
  ASSERT_EQ(p.events().size(), 2u);
  for (const std::string& name : p.events()) EXPECT_EQ(p.events().at(p.event_index(name)), name);
  EXPECT_NE(p.event_index("product_viewed"), p.event_index("product_searched"));
  EXPECT_EQ(p.event_index("product_vieweD"), -1);
  EXPECT_EQ(p.event_index("wishlist_added"), -1);
  EXPECT_EQ(p.event_index("product_viewed "), -1);
  EXPECT_EQ(p.event_index(""), -1);
}

TEST(Program, CompileInternsSources) {
  Program p = compile(R"({"all":[
      {"performed":{"event":"buy","aggregate":"sum","property":"price","op":">=","value":1,"days":30}},
      {"performed":{"event":"buy","aggregate":"count","property":"price","op":">=","value":1,"days":30}},
      {"performed":{"event":"view","aggregate":"count_distinct","property":"page","op":">=","value":2,"days":7,
                    "where":{"device":"mobile"}}},
      {"performed":{"event":"view","aggregate":"avg","property":"price","op":">=","value":1}},
      {"attribute":{"name":"age","min":1}}]})");
  ASSERT_EQ(p.events().size(), 2u);
  EXPECT_GE(p.event_index("buy"), 0);
  EXPECT_GE(p.event_index("view"), 0);
  EXPECT_EQ(p.event_index("other"), -1);
  // price numeric (sum/avg) and price as text (count), page as text.
  ASSERT_EQ(p.properties().size(), 3u);
  int numeric_price = 0, text_price = 0, text_page = 0;
  for (const auto& c : p.properties()) {
    if (c.column == "price" && !c.as_text) ++numeric_price;
    if (c.column == "price" && c.as_text) ++text_price;
    if (c.column == "page" && c.as_text) ++text_page;
  }
  EXPECT_EQ(numeric_price, 1);
  EXPECT_EQ(text_price, 1);
  EXPECT_EQ(text_page, 1);
  std::vector<int32_t> days = p.window_days();
  std::sort(days.begin(), days.end());
  EXPECT_EQ(days, (std::vector<int32_t>{7, 30}));
  ASSERT_EQ(p.filters().size(), 1u);
  EXPECT_EQ(p.filters()[0].column, "device");
  EXPECT_EQ(p.attributes(), std::vector<std::string>{"age"});
  EXPECT_EQ(p.accumulators().size(), 4u);
  EXPECT_EQ(p.slots_per_user(), 1 + 1 + 1 + 2);
  EXPECT_EQ(p.distinct_sets(), 1);
  EXPECT_TRUE(p.needs_customers());
  EXPECT_FALSE(p.needs_risk_level());
}

TEST(Program, SlotsFor) {
  EXPECT_EQ(cohort::slots_for(Aggregate::Count), 1);
  EXPECT_EQ(cohort::slots_for(Aggregate::Sum), 1);
  EXPECT_EQ(cohort::slots_for(Aggregate::CountDistinct), 1);
  EXPECT_EQ(cohort::slots_for(Aggregate::Avg), 2);
  EXPECT_EQ(cohort::slots_for(Aggregate::Min), 2);
  EXPECT_EQ(cohort::slots_for(Aggregate::Max), 2);
}

TEST(Program, AccumulatorSharingBetweenIdenticalLeaves) {
  // Same event/aggregate/property/window/filter: one accumulator, whatever the comparison.
  Program p = compile(R"([
      {"action":"buy","operation":"sum","property":"price","condition":">=","value":10,"timeframe":30},
      {"action":"buy","operation":"sum","property":"price","condition":"<=","value":20,"timeframe":30},
      {"include":false,"action":"buy","operation":"sum","property":"price","condition":"=","value":15,"timeframe":30}])");
  EXPECT_EQ(p.accumulators().size(), 1u);
  EXPECT_EQ(p.slots_per_user(), 1);
  // Differences in window, filter, aggregate, property or event give separate accumulators.
  Program q = compile(R"([
      {"action":"buy","operation":"sum","property":"price","condition":">=","value":10,"timeframe":30},
      {"action":"buy","operation":"sum","property":"price","condition":">=","value":10,"timeframe":31},
      {"action":"buy","operation":"sum","property":"price","condition":">=","value":10},
      {"action":"buy","operation":"sum","property":"price","condition":">=","value":10,"where":{"c":"x"}},
      {"action":"buy","operation":"sum","property":"price","condition":">=","value":10,"where":{"c":"y"}},
      {"action":"buy","operation":"avg","property":"price","condition":">=","value":10},
      {"action":"buy","operation":"sum","property":"cost","condition":">=","value":10},
      {"action":"pay","operation":"sum","property":"price","condition":">=","value":10}])");
  EXPECT_EQ(q.accumulators().size(), 8u);
  EXPECT_EQ(q.slots_per_user(), 9);
  // Filters with the same column and values are interned once.
  Program r = compile(R"([
      {"action":"buy","condition":">=","value":1,"where":{"c":["x","y"]}},
      {"action":"buy","operation":"sum","property":"p","condition":">=","value":1,"where":{"c":["y","x"]}}])");
  EXPECT_EQ(r.filters().size(), 1u);
  EXPECT_EQ(r.accumulators().size(), 2u);
}

TEST(Program, SharedAccumulatorEvaluatesEachComparison) {
  Harness h(R"([
      {"action":"buy","operation":"sum","property":"price","condition":">=","value":10},
      {"action":"buy","operation":"sum","property":"price","condition":"<=","value":20}])");
  ASSERT_EQ(h.program().accumulators().size(), 1u);
  h.add(1, "buy", 0, {{"price", "15"}});
  h.add(2, "buy", 0, {{"price", "25"}});
  h.add(3, "buy", 0, {{"price", "5"}});
  h.add(4, "buy", 0, {{"price", "10"}});
  h.add(4, "buy", 0, {{"price", "10"}});
  EXPECT_TRUE(h.member(1));
  EXPECT_FALSE(h.member(2));
  EXPECT_FALSE(h.member(3));
  EXPECT_TRUE(h.member(4));
}

TEST(Program, NoEventsCountAndSumAreZero) {
  EXPECT_TRUE(compile(R"([{"action":"a","condition":"=","value":0}])").matches(nullptr, nullptr));
  EXPECT_TRUE(compile(R"([{"action":"a","condition":"<","value":1}])").matches(nullptr, nullptr));
  EXPECT_FALSE(compile(R"([{"action":"a","condition":">=","value":1}])").matches(nullptr, nullptr));
  EXPECT_TRUE(compile(R"([{"include":false,"action":"a","condition":">=","value":1}])").matches(nullptr, nullptr));
  EXPECT_TRUE(compile(R"([{"action":"a","operation":"sum","property":"p","condition":"<=","value":0}])")
                  .matches(nullptr, nullptr));
  EXPECT_FALSE(compile(R"([{"action":"a","operation":"sum","property":"p","condition":">","value":0}])")
                   .matches(nullptr, nullptr));
  EXPECT_TRUE(compile(R"([{"action":"a","operation":"count_distinct","property":"p","condition":"=","value":0}])")
                  .matches(nullptr, nullptr));
  EXPECT_TRUE(compile(R"([{"action":"a","property":"p","condition":"between","value":[0,0]}])")
                  .matches(nullptr, nullptr));
}

TEST(Program, NoEventsAvgMinMaxAreNullAndFalse) {
  for (const char* op : {"avg", "min", "max"}) {
    for (const char* cond : {">=", "<=", "=", "!=", ">", "<"}) {
      std::string leaf = std::string(R"({"action":"a","operation":")") + op + R"(","property":"p","condition":")" +
                         cond + R"(","value":0})";
      EXPECT_FALSE(compile("[" + leaf + "]").matches(nullptr, nullptr)) << op << cond;
      // Two-valued logic: not of a false comparison is true.
      EXPECT_TRUE(compile(R"({"not":)" + leaf + "}").matches(nullptr, nullptr)) << op << cond;
    }
  }
}

TEST(Program, AccumulatorValue) {
  cohort::AccumulatorSpec acc;
  double out = -1;
  double slots[4] = {7, 0, 12, 3};
  acc.aggregate = Aggregate::Count;
  acc.slot = 0;
  EXPECT_TRUE(cohort::accumulator_value(acc, slots, out));
  EXPECT_EQ(out, 7);
  acc.aggregate = Aggregate::Avg;
  acc.slot = 2;
  EXPECT_TRUE(cohort::accumulator_value(acc, slots, out));
  EXPECT_EQ(out, 4);
  acc.slot = 0;  // count slot 0 -> NULL
  EXPECT_FALSE(cohort::accumulator_value(acc, slots, out));
  acc.aggregate = Aggregate::Min;
  EXPECT_FALSE(cohort::accumulator_value(acc, slots, out));
  acc.aggregate = Aggregate::Max;
  acc.slot = 2;
  EXPECT_TRUE(cohort::accumulator_value(acc, slots, out));
  EXPECT_EQ(out, 12);
}

TEST(Compare, PgFloatCmp) {
  EXPECT_EQ(cohort::pg_float_cmp(1, 2), -1);
  EXPECT_EQ(cohort::pg_float_cmp(2, 1), 1);
  EXPECT_EQ(cohort::pg_float_cmp(2, 2), 0);
  EXPECT_EQ(cohort::pg_float_cmp(-0.0, 0.0), 0);
  EXPECT_EQ(cohort::pg_float_cmp(kNaN, kNaN), 0);
  EXPECT_EQ(cohort::pg_float_cmp(kNaN, kInf), 1);
  EXPECT_EQ(cohort::pg_float_cmp(kInf, kNaN), -1);
  EXPECT_EQ(cohort::pg_float_cmp(-kInf, 1), -1);
}

TEST(Compare, CompareValueWithNaN) {
  // NaN equals NaN and is above everything.
  EXPECT_TRUE(cohort::compare_value(kNaN, Comparator::Ge, 1e308, 0));
  EXPECT_TRUE(cohort::compare_value(kNaN, Comparator::Gt, kInf, 0));
  EXPECT_FALSE(cohort::compare_value(kNaN, Comparator::Lt, 5, 0));
  EXPECT_FALSE(cohort::compare_value(kNaN, Comparator::Le, 5, 0));
  EXPECT_FALSE(cohort::compare_value(kNaN, Comparator::Eq, 5, 0));
  EXPECT_TRUE(cohort::compare_value(kNaN, Comparator::Ne, 5, 0));
  EXPECT_TRUE(cohort::compare_value(kNaN, Comparator::Eq, kNaN, 0));
  EXPECT_FALSE(cohort::compare_value(kNaN, Comparator::Ne, kNaN, 0));
  EXPECT_FALSE(cohort::compare_value(kNaN, Comparator::Between, 0, 1e308));
  EXPECT_TRUE(cohort::compare_value(5, Comparator::Lt, kNaN, 0));
}

TEST(Compare, EveryOperator) {
  struct Case { Comparator op; double x, v, v2; bool want; };
  const Case cases[] = {
      {Comparator::Ge, 5, 5, 0, true},  {Comparator::Ge, 4.999, 5, 0, false},
      {Comparator::Gt, 5, 5, 0, false}, {Comparator::Gt, 5.001, 5, 0, true},
      {Comparator::Le, 5, 5, 0, true},  {Comparator::Le, 5.001, 5, 0, false},
      {Comparator::Lt, 5, 5, 0, false}, {Comparator::Lt, 4.999, 5, 0, true},
      {Comparator::Eq, 5, 5, 0, true},  {Comparator::Eq, 5.5, 5, 0, false},
      {Comparator::Ne, 5, 5, 0, false}, {Comparator::Ne, 5.5, 5, 0, true},
      {Comparator::Between, 1, 1, 3, true}, {Comparator::Between, 3, 1, 3, true},
      {Comparator::Between, 0.5, 1, 3, false}, {Comparator::Between, 3.5, 1, 3, false},
  };
  for (const Case& c : cases)
    EXPECT_EQ(cohort::compare_value(c.x, c.op, c.v, c.v2), c.want)
        << cohort::comparator_name(c.op) << " " << c.x << " " << c.v;
}

TEST(Program, AttributeRangesInclusive) {
  Harness h(R"({"min_age":25,"max_age":65})");
  EXPECT_TRUE(h.member(1, Customer{{{"age", 25}}, {}}));
  EXPECT_TRUE(h.member(1, Customer{{{"age", 65}}, {}}));
  EXPECT_TRUE(h.member(1, Customer{{{"age", 40.5}}, {}}));
  EXPECT_FALSE(h.member(1, Customer{{{"age", 24.999}}, {}}));
  EXPECT_FALSE(h.member(1, Customer{{{"age", 65.001}}, {}}));
  // NULL fails any range, as does a missing customers row.
  EXPECT_FALSE(h.member(1, Customer{}));
  EXPECT_FALSE(h.member(1));
  // not of a NULL range is true (two-valued logic).
  Harness n(R"({"not":{"min_age":25}})");
  EXPECT_TRUE(n.member(1, Customer{}));
  EXPECT_FALSE(n.member(1, Customer{{{"age", 30}}, {}}));
}

TEST(Program, AttributeOneSidedAndNaN) {
  Harness lo(R"({"attribute":{"name":"score","min":0}})");
  EXPECT_TRUE(lo.member(1, Customer{{{"score", 0}}, {}}));
  EXPECT_TRUE(lo.member(1, Customer{{{"score", kInf}}, {}}));
  EXPECT_TRUE(lo.member(1, Customer{{{"score", kNaN}}, {}}));  // NaN is above every number
  EXPECT_FALSE(lo.member(1, Customer{{{"score", -kInf}}, {}}));
  Harness hi(R"({"attribute":{"name":"score","max":100}})");
  EXPECT_FALSE(hi.member(1, Customer{{{"score", kNaN}}, {}}));
  EXPECT_TRUE(hi.member(1, Customer{{{"score", -1e300}}, {}}));
}


TEST(Engagement, ScoreAndLevels) {
  EXPECT_DOUBLE_EQ(cohort::engagement_score(10, 20, 30), 3 + 8 + 9);
  EXPECT_EQ(cohort::engagement_score(std::nullopt, std::nullopt, std::nullopt), 0);
  EXPECT_EQ(cohort::engagement_score(std::nullopt, 25, std::nullopt), 10);
  EXPECT_EQ(cohort::engagement_level(20), Level::High);
  EXPECT_EQ(cohort::engagement_level(19.999999), Level::Medium);
  EXPECT_EQ(cohort::engagement_level(10), Level::Medium);
  EXPECT_EQ(cohort::engagement_level(9.999999), Level::Low);
  EXPECT_EQ(cohort::engagement_level(0), Level::Low);
  EXPECT_EQ(cohort::engagement_level(-5), Level::Low);
  EXPECT_EQ(cohort::engagement_level(kNaN), Level::High);
}

TEST(Program, EngagementLevelsAtThresholds) {
  Harness high(R"({"engagement_level":"high"})");
  Harness medium(R"({"engagement_level":"medium"})");
  Harness low(R"({"engagement_level":"low"})");
  struct Case { Customer c; Level want; };
  const Case cases[] = {
      {Customer{{{"email_opens", 0}, {"website_visits", 50}, {"total_purchases", 0}}, {}}, Level::High},     // 20
      {Customer{{{"email_opens", 20}, {"website_visits", 20}, {"total_purchases", 20}}, {}}, Level::High},   // 20
      {Customer{{{"email_opens", 0}, {"website_visits", 49.99}, {"total_purchases", 0}}, {}}, Level::Medium},
      {Customer{{{"email_opens", 0}, {"website_visits", 25}, {"total_purchases", 0}}, {}}, Level::Medium},   // 10
      {Customer{{{"email_opens", 10}, {"website_visits", 10}, {"total_purchases", 10}}, {}}, Level::Medium}, // 10
      {Customer{{{"email_opens", 0}, {"website_visits", 24.99}, {"total_purchases", 0}}, {}}, Level::Low},
      {Customer{{{"email_opens", 30}, {"website_visits", 0}, {"total_purchases", 0}}, {}}, Level::Low},      // 9
      // NULL parts count as 0.
      {Customer{{{"website_visits", 50}}, {}}, Level::High},
      {Customer{{{"website_visits", 25}}, {}}, Level::Medium},
      {Customer{{{"email_opens", 100}}, {}}, Level::High},  // 30
      {Customer{{{"total_purchases", 40}}, {}}, Level::Medium},  // 12
      {Customer{}, Level::Low},
  };
  for (std::size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    const Case& k = cases[i];
    EXPECT_EQ(high.member(1, k.c), k.want == Level::High) << i;
    EXPECT_EQ(medium.member(1, k.c), k.want == Level::Medium) << i;
    EXPECT_EQ(low.member(1, k.c), k.want == Level::Low) << i;
  }
  // Without a customers row no level holds.
  EXPECT_FALSE(low.member(1));
  EXPECT_EQ(high.program().attributes().size(), 3u);
}

TEST(Program, ChurnRiskCaseInsensitive) {
  Harness low(R"({"churn_risk_level":"low"})");
  EXPECT_TRUE(low.program().needs_risk_level());
  EXPECT_TRUE(low.program().needs_customers());
  for (const char* text : {"low", "LOW", "Low", " low", "low ", "\tLoW\t", "  low  "})
    EXPECT_TRUE(low.member(1, Customer{{}, std::string(text)})) << "[" << text << "]";
  for (const char* text : {"", "lo", "lower", "medium", "high", "l ow", "low."})
    EXPECT_FALSE(low.member(1, Customer{{}, std::string(text)})) << "[" << text << "]";
  EXPECT_FALSE(low.member(1, Customer{}));  // NULL risk_level matches no level
  EXPECT_FALSE(low.member(1));              // no customers row
  Harness high(R"({"churn_risk_level":"high"})");
  EXPECT_TRUE(high.member(1, Customer{{}, std::string("HIGH")}));
  EXPECT_FALSE(high.member(1, Customer{{}, std::string("low")}));
  Harness medium(R"({"churn_risk_level":"medium"})");
  EXPECT_TRUE(medium.member(1, Customer{{}, std::string(" Medium ")}));
  // not of a NULL level is true.
  Harness not_low(R"({"not":{"churn_risk_level":"low"}})");
  EXPECT_TRUE(not_low.member(1, Customer{}));
  EXPECT_FALSE(not_low.member(1, Customer{{}, std::string("LOW")}));
}

TEST(Program, CriteriaReadmeExample) {
  Harness h(R"({"engagement_level": "high", "churn_risk_level": "low",
                "min_age": 25, "max_age": 65, "min_total_purchases": 10, "max_total_purchases": 100})");
  Customer yes{{{"age", 30}, {"total_purchases", 50}, {"email_opens", 10}, {"website_visits", 10}}, std::string("Low")};
  // score 3 + 4 + 15 = 22
  EXPECT_TRUE(h.member(7, yes));
  Customer old = yes;
  old.attrs["age"] = 70;
  EXPECT_FALSE(h.member(7, old));
  Customer risky = yes;
  risky.risk = "high";
  EXPECT_FALSE(h.member(7, risky));
  Customer disengaged = yes;
  disengaged.attrs["email_opens"] = 0;
  disengaged.attrs["website_visits"] = 0;  // score 15: medium
  EXPECT_FALSE(h.member(7, disengaged));
  Customer no_purchases = yes;
  no_purchases.attrs.erase("total_purchases");
  EXPECT_FALSE(h.member(7, no_purchases));
}

TEST(Program, EmptyGroups) {
  EXPECT_TRUE(compile(R"({"all":[]})").matches(nullptr, nullptr));
  EXPECT_FALSE(compile(R"({"any":[]})").matches(nullptr, nullptr));
  EXPECT_TRUE(compile(R"({"not":{"any":[]}})").matches(nullptr, nullptr));
  EXPECT_FALSE(compile("{}").needs_customers());
}

TEST(Program, MixedBehaviourAndAttributes) {
  Harness h(R"({"any":[{"all":[{"min_age":60},{"action":"buy","condition":">=","value":1}]},
                       {"not":{"action":"buy","condition":">=","value":1}}]})");
  h.add(1, "buy", 0);
  h.add(2, "view", 0);
  EXPECT_TRUE(h.member(1, Customer{{{"age", 61}}, {}}));
  EXPECT_FALSE(h.member(1, Customer{{{"age", 59}}, {}}));
  EXPECT_TRUE(h.member(2, Customer{{{"age", 20}}, {}}));
  EXPECT_TRUE(h.member(3, Customer{}));  // customer without events: did not buy
}

// filter_accepts() against a plain set lookup: few values (compared inline) and many (binary
// search), names around the 8-byte word size, prefixes, empty strings and bytes above 0x7f.
TEST(Program, FilterAcceptsExactlyItsValues) {
  std::vector<std::string> pool = {"", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "abcdefgh\xff",
                                   "electronics", "electronicz", "books", "book", "home", "x\0y",
                                   std::string(16, 'q'), std::string(17, 'q'), "\xe2\x82\xac"};
  pool[12] = std::string("x\0y", 3);
  std::mt19937 rng(7);
  for (int round = 0; round < 400; ++round) {
    std::set<std::string> chosen;
    const std::size_t want = 1 + rng() % (round % 2 == 0 ? 4 : 14);  // inline and binary-search sizes
    while (chosen.size() < want) chosen.insert(pool[rng() % pool.size()]);
    cohort::PropertyFilter f{"category", std::vector<std::string>(chosen.begin(), chosen.end())};
    for (const std::string& v : pool) EXPECT_EQ(cohort::filter_accepts(f, v), chosen.count(v) == 1) << v;
  }
}

}  // namespace
