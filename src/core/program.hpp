// A definition compiled for evaluation: what to read from the sources and how to decide membership.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/definition.hpp"

namespace cohort {

// A column the events scan must deliver, as float8 (numeric) or as text.
struct PropertyColumn {
  std::string column;
  bool as_text = false;
};

// One running aggregate per user: `aggregate` of `property` over events named `event`.
struct AccumulatorSpec {
  int event = 0;                 // index into Program::events()
  Aggregate aggregate = Aggregate::Count;
  int property = -1;             // index into Program::properties(); -1 for count(*)
  int window = -1;               // index into Program::window_days(); -1: no lower bound
  std::vector<int> filters;      // indexes into Program::filters(); all must pass
  int slot = 0;                  // first per-user double slot
  int distinct = -1;             // index of the distinct-value set, count_distinct only
};

// One node of the compiled boolean expression.
struct ExprNode {
  NodeKind kind = NodeKind::All;
  std::vector<int> children;  // groups: expression node indexes
  int accumulator = -1;       // Performed
  Comparator op = Comparator::Ge;
  double value = 0, value2 = 0;
  int attribute = -1;         // Attribute: index into Program::attributes()
  double min = 0, max = 0;
  bool has_min = false, has_max = false;
  Level level = Level::Low;   // Engagement, ChurnRisk
};

// Customer attribute values handed to the program for one customers row.
struct CustomerRow {
  const double* numbers = nullptr;  // one per Program::attributes()
  const bool* nulls = nullptr;
  bool risk_level_null = true;
  int risk_level = -1;  // risk_level_index() of the row's risk_level text
};

// Whether n bytes at a and b are equal: 8 at a time, inline (event names are short, and a call to
// memcmp per events row showed in profiles).
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  auto word = [](const char* p) {
    uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  };
  for (std::size_t i = 0; i + 8 < n; i += 8)
    if (word(a + i) != word(b + i)) return false;
  return word(a + n - 8) == word(b + n - 8);
}

// Whether a filter accepts a row's text `value`: one of its values, byte for byte. A few values
// are compared inline (no library call per row), more by binary search.
inline bool filter_accepts(const PropertyFilter& filter, std::string_view value) {
  const std::vector<std::string>& values = filter.values;
  if (values.size() <= 8) {
    for (const std::string& v : values)
      if (v.size() == value.size() && same_bytes(v.data(), value.data(), value.size())) return true;
    return false;
  }
  return std::binary_search(values.begin(), values.end(), value,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

// The compiled program.
class Program {
 public:
  // Compiles a normalized definition tree.
  static Program compile(const Node& root);
  // Compiles several definitions into one program: one pass over the events feeds them all, and
  // identical leaves across definitions share accumulators.
  static Program compile_many(const std::vector<Node>& roots);
  // Number of compiled definitions.
  std::size_t definitions() const { return roots_.size(); }
  // The normalized definitions it was compiled from (compile_many of them gives the same program).
  const std::vector<Node>& sources() const { return sources_; }

  const std::vector<std::string>& events() const { return events_; }
  const std::vector<PropertyColumn>& properties() const { return properties_; }
  const std::vector<PropertyFilter>& filters() const { return filters_; }
  const std::vector<int32_t>& window_days() const { return window_days_; }
  const std::vector<std::string>& attributes() const { return attributes_; }
  const std::vector<AccumulatorSpec>& accumulators() const { return accumulators_; }
  bool needs_risk_level() const { return needs_risk_level_; }
  bool needs_customers() const { return !attributes_.empty() || needs_risk_level_; }
  // Number of double slots each user's state needs.
  int slots_per_user() const { return slots_per_user_; }
  // Number of count_distinct accumulators.
  int distinct_sets() const { return distinct_sets_; }
  // Index of `name` in events(), or -1 (inline: the scan asks once per row).
  int event_index(std::string_view name) const {
    for (std::size_t i = 0; i < events_.size(); ++i)
      if (events_[i].size() == name.size() && same_bytes(events_[i].data(), name.data(), name.size()))
        return static_cast<int>(i);
    return -1;
  }

  // Decides membership from a user's slots (nullptr: no events) and customers row (may be null).
  bool matches(const double* slots, const CustomerRow* customer) const { return matches(0, slots, customer); }
  // The same for the definition-th compiled definition.
  bool matches(std::size_t definition, const double* slots, const CustomerRow* customer) const;
  // The compiled expression's nodes, and the root node of the definition-th definition.
  const std::vector<ExprNode>& nodes() const { return nodes_; }
  int root(std::size_t definition) const { return roots_.at(definition); }
  // Whether some customers row could make the definition-th definition match, given a user's
  // slots (nullptr: no events): false when the events alone decide against it, whatever the
  // attributes (each attribute, engagement and churn-risk leaf taken as unknown).
  bool may_match(std::size_t definition, const double* slots) const;

 private:
  int add_node(const Node& n);
  int intern_event(const std::string& name);
  int intern_property(const std::string& column, bool as_text);
  int intern_filter(const PropertyFilter& f);
  int intern_window(int32_t days);
  int intern_attribute(const std::string& column);
  bool eval(int node, const double* slots, const CustomerRow* customer) const;
  // A Performed leaf's value for a user's slots (nullptr: no events).
  bool performed(const ExprNode& e, const double* slots) const;
  // Three-valued logic for may_match().
  enum class Truth { False, True, Unknown };
  Truth eval_unknown_customer(int node, const double* slots) const;

  std::vector<std::string> events_;
  std::vector<PropertyColumn> properties_;
  std::vector<PropertyFilter> filters_;
  std::vector<int32_t> window_days_;
  std::vector<std::string> attributes_;
  std::vector<AccumulatorSpec> accumulators_;
  std::vector<ExprNode> nodes_;
  std::vector<int> roots_;
  std::vector<Node> sources_;
  int slots_per_user_ = 0;
  int distinct_sets_ = 0;
  bool needs_risk_level_ = false;
  int engagement_attrs_[3] = {-1, -1, -1};
};

// How many double slots an aggregate keeps per user.
int slots_for(Aggregate a);

// The lower ts bound of an accumulator's window, given each window's bound (Program::window_days()
// order); INT64_MIN without a window.
inline int64_t window_lower_bound(const AccumulatorSpec& acc, const std::vector<int64_t>& window_lower) {
  return acc.window >= 0 ? window_lower.at(static_cast<std::size_t>(acc.window)) : INT64_MIN;
}

// Reads an accumulator's final value; false when it is NULL (avg/min/max over no values).
inline bool accumulator_value(const AccumulatorSpec& acc, const double* slots, double& out) {
  const double* s = slots + acc.slot;
  if (acc.aggregate == Aggregate::Avg) {
    if (s[1] == 0) return false;
    out = s[0] / s[1];
    return true;
  }
  if ((acc.aggregate == Aggregate::Min || acc.aggregate == Aggregate::Max) && s[1] == 0) return false;
  out = s[0];  // count, count_distinct, sum; min and max over some values
  return true;
}

}  // namespace cohort
