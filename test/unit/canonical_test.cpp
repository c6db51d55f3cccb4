// Normal form and the canonical writer: same meaning gives the same text, and text round-trips.
#include "test_util.hpp"

#include <cmath>
#include <limits>

#include "core/canonical.hpp"
#include "core/definition.hpp"
#include "core/number_format.hpp"

using cohort::Node;
using cohort::NodeKind;
using cohort::parse_definition;
using cohort::write_canonical;
using cohort_test::canon;

namespace {

const char* const A = R"({"performed":{"event":"a","aggregate":"count","op":">=","value":1}})";
const char* const B = R"({"performed":{"event":"b","aggregate":"count","op":">=","value":1}})";
const char* const C = R"({"performed":{"event":"c","aggregate":"count","op":">=","value":1}})";

std::string all(const std::string& x, const std::string& y) { return R"({"all":[)" + x + "," + y + "]}"; }
std::string any(const std::string& x, const std::string& y) { return R"({"any":[)" + x + "," + y + "]}"; }
std::string neg(const std::string& x) { return R"({"not":)" + x + "}"; }

TEST(Canonical, IncludeFalseBecomesNot) {
  EXPECT_EQ(canon(R"([{"include":false,"action":"a","condition":">=","value":1}])"), neg(A));
}

TEST(Canonical, DoubleNegationRemoved) {
  EXPECT_EQ(canon(neg(neg(A))), A);
  EXPECT_EQ(canon(neg(neg(neg(A)))), neg(A));
  EXPECT_EQ(canon(R"({"not":[{"include":false,"action":"a","condition":">=","value":1}]})"), A);
  // Through a single-child group.
  EXPECT_EQ(canon(R"({"not":{"all":[{"not":)" + std::string(A) + "}]}}"), A);
}

TEST(Canonical, NotOfGroupKept) {
  EXPECT_EQ(canon(neg(all(A, B))), neg(all(A, B)));
}

TEST(Canonical, FlattensSameKind) {
  EXPECT_EQ(canon(all(A, all(B, C))), R"({"all":[)" + std::string(A) + "," + B + "," + C + "]}");
  EXPECT_EQ(canon(any(any(C, B), A)), R"({"any":[)" + std::string(A) + "," + B + "," + C + "]}");
  // Different kinds are not flattened.
  EXPECT_EQ(canon(all(A, any(B, C))), all(any(B, C), A));
  // Flattening after double negation removal.
  EXPECT_EQ(canon(all(A, neg(neg(all(B, C))))), R"({"all":[)" + std::string(A) + "," + B + "," + C + "]}");
  // Empty inner all vanishes in an all (all of nothing is true).
  EXPECT_EQ(canon(all(A, R"({"all":[]})")), A);
}

TEST(Canonical, SortsAndDeduplicatesChildren) {
  EXPECT_EQ(canon(all(B, A)), all(A, B));
  EXPECT_EQ(canon(any(B, A)), any(A, B));
  EXPECT_EQ(canon(all(A, A)), A);
  EXPECT_EQ(canon(R"({"any":[)" + std::string(C) + "," + A + "," + C + "," + B + "," + A + "]}"),
            R"({"any":[)" + std::string(A) + "," + B + "," + C + "]}");
  // Duplicates that differ only in how they were written.
  EXPECT_EQ(canon(R"({"all":[{"action":"a","condition":">=","value":1.0},)" + std::string(A) + "]}"), A);
}

TEST(Canonical, SingleChildGroupCollapses) {
  EXPECT_EQ(canon(R"({"all":[)" + std::string(A) + "]}"), A);
  EXPECT_EQ(canon(R"({"any":[)" + std::string(A) + "]}"), A);
  EXPECT_EQ(canon(R"({"any":[{"all":[{"any":[)" + std::string(A) + "]}]}]}"), A);
  Node n = parse_definition(R"({"all":[)" + std::string(A) + "]}");
  EXPECT_EQ(n.kind, NodeKind::Performed);
}

TEST(Canonical, EmptyGroupsKept) {
  EXPECT_EQ(canon(R"({"all":[{"any":[]},{"any":[]}]})"), R"({"any":[]})");
  EXPECT_EQ(canon(R"({"any":[{"all":[]}]})"), R"({"all":[]})");
  EXPECT_EQ(canon(all(A, R"({"any":[]})")), R"({"all":[{"any":[]},)" + std::string(A) + "]}");
}

TEST(Canonical, OperatorSpellings) {
  EXPECT_EQ(canon(R"([{"action":"a","condition":"==","value":1}])"), canon(R"([{"action":"a","condition":"=","value":1}])"));
  EXPECT_EQ(canon(R"([{"action":"a","condition":"==","value":1}])"),
            R"({"performed":{"event":"a","aggregate":"count","op":"=","value":1}})");
  EXPECT_EQ(canon(R"([{"action":"a","condition":"<>","value":1}])"),
            R"({"performed":{"event":"a","aggregate":"count","op":"!=","value":1}})");
  EXPECT_EQ(canon(R"({"performed":{"event":"a","op":"<>","value":1}})"),
            R"({"performed":{"event":"a","aggregate":"count","op":"!=","value":1}})");
}

TEST(Canonical, CountOfEventsOmitsProperty) {
  EXPECT_EQ(canon(R"([{"action":"a","operation":"count","property":"events","condition":">=","value":1}])"), A);
}

TEST(Canonical, ShortestNumbers) {
  EXPECT_EQ(canon(R"([{"action":"a","condition":">=","value":1.50}])"),
            R"({"performed":{"event":"a","aggregate":"count","op":">=","value":1.5}})");
  EXPECT_EQ(canon(R"([{"action":"a","condition":">=","value":1e2}])"), canon(R"([{"action":"a","condition":">=","value":100}])"));
  EXPECT_EQ(canon(R"([{"action":"a","condition":">=","value":0.1}])"),
            R"({"performed":{"event":"a","aggregate":"count","op":">=","value":0.1}})");
  EXPECT_EQ(canon(R"({"min_age":1e21})"), R"({"attribute":{"name":"age","min":1e+21}})");
  EXPECT_EQ(canon(R"({"min_age":1.0e-7})"), R"({"attribute":{"name":"age","min":1e-07}})");
  EXPECT_EQ(canon(R"({"min_age":-2.50E+1})"), R"({"attribute":{"name":"age","min":-25}})");
}

TEST(Canonical, NegativeZeroIsZero) {
  EXPECT_EQ(canon(R"([{"action":"a","condition":">=","value":-0.0}])"),
            R"({"performed":{"event":"a","aggregate":"count","op":">=","value":0}})");
  EXPECT_EQ(canon(R"([{"action":"a","condition":">=","value":-0}])"), canon(R"([{"action":"a","condition":">=","value":0}])"));
  EXPECT_EQ(canon(R"({"attribute":{"name":"x","min":-0.0,"max":-0.0}})"), R"({"attribute":{"name":"x","min":0,"max":0}})");
  EXPECT_EQ(canon(R"([{"action":"a","condition":"between","value":[-0.0,0]}])"),
            R"({"performed":{"event":"a","aggregate":"count","op":"between","value":[0,0]}})");
}

TEST(Canonical, FilterValuesSortedAndDeduplicated) {
  EXPECT_EQ(canon(R"({"performed":{"event":"e","op":">=","value":1,"where":{"z":["b","a","b",1,1.0,"1"],"a":"x"}}})"),
            R"({"performed":{"event":"e","aggregate":"count","op":">=","value":1,"where":{"a":["x"],"z":["1","a","b"]}}})");
}

TEST(Canonical, StringEscaping) {
  std::string text = canon(R"([{"action":"say \"hi\"\\\n\t\u0001/\u00e9","condition":">=","value":1}])");
  EXPECT_EQ(text, "{\"performed\":{\"event\":\"say \\\"hi\\\"\\\\\\n\\t\\u0001/\xc3\xa9\",\"aggregate\":\"count\","
                  "\"op\":\">=\",\"value\":1}}");
  EXPECT_EQ(canon(text), text);
}

