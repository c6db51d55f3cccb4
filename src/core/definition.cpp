// Small helpers of the definition model.
#include "core/definition.hpp"

namespace cohort {

Node Node::group(NodeKind kind, std::vector<Node> children) {
  Node n;
  n.kind = kind;
  n.children = std::move(children);
  return n;
}

Node Node::negate(Node child) {
  Node n;
  n.kind = NodeKind::Not;
  n.children.push_back(std::move(child));
  return n;
}

const char* aggregate_name(Aggregate a) {
  switch (a) {
    case Aggregate::Count: return "count";
    case Aggregate::Sum: return "sum";
    case Aggregate::Avg: return "avg";
    case Aggregate::Min: return "min";
    case Aggregate::Max: return "max";
    case Aggregate::CountDistinct: return "count_distinct";
  }
  return "?";
}

const char* comparator_name(Comparator c) {
  switch (c) {
    case Comparator::Ge: return ">=";
    case Comparator::Gt: return ">";
    case Comparator::Le: return "<=";
    case Comparator::Lt: return "<";
    case Comparator::Eq: return "=";
    case Comparator::Ne: return "!=";
    case Comparator::Between: return "between";
  }
  return "?";
}

const char* level_name(Level l) {
  switch (l) {
    case Level::Low: return "low";
    case Level::Medium: return "medium";
    case Level::High: return "high";
  }
  return "?";
}

bool needs_customers(const Node& node) {
  switch (node.kind) {
    case NodeKind::Attribute:
    case NodeKind::Engagement:
    case NodeKind::ChurnRisk:
      return true;
    case NodeKind::Performed:
      return false;
    default:
      for (const Node& c : node.children)
        if (needs_customers(c)) return true;
      return false;
  }
}

}  // namespace cohort
