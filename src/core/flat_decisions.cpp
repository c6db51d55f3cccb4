// Flat definitions decided by one test per distinct leaf and a mask test per definition.
#include "core/flat_decisions.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace cohort {

FlatDecisions::FlatDecisions(const Program& program) : program_(program), decisions_(program.definitions()) {
  const auto& nodes = program.nodes();
  // Adds node `index` (a leaf or a negated leaf) to `d`; false when it is neither or no bit is left.
  const auto add = [&](Decision& d, int index) {
    const ExprNode* node = &nodes[static_cast<std::size_t>(index)];
    bool negated = false;
    if (node->kind == NodeKind::Not) {
      node = &nodes[static_cast<std::size_t>(node->children[0])];
      negated = true;
    }
    if (node->kind != NodeKind::Performed) return false;
    const int leaf = leaf_of(*node);
    if (leaf < 0) return false;
    const uint64_t bit = uint64_t{1} << leaf;
    if ((d.mask & bit) && ((d.negated & bit) != 0) != negated) return false;  // x and not x: left to eval
    d.mask |= bit;
    if (negated) d.negated |= bit;
    return true;
  };
  for (std::size_t i = 0; i < decisions_.size(); ++i) {
    const int root = program.root(i);
    const ExprNode& top = nodes[static_cast<std::size_t>(root)];
    Decision d;
    bool flat = true;
    if (top.kind == NodeKind::All || top.kind == NodeKind::Any) {
      d.any = top.kind == NodeKind::Any;
      for (int c : top.children) flat = flat && add(d, c);
    } else {
      flat = add(d, root);  // one leaf, or one negated leaf: all of one
    }
    d.flat = flat;
    if (flat) decisions_[i] = d;
  }
}

inline int64_t FlatDecisions::order_key(double x) {
  if (x == 0) x = 0;  // -0 as 0
  int64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  bits = bits >= 0 ? bits : bits ^ std::numeric_limits<int64_t>::max();  // negatives: larger magnitude lower
  return std::isnan(x) ? std::numeric_limits<int64_t>::max() : bits;
}

int FlatDecisions::leaf_of(const ExprNode& node) {
  const AccumulatorSpec& acc = program_.accumulators()[static_cast<std::size_t>(node.accumulator)];
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  Leaf leaf;
  leaf.slot = acc.slot;
  leaf.read = acc.aggregate == Aggregate::Avg ? Read::Average
              : (acc.aggregate == Aggregate::Min || acc.aggregate == Aggregate::Max) ? Read::IfAny
                                                                                      : Read::Plain;
  const int64_t a = order_key(node.value);  // no double's key is kMin: a - 1 cannot wrap
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
  for (std::size_t i = 0; i < leaves_.size(); ++i) {
    const Leaf& l = leaves_[i];
    if (l.slot == leaf.slot && l.read == leaf.read && l.lo == leaf.lo && l.hi == leaf.hi && l.outside == leaf.outside)
      return static_cast<int>(i);
  }
  if (leaves_.size() == 64) return -1;
  leaves_.push_back(leaf);
  return static_cast<int>(leaves_.size() - 1);
}

inline bool FlatDecisions::holds(const Leaf& leaf, const double* slots) {
  const double* s = slots + leaf.slot;
  // min and max need a value, avg a count (its division is discarded without one).
  const bool valid = leaf.read == Read::Plain || s[1] != 0;
  const double v = leaf.read == Read::Average ? s[0] / s[1] : s[0];
  const int64_t k = order_key(v);
  const bool in_range = (k >= leaf.lo) & (k <= leaf.hi);
  return valid & (in_range != leaf.outside);
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
