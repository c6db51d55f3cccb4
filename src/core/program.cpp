// Compiles a definition tree into accumulators plus a boolean expression, and evaluates it.
#include "core/program.hpp"

#include <algorithm>

#include "core/compare.hpp"
#include "core/engagement.hpp"
#include "core/risk_counts.hpp"

namespace cohort {
namespace {

// Finds `value` in `v` or appends it; returns its index.
template <typename T, typename Eq>
int intern(std::vector<T>& v, const T& value, Eq eq) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (eq(v[i], value)) return static_cast<int>(i);
  v.push_back(value);
  return static_cast<int>(v.size() - 1);
}

}  // namespace

int slots_for(Aggregate a) {
  switch (a) {
    case Aggregate::Avg:
    case Aggregate::Min:
    case Aggregate::Max:
      return 2;
    default:
      return 1;
  }
}

Program Program::compile(const Node& root) {
  Program p;
  p.roots_.push_back(p.add_node(root));
  p.sources_.push_back(root);
  return p;
}

Program Program::compile_many(const std::vector<Node>& roots) {
  Program p;
  for (const Node& root : roots) p.roots_.push_back(p.add_node(root));
  p.sources_ = roots;
  return p;
}

int Program::intern_event(const std::string& name) {
  return intern(events_, name, [](const std::string& a, const std::string& b) { return a == b; });
}

int Program::intern_property(const std::string& column, bool as_text) {
  return intern(properties_, PropertyColumn{column, as_text},
                [](const PropertyColumn& a, const PropertyColumn& b) {
                  return a.column == b.column && a.as_text == b.as_text;
                });
}

int Program::intern_filter(const PropertyFilter& f) {
  return intern(filters_, f, [](const PropertyFilter& a, const PropertyFilter& b) {
    return a.column == b.column && a.values == b.values;
  });
}

int Program::intern_window(int32_t days) {
  return intern(window_days_, days, [](int32_t a, int32_t b) { return a == b; });
}

int Program::intern_attribute(const std::string& column) {
  return intern(attributes_, column, [](const std::string& a, const std::string& b) { return a == b; });
}

int Program::add_node(const Node& n) {
  ExprNode e;
  e.kind = n.kind;
  switch (n.kind) {
    case NodeKind::All:
    case NodeKind::Any:
    case NodeKind::Not:
      for (const Node& c : n.children) e.children.push_back(add_node(c));
      break;
    case NodeKind::Performed: {
      const Behaviour& b = n.behaviour;
      AccumulatorSpec acc;
      acc.event = intern_event(b.event);
      acc.aggregate = b.aggregate;
      if (!b.property.empty()) {
        bool as_text = b.aggregate == Aggregate::Count || b.aggregate == Aggregate::CountDistinct;
        acc.property = intern_property(b.property, as_text);
      }
      acc.window = b.days ? intern_window(*b.days) : -1;
      for (const PropertyFilter& f : b.where) acc.filters.push_back(intern_filter(f));
      auto same = std::find_if(accumulators_.begin(), accumulators_.end(), [&](const AccumulatorSpec& a) {
        return a.event == acc.event && a.aggregate == acc.aggregate && a.property == acc.property &&
               a.window == acc.window && a.filters == acc.filters;
      });
      if (same != accumulators_.end()) {
        e.accumulator = static_cast<int>(same - accumulators_.begin());
      } else {
        acc.slot = slots_per_user_;
        slots_per_user_ += slots_for(acc.aggregate);
        if (acc.aggregate == Aggregate::CountDistinct) acc.distinct = distinct_sets_++;
        accumulators_.push_back(acc);
        e.accumulator = static_cast<int>(accumulators_.size() - 1);
      }
      e.op = b.op;
      e.value = b.value;
      e.value2 = b.value2;
      break;
    }
    case NodeKind::Attribute:
      e.attribute = intern_attribute(n.range.attribute);
      e.has_min = n.range.min.has_value();
      e.has_max = n.range.max.has_value();
      e.min = n.range.min.value_or(0);
      e.max = n.range.max.value_or(0);
      break;
    case NodeKind::Engagement:
      e.level = n.level;
      engagement_attrs_[0] = intern_attribute("email_opens");
      engagement_attrs_[1] = intern_attribute("website_visits");
      engagement_attrs_[2] = intern_attribute("total_purchases");
      break;
    case NodeKind::ChurnRisk:
      e.level = n.level;
      needs_risk_level_ = true;
      break;
  }
  nodes_.push_back(std::move(e));
  return static_cast<int>(nodes_.size() - 1);
}

