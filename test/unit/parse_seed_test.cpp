// The behavioural seed form: condition lists joined by logic, and single condition objects.
#include "test_util.hpp"

#include "core/canonical.hpp"
#include "core/definition.hpp"

using cohort::Aggregate;
using cohort::Comparator;
using cohort::NodeKind;
using cohort::parse_definition;
using cohort_test::canon;

namespace {

TEST(ParseSeed, ReadmeExample) {
  EXPECT_EQ(
      canon(R"([{"include": true,  "action": "payment_successful", "operation": "sum", "property": "price",
                 "condition": ">=", "value": 10000, "timeframe": 365, "logic": "AND"},
                {"include": false, "action": "payment_successful", "operation": "count", "property": "events",
                 "condition": ">=", "value": 1, "timeframe": 90, "logic": null}])"),
      R"({"all":[{"not":{"performed":{"event":"payment_successful","aggregate":"count","op":">=","value":1,"days":90}}},)"
      R"({"performed":{"event":"payment_successful","aggregate":"sum","property":"price","op":">=","value":10000,"days":365}}]})");
}

TEST(ParseSeed, DefaultsOfOneCondition) {
  cohort::Node n = parse_definition(R"([{"action":"login","condition":">","value":3}])");
  ASSERT_EQ(n.kind, NodeKind::Performed);
  EXPECT_EQ(n.behaviour.event, "login");
  EXPECT_EQ(n.behaviour.aggregate, Aggregate::Count);
  EXPECT_EQ(n.behaviour.property, "");
  EXPECT_EQ(n.behaviour.op, Comparator::Gt);
  EXPECT_EQ(n.behaviour.value, 3);
  EXPECT_FALSE(n.behaviour.days.has_value());
  EXPECT_TRUE(n.behaviour.where.empty());
}

TEST(ParseSeed, SingleConditionObjectWithoutList) {
  EXPECT_EQ(canon(R"({"action":"login","condition":">=","value":1,"timeframe":7})"),
            R"({"performed":{"event":"login","aggregate":"count","op":">=","value":1,"days":7}})");
}

TEST(ParseSeed, IncludeFalseIsNot) {
  cohort::Node n = parse_definition(R"([{"include":false,"action":"a","condition":">=","value":1}])");
  ASSERT_EQ(n.kind, NodeKind::Not);
  ASSERT_EQ(n.children.size(), 1u);
  EXPECT_EQ(n.children[0].kind, NodeKind::Performed);
  EXPECT_EQ(n.children[0].behaviour.event, "a");
}

TEST(ParseSeed, IncludeTrueIsPlain) {
  EXPECT_EQ(canon(R"([{"include":true,"action":"a","condition":">=","value":1}])"),
            canon(R"([{"action":"a","condition":">=","value":1}])"));
}

TEST(ParseSeed, AndBindsTighterThanOr) {
  // a AND b OR c  ==  (a AND b) OR c
  cohort::Node n = parse_definition(R"([
      {"action":"a","condition":">=","value":1,"logic":"AND"},
      {"action":"b","condition":">=","value":1,"logic":"OR"},
      {"action":"c","condition":">=","value":1}])");
  ASSERT_EQ(n.kind, NodeKind::Any);
  ASSERT_EQ(n.children.size(), 2u);
  EXPECT_EQ(n.children[0].kind, NodeKind::All);
  EXPECT_EQ(n.children[0].children.size(), 2u);
  EXPECT_EQ(n.children[1].kind, NodeKind::Performed);
  EXPECT_EQ(n.children[1].behaviour.event, "c");
}

TEST(ParseSeed, OrThenAnd) {
  // a OR b AND c  ==  a OR (b AND c)
  cohort::Node n = parse_definition(R"([
      {"action":"a","condition":">=","value":1,"logic":"OR"},
      {"action":"b","condition":">=","value":1,"logic":"AND"},
      {"action":"c","condition":">=","value":1,"logic":null}])");
  ASSERT_EQ(n.kind, NodeKind::Any);
  ASSERT_EQ(n.children.size(), 2u);
  EXPECT_EQ(n.children[0].kind, NodeKind::All);
  EXPECT_EQ(n.children[0].children[0].behaviour.event, "b");
  EXPECT_EQ(n.children[0].children[1].behaviour.event, "c");
  EXPECT_EQ(n.children[1].behaviour.event, "a");
}

TEST(ParseSeed, LogicIsCaseInsensitive) {
  const std::string expected = canon(R"({"any":[{"action":"a","condition":">=","value":1},
                                               {"action":"b","condition":">=","value":1}]})");
  for (const char* logic : {"OR", "or", "Or", "oR"}) {
    std::string text = std::string(R"([{"action":"a","condition":">=","value":1,"logic":")") + logic +
                       R"("},{"action":"b","condition":">=","value":1}])";
    EXPECT_EQ(canon(text), expected) << logic;
  }
  EXPECT_EQ(canon(R"([{"action":"a","condition":">=","value":1,"logic":"and"},
                      {"action":"b","condition":">=","value":1}])"),
            canon(R"({"all":[{"action":"a","condition":">=","value":1},
                             {"action":"b","condition":">=","value":1}]})"));
}

TEST(ParseSeed, AbsentLogicMeansAnd) {
  cohort::Node n = parse_definition(R"([{"action":"a","condition":">=","value":1},
                                         {"action":"b","condition":">=","value":1}])");
  EXPECT_EQ(n.kind, NodeKind::All);
  EXPECT_EQ(n.children.size(), 2u);
}

