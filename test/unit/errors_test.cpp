// Every error path of parsing: kind and the path named in the message.
#include "test_util.hpp"

#include <string>

#include "core/canonical.hpp"
#include "core/json_reader.hpp"
#include "core/limits.hpp"

using cohort::ErrorKind;
using cohort_test::fails_with;

namespace {

constexpr ErrorKind kBad = ErrorKind::InvalidParameter;
constexpr ErrorKind kLimit = ErrorKind::ProgramLimit;

// A valid seed condition with `extra` members appended (extra starts with a comma).
std::string cond(const std::string& extra = {}) {
  return R"({"action":"a","condition":">=","value":1)" + extra + "}";
}

TEST(Errors, MalformedJson) {
  for (const char* text : {"", " ", "[", "{", "{\"all\":[}", "[1,]", "{'a':1}", "nul", "[] []", "{\"a\"}",
                           "\"unterminated", "[1 2]", "{\"all\":[]}x", "\xff"}) {
    EXPECT_TRUE(fails_with(text, ErrorKind::MalformedJson)) << text;
  }
}

TEST(Errors, MalformedJsonHasDetail) {
  try {
    cohort::parse_definition("[1,");
    FAIL() << "no error";
  } catch (const cohort::CohortError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::MalformedJson);
    EXPECT_NE(e.detail().find("byte"), std::string::npos) << e.detail();
  }
}

TEST(Errors, WrongTopLevelType) {
  EXPECT_TRUE(fails_with("1", kBad, "at $"));
  EXPECT_TRUE(fails_with("\"x\"", kBad, "at $"));
  EXPECT_TRUE(fails_with("null", kBad, "at $"));
  EXPECT_TRUE(fails_with("true", kBad, "at $"));
}

TEST(Errors, ListItemNotACondition) {
  EXPECT_TRUE(fails_with("[" + cond() + ",1]", kBad, "at $[1]"));
  EXPECT_TRUE(fails_with("[" + cond() + R"(,{"engagement_level":"high"}])", kBad, "at $[1]"));
}

TEST(Errors, UnknownKeys) {
  EXPECT_TRUE(fails_with("[" + cond() + "," + cond(R"(,"colour":1)") + "]", kBad, "unknown key \"colour\" at $[1]"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"a","op":">=","value":1,"x":1}})", kBad,
                         "unknown key \"x\" at $.performed"));
  EXPECT_TRUE(fails_with(R"({"attribute":{"name":"a","min":1,"x":1}})", kBad, "unknown key \"x\" at $.attribute"));
  EXPECT_TRUE(fails_with(R"({"min_age":1,"favourite":2})", kBad, "unknown key \"favourite\" at $"));
  EXPECT_TRUE(fails_with(R"({"age_range":{"min":1,"low":2}})", kBad, "unknown key \"low\" at $.age_range"));
  EXPECT_TRUE(fails_with(R"({"bogus":[]})", kBad, "unknown key \"bogus\" at $"));
  EXPECT_TRUE(fails_with(R"({"all":[{"engagement_level":"low"}],"any":[]})", kBad,
                         "a condition node has exactly one key, found \"all\" among 2 keys at $"));
  EXPECT_TRUE(fails_with(R"({"min_age":1,"not":{"min_age":2}})", kBad, "exactly one key, found \"not\""));
  EXPECT_TRUE(fails_with(R"({"all":[{"not":{"oops":1}}]})", kBad, "unknown key \"oops\" at $.all[0].not"));
}

