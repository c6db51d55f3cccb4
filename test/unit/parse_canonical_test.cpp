// The canonical form and mixtures of forms.
#include "test_util.hpp"

#include "core/canonical.hpp"
#include "core/definition.hpp"

using cohort::Aggregate;
using cohort::Comparator;
using cohort::NodeKind;
using cohort::parse_definition;
using cohort_test::canon;

namespace {

TEST(ParseCanonical, PerformedAllFields) {
  cohort::Node n = parse_definition(
      R"({"performed":{"event":"payment_successful","aggregate":"sum","property":"price","op":">=",
                       "value":10000,"days":365,"where":{"category":["electronics"]}}})");
  ASSERT_EQ(n.kind, NodeKind::Performed);
  const cohort::Behaviour& b = n.behaviour;
  EXPECT_EQ(b.event, "payment_successful");
  EXPECT_EQ(b.aggregate, Aggregate::Sum);
  EXPECT_EQ(b.property, "price");
  EXPECT_EQ(b.op, Comparator::Ge);
  EXPECT_EQ(b.value, 10000);
  ASSERT_TRUE(b.days.has_value());
  EXPECT_EQ(*b.days, 365);
  ASSERT_EQ(b.where.size(), 1u);
  EXPECT_EQ(b.where[0].column, "category");
  EXPECT_EQ(b.where[0].values, std::vector<std::string>{"electronics"});
}

TEST(ParseCanonical, PerformedDefaults) {
  cohort::Node n = parse_definition(R"({"performed":{"event":"e","op":"<","value":2}})");
  EXPECT_EQ(n.behaviour.aggregate, Aggregate::Count);
  EXPECT_TRUE(n.behaviour.property.empty());
  EXPECT_FALSE(n.behaviour.days.has_value());
  EXPECT_EQ(cohort::write_canonical(n), R"({"performed":{"event":"e","aggregate":"count","op":"<","value":2}})");
  EXPECT_FALSE(parse_definition(R"({"performed":{"event":"e","op":"<","value":2,"days":null}})")
                   .behaviour.days.has_value());
}

TEST(ParseCanonical, Attribute) {
  cohort::Node n = parse_definition(R"({"attribute":{"name":"lifetime_value","min":25,"max":65}})");
  ASSERT_EQ(n.kind, NodeKind::Attribute);
  EXPECT_EQ(n.range.attribute, "lifetime_value");
  EXPECT_EQ(*n.range.min, 25);
  EXPECT_EQ(*n.range.max, 65);
  EXPECT_EQ(canon(R"({"attribute":{"max":1,"name":"x"}})"), R"({"attribute":{"name":"x","max":1}})");
  EXPECT_EQ(canon(R"({"attribute":{"name":"x","min":-1,"max":null}})"), R"({"attribute":{"name":"x","min":-1}})");
}

TEST(ParseCanonical, LevelLeaves) {
  EXPECT_EQ(canon(R"({"engagement_level":"medium"})"), R"({"engagement_level":"medium"})");
  EXPECT_EQ(canon(R"({"churn_risk_level":"high"})"), R"({"churn_risk_level":"high"})");
}

TEST(ParseCanonical, Groups) {
  cohort::Node all = parse_definition(R"({"all":[{"engagement_level":"low"},{"churn_risk_level":"low"}]})");
  EXPECT_EQ(all.kind, NodeKind::All);
  EXPECT_EQ(all.children.size(), 2u);
  cohort::Node any = parse_definition(R"({"any":[{"engagement_level":"low"},{"churn_risk_level":"low"}]})");
  EXPECT_EQ(any.kind, NodeKind::Any);
  EXPECT_EQ(any.children.size(), 2u);
  cohort::Node nt = parse_definition(R"({"not":{"engagement_level":"low"}})");
  EXPECT_EQ(nt.kind, NodeKind::Not);
  ASSERT_EQ(nt.children.size(), 1u);
  EXPECT_EQ(nt.children[0].kind, NodeKind::Engagement);
}

TEST(ParseCanonical, EmptyGroups) {
  EXPECT_EQ(canon(R"({"all":[]})"), R"({"all":[]})");
  EXPECT_EQ(canon(R"({"any":[]})"), R"({"any":[]})");
  EXPECT_EQ(canon(R"({"not":{"any":[]}})"), R"({"not":{"any":[]}})");
}

TEST(ParseCanonical, MixtureOfForms) {
  // A seed list, a seed condition and a criteria object inside canonical groups.
  EXPECT_EQ(
      canon(R"({"all":[[{"action":"a","condition":">=","value":1,"logic":"or"},{"action":"b","condition":">=","value":1}],
                      {"not":{"action":"c","condition":">","value":0}},
                      {"min_age":18}]})"),
      R"({"all":[{"any":[{"performed":{"event":"a","aggregate":"count","op":">=","value":1}},)"
      R"({"performed":{"event":"b","aggregate":"count","op":">=","value":1}}]},)"
      R"({"attribute":{"name":"age","min":18}},)"
      R"({"not":{"performed":{"event":"c","aggregate":"count","op":">","value":0}}}]})");
}

TEST(ParseCanonical, CanonicalAndSeedGiveSameText) {
  EXPECT_EQ(canon(R"([{"action":"buy","operation":"avg","property":"price","condition":"<>","value":3,"timeframe":10}])"),
            canon(R"({"performed":{"event":"buy","aggregate":"avg","property":"price","op":"!=","value":3,"days":10}})"));
  EXPECT_EQ(canon(R"({"min_age":1,"max_age":2})"), canon(R"({"attribute":{"name":"age","min":1,"max":2}})"));
}

TEST(ParseCanonical, WhereScalarAndTypes) {
  EXPECT_EQ(canon(R"({"performed":{"event":"e","op":">=","value":1,
                     "where":{"b":true,"a":[2.50,"x",false,"2.5"],"c":-0.0}}})"),
            R"({"performed":{"event":"e","aggregate":"count","op":">=","value":1,)"
            R"("where":{"a":["2.5","false","x"],"b":["true"],"c":["0"]}}})");
}

TEST(ParseCanonical, CountDistinctAndCountOfColumn) {
  EXPECT_EQ(canon(R"({"performed":{"event":"v","aggregate":"count_distinct","property":"page","op":">=","value":3}})"),
            R"({"performed":{"event":"v","aggregate":"count_distinct","property":"page","op":">=","value":3}})");
  EXPECT_EQ(canon(R"({"performed":{"event":"v","aggregate":"count","property":"page","op":">=","value":3}})"),
            R"({"performed":{"event":"v","aggregate":"count","property":"page","op":">=","value":3}})");
  EXPECT_EQ(canon(R"({"performed":{"event":"v","aggregate":"count","property":"events","op":">=","value":3}})"),
            R"({"performed":{"event":"v","aggregate":"count","op":">=","value":3}})");
}

TEST(ParseCanonical, WhiteSpaceIgnored) {
  EXPECT_EQ(canon(" \n{ \"not\" :\t{\"churn_risk_level\" : \"low\"} }\r\n"), R"({"not":{"churn_risk_level":"low"}})");
}

}  // namespace