TEST(ParseSeed, AllOrIsAny) {
  cohort::Node n = parse_definition(R"([{"action":"a","condition":">=","value":1,"logic":"OR"},
                                         {"action":"b","condition":">=","value":1,"logic":"OR"},
                                         {"action":"c","condition":">=","value":1}])");
  ASSERT_EQ(n.kind, NodeKind::Any);
  EXPECT_EQ(n.children.size(), 3u);
}

TEST(ParseSeed, EmptyListIsAllTrue) {
  EXPECT_EQ(canon("[]"), R"({"all":[]})");
}

TEST(ParseSeed, TimeframeNullAndBounds) {
  EXPECT_FALSE(parse_definition(R"([{"action":"a","condition":">=","value":1,"timeframe":null}])")
                   .behaviour.days.has_value());
  EXPECT_EQ(*parse_definition(R"([{"action":"a","condition":">=","value":1,"timeframe":1}])").behaviour.days, 1);
  EXPECT_EQ(*parse_definition(R"([{"action":"a","condition":">=","value":1,"timeframe":36600}])").behaviour.days,
            36600);
}

TEST(ParseSeed, PropertyEventsOrAbsentOrNullIsCountStar) {
  const std::string expected = R"({"performed":{"event":"a","aggregate":"count","op":">=","value":1}})";
  EXPECT_EQ(canon(R"([{"action":"a","property":"events","condition":">=","value":1}])"), expected);
  EXPECT_EQ(canon(R"([{"action":"a","property":null,"condition":">=","value":1}])"), expected);
  EXPECT_EQ(canon(R"([{"action":"a","operation":"count","condition":">=","value":1}])"), expected);
}

TEST(ParseSeed, CountOfColumnKeepsProperty) {
  cohort::Node n = parse_definition(R"([{"action":"a","property":"price","condition":">=","value":1}])");
  EXPECT_EQ(n.behaviour.aggregate, Aggregate::Count);
  EXPECT_EQ(n.behaviour.property, "price");
}

TEST(ParseSeed, EveryOperation) {
  const std::pair<const char*, Aggregate> ops[] = {
      {"count", Aggregate::Count}, {"sum", Aggregate::Sum}, {"avg", Aggregate::Avg},
      {"min", Aggregate::Min},     {"max", Aggregate::Max}, {"count_distinct", Aggregate::CountDistinct}};
  for (const auto& [name, agg] : ops) {
    std::string text = std::string(R"([{"action":"a","operation":")") + name +
                       R"(","property":"price","condition":">=","value":1}])";
    cohort::Node n = parse_definition(text);
    EXPECT_EQ(n.behaviour.aggregate, agg) << name;
    EXPECT_EQ(n.behaviour.property, "price") << name;
  }
}

TEST(ParseSeed, EveryCondition) {
  const std::pair<const char*, Comparator> ops[] = {
      {">=", Comparator::Ge}, {">", Comparator::Gt},  {"<=", Comparator::Le},
      {"<", Comparator::Lt},  {"=", Comparator::Eq},  {"==", Comparator::Eq},
      {"!=", Comparator::Ne}, {"<>", Comparator::Ne}};
  for (const auto& [name, op] : ops) {
    std::string text = std::string(R"([{"action":"a","condition":")") + name + R"(","value":2.5}])";
    cohort::Node n = parse_definition(text);
    EXPECT_EQ(n.behaviour.op, op) << name;
    EXPECT_EQ(n.behaviour.value, 2.5) << name;
  }
}

TEST(ParseSeed, Between) {
  cohort::Node n = parse_definition(R"([{"action":"a","operation":"sum","property":"p",
                                          "condition":"between","value":[1.5, 7]}])");
  EXPECT_EQ(n.behaviour.op, Comparator::Between);
  EXPECT_EQ(n.behaviour.value, 1.5);
  EXPECT_EQ(n.behaviour.value2, 7);
  EXPECT_EQ(cohort::write_canonical(n),
            R"({"performed":{"event":"a","aggregate":"sum","property":"p","op":"between","value":[1.5,7]}})");
  // low == high is allowed
  EXPECT_NO_THROW(parse_definition(R"([{"action":"a","condition":"between","value":[3,3]}])"));
}

TEST(ParseSeed, Where) {
  EXPECT_EQ(canon(R"([{"action":"buy","condition":">=","value":1,
                      "where":{"category":["toys","electronics","toys"],"store":7}}])"),
            R"({"performed":{"event":"buy","aggregate":"count","op":">=","value":1,)"
            R"("where":{"category":["electronics","toys"],"store":["7"]}}})");
}

TEST(ParseSeed, KeyOrderDoesNotMatter) {
  EXPECT_EQ(canon(R"([{"value":5,"timeframe":30,"property":"price","operation":"max","condition":"<","action":"x"}])"),
            canon(R"([{"action":"x","operation":"max","property":"price","condition":"<","value":5,"timeframe":30}])"));
}

TEST(ParseSeed, UnicodeEventName) {
  cohort::Node n = parse_definition(R"([{"action":"caf\u00e9 \"ordered\"","condition":">=","value":1}])");
  EXPECT_EQ(n.behaviour.event, "caf\xc3\xa9 \"ordered\"");
  EXPECT_EQ(canon(cohort::write_canonical(n)), cohort::write_canonical(n));
}

}  // namespace
