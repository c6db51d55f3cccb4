// Reads the customer-criteria seed form: levels plus min_X/max_X (or X_range) bounds.
#include <map>

#include "core/number_format.hpp"
#include "core/parse_context.hpp"

namespace cohort {
namespace {

const char* const kRangeFields[] = {"age", "total_purchases", "avg_order_value",
                                    "days_since_last_purchase", "email_opens", "website_visits"};

// Reads a level key, where null or "" means "any level" (no condition).
bool read_optional_level(const Json& j, const std::string& path, Level& out) {
  if (j.is_null() || (j.is_string() && j.get_ref<const std::string&>().empty())) return false;
  out = read_level(j, path);
  return true;
}

}  // namespace

Node ParseContext::criteria(const Json& obj, const std::string& path) {
  std::vector<Node> parts;
  Level level;
  if (obj.contains("engagement_level") &&
      read_optional_level(obj["engagement_level"], member_path(path, "engagement_level"), level)) {
    count_leaf();
    Node n;
    n.kind = NodeKind::Engagement;
    n.level = level;
    parts.push_back(n);
  }
  if (obj.contains("churn_risk_level") &&
      read_optional_level(obj["churn_risk_level"], member_path(path, "churn_risk_level"), level)) {
    count_leaf();
    Node n;
    n.kind = NodeKind::ChurnRisk;
    n.level = level;
    parts.push_back(n);
  }
  for (const char* field : kRangeFields) {
    const std::string f(field), min_key = "min_" + f, max_key = "max_" + f, range_key = f + "_range";
    AttributeRange r;
    r.attribute = f;
    std::string min_path, max_path;
    if (obj.contains(range_key)) {
      const std::string sub = member_path(path, range_key);
      if (obj.contains(min_key) || obj.contains(max_key))
        fail_invalid("\"" + range_key + "\" conflicts with \"" + min_key + "\"/\"" + max_key + "\"", sub);
      const Json& body = obj[range_key];
      if (!body.is_null()) {
        expect_object(body, sub);
        for (auto it = body.begin(); it != body.end(); ++it) {
          if (it.key() == "min") r.min = read_optional_number(*it, member_path(sub, "min"));
          else if (it.key() == "max") r.max = read_optional_number(*it, member_path(sub, "max"));
          else fail_unknown_key(it.key(), sub, "min, max");
        }
      }
      min_path = max_path = sub;
    } else {
      if (obj.contains(min_key)) r.min = read_optional_number(obj[min_key], member_path(path, min_key));
      if (obj.contains(max_key)) r.max = read_optional_number(obj[max_key], member_path(path, max_key));
      min_path = member_path(path, min_key);
    }
    if (r.min && r.max && *r.min > *r.max)
      fail_invalid(min_key + " " + format_number(*r.min) + " is above " + max_key + " " +
                       format_number(*r.max),
                   min_path);
    if (r.min || r.max) {
      count_leaf();
      Node n;
      n.kind = NodeKind::Attribute;
      n.range = r;
      parts.push_back(n);
    }
  }
  return Node::group(NodeKind::All, std::move(parts));
}

}  // namespace cohort
