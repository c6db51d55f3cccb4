// Normal form of a definition tree, so that equal meaning gives equal canonical text.
#include <algorithm>
#include <utility>

#include "core/canonical.hpp"
#include "core/parse_context.hpp"

namespace cohort {

Node normalize(Node node) {
  if (node.kind == NodeKind::Not) {
    Node child = normalize(std::move(node.children.at(0)));
    if (child.kind == NodeKind::Not) return std::move(child.children.at(0));
    return Node::negate(std::move(child));
  }
  if (node.kind != NodeKind::All && node.kind != NodeKind::Any) return node;

  std::vector<Node> flat;
  for (Node& c : node.children) {
    Node n = normalize(std::move(c));
    if (n.kind == node.kind) {
      for (Node& g : n.children) flat.push_back(std::move(g));
    } else {
      flat.push_back(std::move(n));
    }
  }
  std::vector<std::pair<std::string, Node>> keyed;
  keyed.reserve(flat.size());
  for (Node& n : flat) keyed.emplace_back(write_canonical(n), std::move(n));
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  keyed.erase(std::unique(keyed.begin(), keyed.end(),
                          [](const auto& a, const auto& b) { return a.first == b.first; }),
              keyed.end());
  if (keyed.size() == 1) return std::move(keyed[0].second);
  std::vector<Node> children;
  for (auto& k : keyed) children.push_back(std::move(k.second));
  return Node::group(node.kind, std::move(children));
}

Node parse_definition(std::string_view json_text) {
  Json doc = read_json(json_text);
  ParseContext ctx;
  return normalize(ctx.node(doc, "$", 0));
}

}  // namespace cohort
