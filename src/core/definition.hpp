// The cohort definition model: a tree of all/any/not groups over condition leaves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cohort {

// How a behavioural leaf folds a user's matching events into one number.
enum class Aggregate { Count, Sum, Avg, Min, Max, CountDistinct };

// How a folded number is compared with the leaf's value.
enum class Comparator { Ge, Gt, Le, Lt, Eq, Ne, Between };

// Engagement or churn-risk level.
enum class Level { Low, Medium, High };

// Only events whose column (as text) equals one of `values` count.
struct PropertyFilter {
  std::string column;
  std::vector<std::string> values;  // sorted, unique, non-empty
};

// "aggregate(property) of events named `event` within `days` compares with value".
struct Behaviour {
  std::string event;
  Aggregate aggregate = Aggregate::Count;
  std::string property;  // empty for count(*)
  Comparator op = Comparator::Ge;
  double value = 0;
  double value2 = 0;            // upper bound, for Between only
  std::optional<int32_t> days;  // none: every event up to as_of
  std::vector<PropertyFilter> where;  // sorted by column, unique columns
};

// An inclusive range over a customers column; at least one bound is set.
struct AttributeRange {
  std::string attribute;
  std::optional<double> min;
  std::optional<double> max;
};

// The kind of a definition tree node.
enum class NodeKind { All, Any, Not, Performed, Attribute, Engagement, ChurnRisk };

// One node of a definition: a group (All/Any/Not) or a leaf.
struct Node {
  NodeKind kind = NodeKind::All;
  std::vector<Node> children;  // All/Any: any number; Not: exactly one
  Behaviour behaviour;         // Performed
  AttributeRange range;        // Attribute
  Level level = Level::Low;    // Engagement, ChurnRisk

  static Node group(NodeKind kind, std::vector<Node> children);
  static Node negate(Node child);
};

// Text names used in JSON and messages.
const char* aggregate_name(Aggregate a);
const char* comparator_name(Comparator c);
const char* level_name(Level l);

// True when the leaf needs the customers relation.
bool needs_customers(const Node& node);

}  // namespace cohort