bool Program::matches(std::size_t definition, const double* slots, const CustomerRow* customer) const {
  return eval(roots_.at(definition), slots, customer);
}

bool Program::performed(const ExprNode& e, const double* slots) const {
  const AccumulatorSpec& acc = accumulators_[e.accumulator];
  double v = 0;
  if (slots == nullptr) {
    // No events at all: count and sum are 0, the others NULL.
    if (acc.aggregate == Aggregate::Avg || acc.aggregate == Aggregate::Min || acc.aggregate == Aggregate::Max)
      return false;
  } else if (!accumulator_value(acc, slots, v)) {
    return false;
  }
  return compare_value(v, e.op, e.value, e.value2);
}

bool Program::may_match(std::size_t definition, const double* slots) const {
  return eval_unknown_customer(roots_.at(definition), slots) != Truth::False;
}

Program::Truth Program::eval_unknown_customer(int index, const double* slots) const {
  const ExprNode& e = nodes_[index];
  switch (e.kind) {
    case NodeKind::All:
    case NodeKind::Any: {
      // `all` is decided by a false child, `any` by a true one; otherwise unknown if a child is.
      const Truth decisive = e.kind == NodeKind::All ? Truth::False : Truth::True;
      Truth out = e.kind == NodeKind::All ? Truth::True : Truth::False;
      for (int c : e.children) {
        const Truth t = eval_unknown_customer(c, slots);
        if (t == decisive) return decisive;
        if (t == Truth::Unknown) out = Truth::Unknown;
      }
      return out;
    }
    case NodeKind::Not: {
      const Truth t = eval_unknown_customer(e.children[0], slots);
      return t == Truth::Unknown ? t : (t == Truth::True ? Truth::False : Truth::True);
    }
    case NodeKind::Performed:
      return performed(e, slots) ? Truth::True : Truth::False;
    case NodeKind::Attribute:
    case NodeKind::Engagement:
    case NodeKind::ChurnRisk:
      return Truth::Unknown;
  }
  return Truth::Unknown;
}

bool Program::eval(int index, const double* slots, const CustomerRow* customer) const {
  const ExprNode& e = nodes_[index];
  switch (e.kind) {
    case NodeKind::All:
      for (int c : e.children)
        if (!eval(c, slots, customer)) return false;
      return true;
    case NodeKind::Any:
      for (int c : e.children)
        if (eval(c, slots, customer)) return true;
      return false;
    case NodeKind::Not:
      return !eval(e.children[0], slots, customer);
    case NodeKind::Performed:
      return performed(e, slots);
    case NodeKind::Attribute: {
      if (customer == nullptr || customer->nulls[e.attribute]) return false;
      double x = customer->numbers[e.attribute];
      if (e.has_min && pg_float_cmp(x, e.min) < 0) return false;
      if (e.has_max && pg_float_cmp(x, e.max) > 0) return false;
      return true;
    }
    case NodeKind::Engagement: {
      if (customer == nullptr) return false;
      auto part = [&](int k) -> std::optional<double> {
        int a = engagement_attrs_[k];
        if (customer->nulls[a]) return std::nullopt;
        return customer->numbers[a];
      };
      return engagement_level(engagement_score(part(0), part(1), part(2))) == e.level;
    }
    case NodeKind::ChurnRisk:
      if (customer == nullptr || customer->risk_level_null) return false;
      return customer->risk_level == static_cast<int>(e.level);
  }
  return false;
}

}  // namespace cohort