TEST(Errors, WrongTypes) {
  EXPECT_TRUE(fails_with("[" + cond(R"(,"include":"yes")") + "]", kBad, "$[0].include"));
  EXPECT_TRUE(fails_with(R"([{"action":5,"condition":">=","value":1}])", kBad, "$[0].action"));
  EXPECT_TRUE(fails_with("[" + cond(R"(,"operation":1)") + "]", kBad, "$[0].operation"));
  EXPECT_TRUE(fails_with("[" + cond(R"(,"property":["p"])") + "]", kBad, "$[0].property"));
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":">=","value":"1"}])", kBad, "$[0].value"));
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":">=","value":null}])", kBad, "$[0].value"));
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":">=","value":[1,2]}])", kBad, "$[0].value"));
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":true,"value":1}])", kBad, "$[0].condition"));
  EXPECT_TRUE(fails_with("[" + cond(R"(,"logic":1)") + "]", kBad, "$[0].logic"));
  EXPECT_TRUE(fails_with("[" + cond(R"(,"where":[1])") + "]", kBad, "$[0].where"));
  EXPECT_TRUE(fails_with(R"({"all":{}})", kBad, "$.all"));
  EXPECT_TRUE(fails_with(R"({"any":"x"})", kBad, "$.any"));
  EXPECT_TRUE(fails_with(R"({"not":[1]})", kBad, "$.not[0]"));
  EXPECT_TRUE(fails_with(R"({"not":5})", kBad, "$.not"));
  EXPECT_TRUE(fails_with(R"({"performed":[]})", kBad, "$.performed"));
  EXPECT_TRUE(fails_with(R"({"attribute":"age"})", kBad, "$.attribute"));
  EXPECT_TRUE(fails_with(R"({"attribute":{"name":"a","min":"1"}})", kBad, "$.attribute.min"));
  EXPECT_TRUE(fails_with(R"({"min_age":"25"})", kBad, "$.min_age"));
  EXPECT_TRUE(fails_with(R"({"max_age":true})", kBad, "$.max_age"));
  EXPECT_TRUE(fails_with(R"({"age_range":[1,2]})", kBad, "$.age_range"));
  EXPECT_TRUE(fails_with(R"({"age_range":{"min":"1"}})", kBad, "$.age_range.min"));
  EXPECT_TRUE(fails_with(R"({"engagement_level":1})", kBad, "$.engagement_level"));
  EXPECT_TRUE(fails_with(R"({"churn_risk_level":["low"]})", kBad, "$.churn_risk_level"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"days":"7"}})", kBad,
                         "$.performed.days"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"where":{"c":{"x":1}}}})", kBad,
                         "$.performed.where.c"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"where":{"c":["a",null]}}})", kBad,
                         "$.performed.where.c[1]"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"where":{"c":[]}}})", kBad,
                         "$.performed.where.c"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"property":null}})", kBad,
                         "$.performed.property"));
}

TEST(Errors, EmptyStrings) {
  EXPECT_TRUE(fails_with(R"([{"action":"","condition":">=","value":1}])", kBad, "$[0].action"));
  EXPECT_TRUE(fails_with(R"({"attribute":{"name":"","min":1}})", kBad, "$.attribute.name"));
}

TEST(Errors, UnknownOperation) {
  EXPECT_TRUE(fails_with("[" + cond() + "," + cond(R"(,"operation":"median","property":"p")") + "]", kBad,
                         "unknown operation \"median\" at $[1].operation"));
  EXPECT_TRUE(fails_with("[" + cond(R"(,"operation":"SUM","property":"p")") + "]", kBad, "$[0].operation"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","aggregate":"total","op":">=","value":1}})", kBad,
                         "$.performed.aggregate"));
}

TEST(Errors, UnknownOperator) {
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":"=>","value":1}])", kBad, "unknown operator \"=>\" at $[0].condition"));
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":"BETWEEN","value":[1,2]}])", kBad, "$[0].condition"));
  EXPECT_TRUE(fails_with(R"({"all":[{"performed":{"event":"e","op":"~","value":1}}]})", kBad, "$.all[0].performed.op"));
}

TEST(Errors, UnknownLevel) {
  EXPECT_TRUE(fails_with(R"({"engagement_level":"extreme"})", kBad, "unknown level \"extreme\" at $.engagement_level"));
  EXPECT_TRUE(fails_with(R"({"churn_risk_level":"none"})", kBad, "$.churn_risk_level"));
  EXPECT_TRUE(fails_with(R"({"any":[{"churn_risk_level":"High"}]})", kBad, "$.any[0].churn_risk_level"));
}

TEST(Errors, UnknownLogic) {
  EXPECT_TRUE(fails_with("[" + cond(R"(,"logic":"XOR")") + "," + cond() + "]", kBad, "unknown logic \"XOR\" at $[0].logic"));
  EXPECT_TRUE(fails_with("[" + cond() + "," + cond(R"(,"logic":"NOT")") + "]", kBad, "$[1].logic"));
  EXPECT_TRUE(fails_with("[" + cond(R"(,"logic":"")") + "," + cond() + "]", kBad, "$[0].logic"));
}