TEST(Canonical, NumberFormat) {
  EXPECT_EQ(cohort::format_number(0), "0");
  EXPECT_EQ(cohort::format_number(-0.0), "0");
  EXPECT_EQ(cohort::format_number(1), "1");
  EXPECT_EQ(cohort::format_number(-3), "-3");
  EXPECT_EQ(cohort::format_number(0.1), "0.1");
  EXPECT_EQ(cohort::format_number(10000), "10000");
  EXPECT_EQ(cohort::format_number(123456789012), "123456789012");
  EXPECT_EQ(cohort::format_number(1.0 / 3), "0.3333333333333333");
  for (double v : {0.1, 1.0 / 3, 2.0 / 3, 1e300, 5e-324, 123.456, -9007199254740993.0, 0.30000000000000004,
                   std::numeric_limits<double>::max(), std::numeric_limits<double>::min()}) {
    EXPECT_EQ(std::strtod(cohort::format_number(v).c_str(), nullptr), v) << v;
  }
}

// parse(write(parse(x))) == parse(x), textually.
TEST(Canonical, RoundTrip) {
  const char* inputs[] = {
      R"([{"include": true, "action": "payment_successful", "operation": "sum", "property": "price",
           "condition": ">=", "value": 10000, "timeframe": 365, "logic": "AND"},
          {"include": false, "action": "payment_successful", "operation": "count", "property": "events",
           "condition": ">=", "value": 1, "timeframe": 90, "logic": null}])",
      R"({"engagement_level": "high", "churn_risk_level": "low", "min_age": 25, "max_age": 65,
          "min_total_purchases": 10, "max_total_purchases": 100})",
      R"({})",
      R"([])",
      R"({"any":[]})",
      R"({"not":{"all":[]}})",
      R"([{"action":"a","condition":">=","value":1,"logic":"or"},{"action":"b","condition":"between","value":[1,2]},
          {"action":"c","operation":"avg","property":"p","condition":"<","value":0.3,"timeframe":1}])",
      R"({"performed":{"event":"e","aggregate":"count_distinct","property":"page","op":"=","value":3,"days":36600,
          "where":{"b":[true,false],"a":[3,1.5,"x"]}}})",
      R"({"any":[{"not":{"min_days_since_last_purchase":30}},{"all":[{"website_visits_range":{"max":5}},
          {"attribute":{"name":"ltv","min":-1.25}}]},{"churn_risk_level":"medium"}]})",
      R"({"all":[{"not":{"not":{"any":[{"engagement_level":"low"},{"engagement_level":"medium"}]}}},
          [{"action":"x","condition":"!=","value":1e-5,"where":{"k":"v"}}]]})",
      R"({"performed":{"event":"e","aggregate":"min","property":"p","op":"<=","value":-7}})",
      R"({"performed":{"event":"e","aggregate":"max","property":"p","op":">","value":123456.789}})",
  };
  for (const char* input : inputs) {
    const std::string once = canon(input);
    EXPECT_EQ(canon(once), once) << input;
    // write(normalize(tree)) is stable too.
    EXPECT_EQ(write_canonical(cohort::normalize(parse_definition(once))), once) << input;
    // No white space outside strings in these inputs.
    EXPECT_EQ(once.find(' '), std::string::npos) << once;
  }
}

