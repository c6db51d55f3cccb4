// Reads the canonical form: {"all"|"any": [...]}, {"not": node}, {"performed"|"attribute": {...}}.
#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/limits.hpp"
#include "core/number_format.hpp"
#include "core/parse_context.hpp"

namespace cohort {
namespace {

const char* const kCanonicalKeys = "all, any, not, performed, attribute, engagement_level, "
                                   "churn_risk_level; or a seed condition list, condition or "
                                   "criteria object";

// True for keys of the seed's criteria object.
bool is_criteria_key(const std::string& k) {
  static const char* const kFields[] = {"age", "total_purchases", "avg_order_value",
                                        "days_since_last_purchase", "email_opens",
                                        "website_visits"};
  if (k == "engagement_level" || k == "churn_risk_level") return true;
  for (const char* f : kFields) {
    if (k == std::string("min_") + f || k == std::string("max_") + f ||
        k == std::string(f) + "_range")
      return true;
  }
  return false;
}

}  // namespace

void ParseContext::count_leaf() {
  if (++leaves_ > limits::kMaxConditions)
    throw CohortError(ErrorKind::ProgramLimit, "cohort definition has too many conditions",
                      "The limit is " + std::to_string(limits::kMaxConditions) + " conditions.");
}

Node ParseContext::node(const Json& j, const std::string& path, std::size_t depth) {
  if (depth > limits::kMaxTreeDepth)
    throw CohortError(ErrorKind::ProgramLimit, "cohort definition is nested too deeply at " + path,
                      "Groups nest at most " + std::to_string(limits::kMaxTreeDepth) + " levels.");
  if (j.is_array()) return seed_list(j, path, depth);
  if (!j.is_object())
    fail_invalid("expected a condition object or list, found " + describe(j), path);
  if (j.contains("action")) return seed_condition(j, path);
  if (j.empty()) return criteria(j, path);
  if (j.size() == 1) {
    const std::string& key = j.begin().key();
    const Json& body = j.begin().value();
    const std::string sub = member_path(path, key);
    if (key == "all" || key == "any") {
      if (!body.is_array()) fail_invalid("expected a list of conditions, found " + describe(body), sub);
      std::vector<Node> children;
      for (std::size_t i = 0; i < body.size(); ++i)
        children.push_back(node(body[i], element_path(sub, i), depth + 1));
      return Node::group(key == "all" ? NodeKind::All : NodeKind::Any, std::move(children));
    }
    if (key == "not") return Node::negate(node(body, sub, depth + 1));
    if (key == "performed") return performed(body, sub);
    if (key == "attribute") return attribute(body, sub);
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "all" || k == "any" || k == "not" || k == "performed" || k == "attribute")
      fail_invalid("a condition node has exactly one key, found \"" + k + "\" among " +
                       std::to_string(j.size()) + " keys",
                   path, "Wrap several conditions in {\"all\": [...]} or {\"any\": [...]}.");
    if (!is_criteria_key(k)) fail_unknown_key(k, path, kCanonicalKeys);
  }
  return criteria(j, path);
}

Node ParseContext::performed(const Json& obj, const std::string& path) {
  expect_object(obj, path);
  count_leaf();
  Node n;
  n.kind = NodeKind::Performed;
  Behaviour& b = n.behaviour;
  bool has_event = false, has_op = false, has_value = false;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    const std::string sub = member_path(path, k);
    if (k == "event") { b.event = read_string(*it, sub, limits::kMaxTextBytes); has_event = true; }
    else if (k == "aggregate") b.aggregate = read_aggregate(*it, sub);
    else if (k == "property") b.property = read_column_name(*it, sub);
    else if (k == "op") { b.op = read_comparator(*it, sub); has_op = true; }
    else if (k == "value") has_value = true;
    else if (k == "days") { if (!it->is_null()) b.days = read_days(*it, sub); }
    else if (k == "where") b.where = where(*it, sub);
    else fail_unknown_key(k, path, "event, aggregate, property, op, value, days, where");
  }
  if (!has_event) fail_invalid("missing key \"event\"", path);
  if (!has_op) fail_invalid("missing key \"op\"", path);
  if (!has_value) fail_invalid("missing key \"value\"", path);
  read_comparison_value(obj["value"], member_path(path, "value"), b);
  check_property(b, path);
  return n;
}

Node ParseContext::attribute(const Json& obj, const std::string& path) {
  expect_object(obj, path);
  count_leaf();
  Node n;
  n.kind = NodeKind::Attribute;
  bool has_name = false;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    const std::string sub = member_path(path, k);
    if (k == "name") { n.range.attribute = read_column_name(*it, sub); has_name = true; }
    else if (k == "min") n.range.min = read_optional_number(*it, sub);
    else if (k == "max") n.range.max = read_optional_number(*it, sub);
    else fail_unknown_key(k, path, "name, min, max");
  }
  if (!has_name) fail_invalid("missing key \"name\"", path);
  if (!n.range.min && !n.range.max) fail_invalid("an attribute range needs \"min\" or \"max\"", path);
  if (n.range.min && n.range.max && *n.range.min > *n.range.max)
    fail_invalid("min " + format_number(*n.range.min) + " is above max " +
                     format_number(*n.range.max),
                 path);
  return n;
}

std::vector<PropertyFilter> ParseContext::where(const Json& obj, const std::string& path) {
  expect_object(obj, path);
  std::vector<PropertyFilter> filters;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string sub = member_path(path, it.key());
    PropertyFilter f;
    f.column = read_column_name(Json(it.key()), path);
    const Json& v = *it;
    std::vector<const Json*> items;
    if (v.is_array()) {
      if (v.empty()) fail_invalid("a filter needs at least one value", sub);
      if (v.size() > limits::kMaxFilterValues)
        throw CohortError(ErrorKind::ProgramLimit, "too many filter values at " + sub,
                          "The limit is " + std::to_string(limits::kMaxFilterValues) + ".");
      for (const Json& e : v) items.push_back(&e);
    } else {
      items.push_back(&v);
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const Json& e = *items[i];
      const std::string esub = v.is_array() ? element_path(sub, i) : sub;
      if (e.is_string()) f.values.push_back(read_string(e, esub, limits::kMaxTextBytes));
      else if (e.is_boolean()) f.values.push_back(e.get<bool>() ? "true" : "false");
      else if (e.is_number()) f.values.push_back(format_number(read_number(e, esub)));
      else fail_invalid("a filter value must be a string, number or boolean, found " + describe(e), esub);
    }
    std::sort(f.values.begin(), f.values.end());
    f.values.erase(std::unique(f.values.begin(), f.values.end()), f.values.end());
    filters.push_back(std::move(f));
  }
  // nlohmann objects iterate in key order, so filters are sorted by column already.
  return filters;
}

}  // namespace cohort