TEST(Errors, LongUnknownNamesAreInvalidNotLimits) {
  // An unknown word is a bad parameter however long it is.
  const std::string longword(100, 'x');
  EXPECT_TRUE(fails_with("[" + cond(R"(,"logic":")" + longword + "\"") + "," + cond() + "]", kBad, "$[0].logic"));
  EXPECT_TRUE(fails_with("[" + cond(R"(,"operation":")" + longword + "\"") + "]", kBad, "$[0].operation"));
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":")" + longword + R"(","value":1}])", kBad, "$[0].condition"));
  EXPECT_TRUE(fails_with(R"({"engagement_level":")" + longword + "\"}", kBad, "$.engagement_level"));
}

TEST(Errors, BadTimeframe) {
  for (const char* tf : {"0", "-1", "1.5", "36601", "\"30\"", "1e9", "true", "[30]"}) {
    EXPECT_TRUE(fails_with("[" + cond() + "," + cond(std::string(R"(,"timeframe":)") + tf) + "]", kBad,
                           "$[1].timeframe"))
        << tf;
  }
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"days":0}})", kBad, "$.performed.days"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"days":36601}})", kBad,
                         "$.performed.days"));
}

TEST(Errors, BadBetween) {
  for (const char* v : {"5", "[1]", "[1,2,3]", "[]", "[\"1\",2]", "[1,null]", "null"}) {
    EXPECT_TRUE(fails_with(std::string(R"([{"action":"a","condition":"between","value":)") + v + "}]", kBad,
                           "$[0].value"))
        << v;
  }
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":"between","value":[5,1]}])", kBad,
                         "between low 5 is above high 1 at $[0].value"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":"between","value":[2,1.5]}})", kBad,
                         "$.performed.value"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":"between","value":[1,"x"]}})", kBad,
                         "$.performed.value[1]"));
}

TEST(Errors, MinAboveMax) {
  EXPECT_TRUE(fails_with(R"({"min_age":65,"max_age":25})", kBad, "min_age 65 is above max_age 25 at $.min_age"));
  EXPECT_TRUE(fails_with(R"({"total_purchases_range":{"min":3,"max":2}})", kBad, "$.total_purchases_range"));
  EXPECT_TRUE(fails_with(R"({"attribute":{"name":"x","min":2,"max":1}})", kBad, "min 2 is above max 1 at $.attribute"));
  EXPECT_TRUE(fails_with(R"({"not":{"attribute":{"name":"x","min":0.5,"max":0.25}}})", kBad, "$.not.attribute"));
}

TEST(Errors, RangeConflictsWithMinMax) {
  EXPECT_TRUE(fails_with(R"({"age_range":{"min":1},"max_age":5})", kBad, "$.age_range"));
}

TEST(Errors, AttributeWithoutBoundsOrName) {
  EXPECT_TRUE(fails_with(R"({"attribute":{"name":"x"}})", kBad, "$.attribute"));
  EXPECT_TRUE(fails_with(R"({"attribute":{"name":"x","min":null,"max":null}})", kBad, "$.attribute"));
  EXPECT_TRUE(fails_with(R"({"attribute":{"min":1}})", kBad, "missing key \"name\" at $.attribute"));
}

TEST(Errors, MissingKeys) {
  EXPECT_TRUE(fails_with(R"([{"action":"a","value":1}])", kBad, "missing key \"condition\" at $[0]"));
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":">="}])", kBad, "missing key \"value\" at $[0]"));
  EXPECT_TRUE(fails_with(R"({"performed":{"op":">=","value":1}})", kBad, "missing key \"event\" at $.performed"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","value":1}})", kBad, "missing key \"op\" at $.performed"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">="}})", kBad, "missing key \"value\" at $.performed"));
}

TEST(Errors, AggregateWithoutProperty) {
  for (const char* op : {"sum", "avg", "min", "max", "count_distinct"}) {
    EXPECT_TRUE(fails_with(std::string(R"([{"action":"a","operation":")") + op + R"(","condition":">=","value":1}])",
                           kBad, "needs a property column at $[0]"))
        << op;
    EXPECT_TRUE(fails_with(std::string(R"([{"action":"a","operation":")") + op +
                               R"(","property":"events","condition":">=","value":1}])",
                           kBad, "$[0]"))
        << op;
    EXPECT_TRUE(fails_with(std::string(R"({"performed":{"event":"e","aggregate":")") + op + R"(","op":">=","value":1}})",
                           kBad, "at $.performed"))
        << op;
  }
}