// Same meaning written differently gives identical text.
TEST(Canonical, SameMeaningSameText) {
  const std::vector<std::vector<std::string>> groups = {
      {R"([{"action":"a","condition":">=","value":1,"timeframe":7},{"action":"b","condition":"<","value":2}])",
       R"([{"action":"b","condition":"<","value":2.0,"logic":"and"},{"timeframe":7,"value":1,"condition":">=","action":"a"}])",
       R"({"all":[{"performed":{"event":"b","op":"<","value":2}},{"performed":{"event":"a","op":">=","value":1,"days":7}}]})",
       R"({"all":[{"all":[{"performed":{"event":"b","op":"<","value":2}}]},{"not":{"not":{"action":"a","condition":">=","value":1,"timeframe":7}}}]})"},
      {R"({"min_age":25,"max_age":65})", R"({"age_range":{"min":25,"max":65}})",
       R"({"attribute":{"max":65,"name":"age","min":25}})", R"({"attribute":{"name":"age","min":25.0,"max":6.5e1}})"},
      {R"({"engagement_level":"high","churn_risk_level":"low"})",
       R"({"churn_risk_level":"low","engagement_level":"high"})",
       R"({"all":[{"churn_risk_level":"low"},{"engagement_level":"high"},{"churn_risk_level":"low"}]})"},
      {R"([{"action":"a","condition":"<>","value":0},{"action":"b","condition":"==","value":0,"logic":"OR"},{"action":"c","condition":">","value":0}])",
       R"({"any":[{"all":[{"performed":{"event":"b","op":"=","value":0}},{"performed":{"event":"a","op":"!=","value":-0}}]},{"performed":{"event":"c","op":">","value":0}}]})"},
      {R"({"performed":{"event":"e","op":">=","value":1,"where":{"c":["y","x"],"b":true}}})",
       R"({"performed":{"event":"e","op":">=","value":1,"where":{"b":["true"],"c":["x","y","x"]}}})"},
      {R"({"all":[]})", R"([])", R"({})", R"({"engagement_level":null,"min_age":null})", R"({"all":[{"all":[]},{}]})"},
  };
  for (const auto& group : groups) {
    const std::string first = canon(group[0]);
    for (const auto& text : group) EXPECT_EQ(canon(text), first) << text;
  }
}

TEST(Canonical, DifferentMeaningDifferentText) {
  EXPECT_NE(canon(all(A, B)), canon(any(A, B)));
  EXPECT_NE(canon(A), canon(neg(A)));
  EXPECT_NE(canon(R"([{"action":"a","condition":">=","value":1,"timeframe":7}])"),
            canon(R"([{"action":"a","condition":">=","value":1,"timeframe":8}])"));
  EXPECT_NE(canon(R"([{"action":"a","property":"p","condition":">=","value":1}])"),
            canon(R"([{"action":"a","condition":">=","value":1}])"));
}

TEST(Canonical, NormalizeIsIdempotentOnTrees) {
  Node n = Node::group(NodeKind::Any, {});
  n.children.push_back(Node::negate(Node::negate(parse_definition(B))));
  n.children.push_back(Node::group(NodeKind::Any, {parse_definition(A), parse_definition(B)}));
  Node once = cohort::normalize(n);
  EXPECT_EQ(write_canonical(once), any(A, B));
  EXPECT_EQ(write_canonical(cohort::normalize(once)), any(A, B));
}

}  // namespace
