// The customer criteria seed form: levels plus min_X/max_X or X_range bounds.
#include "test_util.hpp"

#include "core/canonical.hpp"
#include "core/definition.hpp"

using cohort::Level;
using cohort::NodeKind;
using cohort::parse_definition;
using cohort_test::canon;

namespace {

TEST(ParseCriteria, ReadmeExample) {
  EXPECT_EQ(canon(R"({"engagement_level": "high", "churn_risk_level": "low",
                      "min_age": 25, "max_age": 65, "min_total_purchases": 10, "max_total_purchases": 100})"),
            R"({"all":[{"attribute":{"name":"age","min":25,"max":65}},)"
            R"({"attribute":{"name":"total_purchases","min":10,"max":100}},)"
            R"({"churn_risk_level":"low"},{"engagement_level":"high"}]})");
}

TEST(ParseCriteria, EmptyObjectMatchesEveryone) {
  cohort::Node n = parse_definition("{}");
  EXPECT_EQ(n.kind, NodeKind::All);
  EXPECT_TRUE(n.children.empty());
  EXPECT_EQ(cohort::write_canonical(n), R"({"all":[]})");
}

TEST(ParseCriteria, NullOrEmptyLevelMeansAny) {
  EXPECT_EQ(canon(R"({"engagement_level":null,"churn_risk_level":""})"), R"({"all":[]})");
  EXPECT_EQ(canon(R"({"engagement_level":"","churn_risk_level":"medium"})"), R"({"churn_risk_level":"medium"})");
}

TEST(ParseCriteria, Levels) {
  for (auto [name, level] : {std::pair{"high", Level::High}, std::pair{"medium", Level::Medium},
                             std::pair{"low", Level::Low}}) {
    cohort::Node e = parse_definition(std::string(R"({"engagement_level":")") + name + "\"}");
    EXPECT_EQ(e.kind, NodeKind::Engagement);
    EXPECT_EQ(e.level, level);
    cohort::Node c = parse_definition(std::string(R"({"churn_risk_level":")") + name + "\"}");
    EXPECT_EQ(c.kind, NodeKind::ChurnRisk);
    EXPECT_EQ(c.level, level);
  }
}

TEST(ParseCriteria, SingleBound) {
  cohort::Node n = parse_definition(R"({"min_age":18})");
  ASSERT_EQ(n.kind, NodeKind::Attribute);
  EXPECT_EQ(n.range.attribute, "age");
  ASSERT_TRUE(n.range.min.has_value());
  EXPECT_EQ(*n.range.min, 18);
  EXPECT_FALSE(n.range.max.has_value());
  EXPECT_EQ(canon(R"({"max_email_opens":3.5})"), R"({"attribute":{"name":"email_opens","max":3.5}})");
}

TEST(ParseCriteria, NullBoundsGiveNoCondition) {
  EXPECT_EQ(canon(R"({"min_age":null,"max_age":null})"), R"({"all":[]})");
  EXPECT_EQ(canon(R"({"min_age":null,"max_age":40})"), R"({"attribute":{"name":"age","max":40}})");
}

TEST(ParseCriteria, RangeFormEqualsMinMaxForm) {
  for (const char* f : {"age", "total_purchases", "avg_order_value", "days_since_last_purchase",
                        "email_opens", "website_visits"}) {
    std::string field(f);
    std::string a = canon("{\"min_" + field + "\":1,\"max_" + field + "\":2}");
    std::string b = canon("{\"" + field + "_range\":{\"min\":1,\"max\":2}}");
    EXPECT_EQ(a, b) << f;
    EXPECT_EQ(a, "{\"attribute\":{\"name\":\"" + field + "\",\"min\":1,\"max\":2}}");
  }
}

TEST(ParseCriteria, RangeFormPartialAndNull) {
  EXPECT_EQ(canon(R"({"age_range":{"min":30}})"), R"({"attribute":{"name":"age","min":30}})");
  EXPECT_EQ(canon(R"({"age_range":{"min":null,"max":50}})"), R"({"attribute":{"name":"age","max":50}})");
  EXPECT_EQ(canon(R"({"age_range":null})"), R"({"all":[]})");
  EXPECT_EQ(canon(R"({"age_range":{}})"), R"({"all":[]})");
}

TEST(ParseCriteria, MinEqualsMaxAllowed) {
  EXPECT_EQ(canon(R"({"min_age":30,"max_age":30})"), R"({"attribute":{"name":"age","min":30,"max":30}})");
}

TEST(ParseCriteria, NegativeAndFractionalBounds) {
  EXPECT_EQ(canon(R"({"min_avg_order_value":-12.25,"max_avg_order_value":0.1})"),
            R"({"attribute":{"name":"avg_order_value","min":-12.25,"max":0.1}})");
}

TEST(ParseCriteria, AllSixFields) {
  cohort::Node n = parse_definition(R"({"min_age":1,"min_total_purchases":1,"min_avg_order_value":1,
      "min_days_since_last_purchase":1,"min_email_opens":1,"min_website_visits":1})");
  ASSERT_EQ(n.kind, NodeKind::All);
  ASSERT_EQ(n.children.size(), 6u);
  // sorted by canonical text, i.e. by name here
  EXPECT_EQ(n.children[0].range.attribute, "age");
  EXPECT_EQ(n.children[1].range.attribute, "avg_order_value");
  EXPECT_EQ(n.children[5].range.attribute, "website_visits");
}

TEST(ParseCriteria, CriteriaInsideCanonicalGroup) {
  EXPECT_EQ(canon(R"({"any":[{"min_age":60},{"engagement_level":"low","max_age":20}]})"),
            R"({"any":[{"all":[{"attribute":{"name":"age","max":20}},{"engagement_level":"low"}]},)"
            R"({"attribute":{"name":"age","min":60}}]})");
}

TEST(ParseCriteria, NeedsCustomers) {
  EXPECT_TRUE(cohort::needs_customers(parse_definition(R"({"min_age":1})")));
  EXPECT_TRUE(cohort::needs_customers(parse_definition(R"({"churn_risk_level":"low"})")));
  EXPECT_TRUE(cohort::needs_customers(
      parse_definition(R"({"any":[{"action":"a","condition":">=","value":1},{"not":{"engagement_level":"low"}}]})")));
  EXPECT_FALSE(cohort::needs_customers(parse_definition(R"([{"action":"a","condition":">=","value":1}])")));
  EXPECT_FALSE(cohort::needs_customers(parse_definition("{}")));
}

}  // namespace