TEST(Errors, DuplicateKey) {
  EXPECT_TRUE(fails_with(R"([{"action":"a","action":"b","condition":">=","value":1}])", kBad, "duplicate key \"action\" at $[0]"));
  EXPECT_TRUE(fails_with(R"({"min_age":1,"min_age":2})", kBad, "duplicate key \"min_age\" at $"));
  EXPECT_TRUE(fails_with(R"({"all":[{"min_age":1},{"not":{"engagement_level":"low","engagement_level":"low"}}]})",
                         kBad, "duplicate key \"engagement_level\" at $.all[1].not"));
  EXPECT_TRUE(fails_with(R"([1,[2,3],{"a":{"b":[4,{"c":1,"c":2}]}}])", kBad, "duplicate key \"c\" at $[2].a.b[1]"));
  // The same key in sibling objects is fine.
  EXPECT_NO_THROW(cohort::parse_definition(R"({"all":[{"min_age":1},{"min_age":2}]})"));
  // And in nested objects.
  EXPECT_NO_THROW(cohort::parse_definition(R"({"age_range":{"min":1},"total_purchases_range":{"min":1}})"));
}

TEST(Errors, NulInString) {
  EXPECT_TRUE(fails_with(R"([{"action":"a\u0000b","condition":">=","value":1}])", kBad, "NUL character at $[0].action"));
  EXPECT_TRUE(fails_with(R"({"attribute":{"name":"a\u0000","min":1}})", kBad, "$.attribute.name"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"where":{"c":"x\u0000"}}})", kBad,
                         "$.performed.where.c"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"where":{"c\u0000":"x"}}})", kBad,
                         "$.performed.where"));
}

TEST(Errors, NonFiniteNumber) {
  EXPECT_TRUE(fails_with(R"([{"action":"a","condition":">=","value":1e400}])", kBad, "not finite at $[0].value"));
  EXPECT_TRUE(fails_with(R"({"min_age":-1e999})", kBad, "at $.min_age"));
  EXPECT_TRUE(fails_with(R"({"all":[{"min_age":1},[{"action":"a","condition":"between","value":[1,2e308]}]]})", kBad,
                         "not finite at $.all[1][0].value[1]"));
}

TEST(Errors, ListValueNeedsBetween) {
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":"=","value":[1,2]}})", kBad, "between"));
}

// ----- limits -----

TEST(Limits, TextSize) {
  std::string ok = "[" + cond() + "]";
  ok.append(cohort::limits::kMaxInputBytes - ok.size(), ' ');
  ASSERT_EQ(ok.size(), cohort::limits::kMaxInputBytes);
  EXPECT_NO_THROW(cohort::parse_definition(ok));
  EXPECT_TRUE(fails_with(ok + " ", kLimit, "too long"));
  EXPECT_TRUE(fails_with(std::string(2 * cohort::limits::kMaxInputBytes, '['), kLimit));
}

// `levels` nested arrays around an empty criteria object inside a canonical "not" chain is
// awkward; plain arrays suffice to test JSON nesting.
TEST(Limits, JsonNesting) {
  auto nested = [](std::size_t levels) {
    // levels-1 arrays around an object; the object is a valid (empty) criteria only at top.
    return std::string(levels - 1, '[') + "{}" + std::string(levels - 1, ']');
  };
  // 64 levels: parses as JSON (then fails as a definition for a non-limit reason).
  EXPECT_TRUE(fails_with(nested(64), kBad));
  EXPECT_TRUE(fails_with(nested(65), kLimit, "nested too deeply"));
  // Unbalanced deep input still reports the limit, not malformed JSON, once depth is exceeded.
  EXPECT_TRUE(fails_with(std::string(100, '['), kLimit));
}

TEST(Limits, GroupNesting) {
  auto nots = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += R"({"not":)";
    s += R"({"churn_risk_level":"low"})";
    s += std::string(n, '}');
    return s;
  };
  EXPECT_NO_THROW(cohort::parse_definition(nots(32)));
  EXPECT_TRUE(fails_with(nots(33), kLimit, "nested too deeply"));
  // 32 nots is an even number of negations: normalizes to the leaf itself.
  EXPECT_EQ(cohort_test::canon(nots(32)), R"({"churn_risk_level":"low"})");
  EXPECT_EQ(cohort_test::canon(nots(31)), R"({"not":{"churn_risk_level":"low"}})");
}

