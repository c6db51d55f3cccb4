// Human-readable descriptions of definitions.
#include "core/describe.hpp"

#include "core/number_format.hpp"

namespace cohort {
namespace {

// The comparator as a symbol.
std::string symbol(Comparator c, bool unicode) {
  switch (c) {
    case Comparator::Ge: return unicode ? "≥" : ">=";
    case Comparator::Gt: return ">";
    case Comparator::Le: return unicode ? "≤" : "<=";
    case Comparator::Lt: return "<";
    case Comparator::Eq: return "=";
    case Comparator::Ne: return unicode ? "≠" : "!=";
    case Comparator::Between: return "between";
  }
  return "?";
}

std::string describe_behaviour(const Behaviour& b, bool unicode) {
  std::string s;
  if (b.aggregate == Aggregate::Count && b.property.empty())
    s = "count of " + b.event;
  else
    s = std::string(aggregate_name(b.aggregate)) + "(" + b.property + ") of " + b.event;
  for (const PropertyFilter& f : b.where) {
    s += " where " + f.column + (f.values.size() == 1 ? " = " : " in ");
    for (std::size_t i = 0; i < f.values.size(); ++i) s += (i ? ", " : "") + f.values[i];
  }
  if (b.op == Comparator::Between)
    s += " between " + format_number(b.value) + " and " + format_number(b.value2);
  else
    s += " " + symbol(b.op, unicode) + " " + format_number(b.value);
  if (b.days) s += " in " + std::to_string(*b.days) + (*b.days == 1 ? " day" : " days");
  return s;
}

std::string describe_range(const AttributeRange& r, bool unicode) {
  if (r.min && r.max) {
    if (*r.min == *r.max) return r.attribute + " = " + format_number(*r.min);
    return r.attribute + " " + format_number(*r.min) + (unicode ? "–" : "-") + format_number(*r.max);
  }
  if (r.min) return r.attribute + " " + symbol(Comparator::Ge, unicode) + " " + format_number(*r.min);
  return r.attribute + " " + symbol(Comparator::Le, unicode) + " " + format_number(*r.max);
}

}  // namespace

std::string describe_node(const Node& n, bool unicode) {
  switch (n.kind) {
    case NodeKind::All:
    case NodeKind::Any: {
      if (n.children.empty()) return n.kind == NodeKind::All ? "everyone" : "no one";
      std::string s = n.kind == NodeKind::All ? "all of (" : "any of (";
      for (std::size_t i = 0; i < n.children.size(); ++i)
        s += (i ? "; " : "") + describe_node(n.children[i], unicode);
      return s + ")";
    }
    case NodeKind::Not:
      return "not (" + describe_node(n.children.at(0), unicode) + ")";
    case NodeKind::Performed:
      return describe_behaviour(n.behaviour, unicode);
    case NodeKind::Attribute:
      return describe_range(n.range, unicode);
    case NodeKind::Engagement:
      return std::string("engagement: ") + level_name(n.level);
    case NodeKind::ChurnRisk:
      return std::string("churn risk: ") + level_name(n.level);
  }
  return "?";
}

std::vector<std::string> describe_tags(const Node& root, bool unicode) {
  std::vector<std::string> tags;
  if (root.kind == NodeKind::All && !root.children.empty()) {
    for (const Node& c : root.children) tags.push_back(describe_node(c, unicode));
  } else {
    tags.push_back(describe_node(root, unicode));
  }
  return tags;
}

}  // namespace cohort
