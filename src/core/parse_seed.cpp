// Reads the behavioural seed form: a list of conditions chained by "logic" (AND binds tighter).
#include <cctype>

#include "core/limits.hpp"
#include "core/parse_context.hpp"

namespace cohort {
namespace {

// The logic joining a condition to the next: true for OR, false for AND.
bool read_logic_is_or(const Json& j, const std::string& path) {
  if (j.is_null()) return false;
  std::string s = read_word(j, path);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s == "AND") return false;
  if (s == "OR") return true;
  fail_invalid("unknown logic " + describe(j), path, "Expected AND, OR or null.");
}

}  // namespace

Node ParseContext::seed_list(const Json& arr, const std::string& path, std::size_t depth) {
  (void)depth;
  std::vector<Node> disjuncts;
  std::vector<Node> current;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string sub = element_path(path, i);
    const Json& item = arr[i];
    if (!item.is_object() || !item.contains("action"))
      fail_invalid("expected a condition object with \"action\", found " + describe(item), sub);
    current.push_back(seed_condition(item, sub));
    bool last = i + 1 == arr.size();
    bool is_or = item.contains("logic") && read_logic_is_or(item["logic"], member_path(sub, "logic"));
    if (last || is_or) {
      disjuncts.push_back(Node::group(NodeKind::All, std::move(current)));
      current.clear();
    }
  }
  if (disjuncts.empty()) return Node::group(NodeKind::All, {});
  return Node::group(NodeKind::Any, std::move(disjuncts));
}

Node ParseContext::seed_condition(const Json& obj, const std::string& path) {
  count_leaf();
  Node n;
  n.kind = NodeKind::Performed;
  Behaviour& b = n.behaviour;
  bool include = true, has_condition = false, has_value = false;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    const std::string sub = member_path(path, k);
    if (k == "include") {
      if (!it->is_boolean()) fail_invalid("expected true or false, found " + describe(*it), sub);
      include = it->get<bool>();
    } else if (k == "action") b.event = read_string(*it, sub, limits::kMaxTextBytes);
    else if (k == "operation") b.aggregate = read_aggregate(*it, sub);
    else if (k == "property") { if (!it->is_null()) b.property = read_column_name(*it, sub); }
    else if (k == "condition") { b.op = read_comparator(*it, sub); has_condition = true; }
    else if (k == "value") has_value = true;
    else if (k == "timeframe") { if (!it->is_null()) b.days = read_days(*it, sub); }
    else if (k == "logic") read_logic_is_or(*it, sub);
    else if (k == "where") b.where = where(*it, sub);
    else
      fail_unknown_key(k, path,
                       "include, action, operation, property, condition, value, timeframe, logic, where");
  }
  if (!has_condition) fail_invalid("missing key \"condition\"", path);
  if (!has_value) fail_invalid("missing key \"value\"", path);
  read_comparison_value(obj["value"], member_path(path, "value"), b);
  check_property(b, path);
  return include ? n : Node::negate(std::move(n));
}

}  // namespace cohort