TEST(Limits, ConditionCount) {
  auto list = [](int n) {
    std::string s = "[";
    for (int i = 0; i < n; ++i) {
      if (i) s += ',';
      s += R"({"action":"e)" + std::to_string(i) + R"(","condition":">=","value":1})";
    }
    return s + "]";
  };
  EXPECT_NO_THROW(cohort::parse_definition(list(1000)));
  EXPECT_TRUE(fails_with(list(1001), kLimit, "too many conditions"));
  // Criteria leaves count too.
  std::string s = "[" + list(999).substr(1);
  s = R"({"all":[)" + list(999) + R"(,{"min_age":1,"max_email_opens":4}]})";
  EXPECT_TRUE(fails_with(s, kLimit, "too many conditions"));
  s = R"({"all":[)" + list(999) + R"(,{"min_age":1}]})";
  EXPECT_NO_THROW(cohort::parse_definition(s));
}

TEST(Limits, ColumnName) {
  const std::string ok(63, 'c'), bad(64, 'c');
  EXPECT_NO_THROW(cohort::parse_definition(R"([{"action":"a","operation":"sum","property":")" + ok +
                                           R"(","condition":">=","value":1}])"));
  EXPECT_TRUE(fails_with(R"([{"action":"a","operation":"sum","property":")" + bad + R"(","condition":">=","value":1}])",
                         kLimit, "$[0].property"));
  EXPECT_NO_THROW(cohort::parse_definition(R"({"attribute":{"name":")" + ok + R"(","min":1}})"));
  EXPECT_TRUE(fails_with(R"({"attribute":{"name":")" + bad + R"(","min":1}})", kLimit, "$.attribute.name"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"where":{")" + bad + R"(":"x"}}})",
                         kLimit, "$.performed.where"));
  // Multibyte: 32 two-byte characters are 64 bytes.
  std::string multi;
  for (int i = 0; i < 32; ++i) multi += "\xc3\xa9";
  EXPECT_TRUE(fails_with(R"({"attribute":{"name":")" + multi + R"(","min":1}})", kLimit));
}

TEST(Limits, EventNameAndFilterValue) {
  const std::string ok(1000, 'e'), bad(1001, 'e');
  EXPECT_NO_THROW(cohort::parse_definition(R"([{"action":")" + ok + R"(","condition":">=","value":1}])"));
  EXPECT_TRUE(fails_with(R"([{"action":")" + bad + R"(","condition":">=","value":1}])", kLimit, "$[0].action"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":")" + bad + R"(","op":">=","value":1}})", kLimit,
                         "$.performed.event"));
  EXPECT_NO_THROW(cohort::parse_definition(R"({"performed":{"event":"e","op":">=","value":1,"where":{"c":")" + ok +
                                           R"("}}})"));
  EXPECT_TRUE(fails_with(R"({"performed":{"event":"e","op":">=","value":1,"where":{"c":[")" + bad + R"("]}}})",
                         kLimit, "$.performed.where.c[0]"));
}

TEST(Limits, FilterValueCount) {
  auto filter = [](int n) {
    std::string s = R"({"performed":{"event":"e","op":">=","value":1,"where":{"c":[)";
    for (int i = 0; i < n; ++i) s += (i ? "," : "") + std::to_string(i);
    return s + "]}}}";
  };
  EXPECT_NO_THROW(cohort::parse_definition(filter(1000)));
  EXPECT_TRUE(fails_with(filter(1001), kLimit, "$.performed.where.c"));
}

}  // namespace

namespace {

// Error details quote the input; they must stay printable ASCII even for invalid UTF-8.
TEST(Errors, DetailsArePrintableAscii) {
  for (const char* text : {"\"\xff\"", "[\"a\xc3\"]", "{\"a\":1e400}", "[1,\x01]", "{\"a\":\"\t\"}"}) {
    try {
      cohort::parse_definition(text);
      ADD_FAILURE() << "no error for " << text;
    } catch (const cohort::CohortError& e) {
      for (unsigned char c : e.detail()) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << int(c) << " in " << e.detail();
      EXPECT_EQ(e.detail().find("[json.exception"), std::string::npos) << e.detail();
    }
  }
}

}  // namespace
