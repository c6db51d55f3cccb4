// Flat definitions decided by one test per distinct leaf and a mask test per definition.
#include "core/flat_decisions.hpp"

#include <algorithm>
#include <utility>

namespace cohort {

FlatDecisions::FlatDecisions(const Program& program) : program_(program), decisions_(program.definitions()) {
  const auto& nodes = program.nodes();
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    const int root = program.root(i);
    const ExprNode& top = nodes[static_cast<std::size_t>(root)];
    const bool group = top.kind == NodeKind::All || top.kind == NodeKind::Any;
    // Its leaves and their signs, if each part is a leaf or a negated leaf.
    std::vector<std::pair<Leaf, bool>> parts;
    bool flat = true;
    for (int index : group ? top.children : std::vector<int>{root}) {
      const ExprNode* node = &nodes[static_cast<std::size_t>(index)];
      const bool negated = node->kind == NodeKind::Not;
      if (negated) node = &nodes[static_cast<std::size_t>(node->children[0])];
      if (node->kind != NodeKind::Performed) {
        flat = false;
        break;
      }
      parts.emplace_back(leaf_for(*node), negated);
    }
    // The leaves it would add; none is added unless all of it fits in the word.
    std::vector<Leaf> added;
    for (std::size_t p = 0; flat && p < parts.size(); ++p) {
      const Leaf& leaf = parts[p].first;
      for (std::size_t q = 0; q < p; ++q)
        if (same(parts[q].first, leaf) && parts[q].second != parts[p].second) flat = false;  // x and not x
      if (find_leaf(leaf) < 0 && std::none_of(added.begin(), added.end(), [&](const Leaf& l) { return same(l, leaf); }))
        added.push_back(leaf);
    }
    if (!flat || leaves_.size() + added.size() > 64) continue;
    leaves_.insert(leaves_.end(), added.begin(), added.end());
    Decision& d = decisions_[i];
    d.flat = true;
    d.any = top.kind == NodeKind::Any;
    for (const auto& [leaf, negated] : parts) {
      const uint64_t bit = uint64_t{1} << find_leaf(leaf);
      d.mask |= bit;
      if (negated) d.negated |= bit;
    }
  }
}

FlatDecisions::Leaf FlatDecisions::leaf_for(const ExprNode& node) const {
  const AccumulatorSpec& acc = program_.accumulators()[static_cast<std::size_t>(node.accumulator)];
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  Leaf leaf;
  leaf.slot = acc.slot;
  leaf.read = acc.aggregate == Aggregate::Avg ? Read::Average
              : (acc.aggregate == Aggregate::Min || acc.aggregate == Aggregate::Max) ? Read::IfAny
                                                                                      : Read::Plain;
  const int64_t a = order_key(node.value);  // no double's key is kMin (that would be a NaN): a - 1 cannot wrap
  switch (node.op) {
    case Comparator::Ge: leaf.lo = a, leaf.hi = kMax; break;
    case Comparator::Gt:
      if (a == kMax) {
        leaf.lo = 1, leaf.hi = 0;  // nothing is above NaN
      } else {
        leaf.lo = a + 1, leaf.hi = kMax;
      }
      break;
    case Comparator::Le: leaf.lo = kMin, leaf.hi = a; break;
    case Comparator::Lt: leaf.lo = kMin, leaf.hi = a - 1; break;
    case Comparator::Eq: leaf.lo = a, leaf.hi = a; break;
    case Comparator::Ne: leaf.lo = a, leaf.hi = a, leaf.outside = true; break;
    case Comparator::Between: leaf.lo = a, leaf.hi = order_key(node.value2); break;
  }
  return leaf;
}

int FlatDecisions::find_leaf(const Leaf& leaf) const {
  for (std::size_t i = 0; i < leaves_.size(); ++i)
    if (same(leaves_[i], leaf)) return static_cast<int>(i);
  return -1;
}

void FlatDecisions::match_all(const double* slots, uint64_t* bits) const {
  uint64_t truth = 0;
  for (std::size_t i = 0; i < leaves_.size(); ++i) truth |= uint64_t{holds(leaves_[i], slots)} << i;
  for (std::size_t d = 0; d < decisions_.size(); ++d) {
    const Decision& dec = decisions_[d];
    bool member;
    if (dec.flat) {
      const uint64_t met = (truth ^ dec.negated) & dec.mask;
      member = dec.any ? met != 0 : met == dec.mask;
    } else {
      member = program_.matches(d, slots, nullptr);
    }
    bits[d / 64] |= uint64_t{member} << (d % 64);
  }
}

std::size_t FlatDecisions::flat_definitions() const {
  std::size_t n = 0;
  for (const Decision& d : decisions_) n += d.flat;
  return n;
}

}  // namespace cohort
