// Definitions decided by bit operations: those that are one behavioural leaf, or an AND / OR of
// behavioural leaves and their negations, as most condition lists are.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/program.hpp"

namespace cohort {

// Every definition of a program decided from a user's slots at once: each distinct behavioural
// leaf (up to 64) is tested once into a word of bits, and each flat definition is then a mask
// test on that word; any other definition (nested groups, customers attributes) is decided by
// Program::matches(). The same results as Program::matches() for every definition.
class FlatDecisions {
 public:
  explicit FlatDecisions(const Program& program);
  // Sets bit d % 64 of bits[d / 64] for every definition d that `slots` (a user's finished slots,
  // not nullptr) make match without a customers row; other bits are left as they are.
  void match_all(const double* slots, uint64_t* bits) const;
  // Number of definitions decided by a mask test, and of distinct leaves tested (for tests).
  std::size_t flat_definitions() const;
  std::size_t leaves() const { return leaves_.size(); }

 private:
  // How a leaf reads its accumulator's value: the first slot, the first over the second (avg),
  // or the first where the second (the count of values) is not 0 (min, max).
  enum class Read : uint8_t { Plain, Average, IfAny };
  // A behavioural leaf's test, as a range of order keys (order_key()): the value's key in
  // [lo, hi] (empty where lo > hi), or outside it where `outside` (!=).
  struct Leaf {
    int slot = 0;
    Read read = Read::Plain;
    int64_t lo = 0, hi = 0;
    bool outside = false;
  };
  // One definition: flat (`any` or all of the leaves in `mask`, those in `negated` negated), or not.
  struct Decision {
    bool flat = false, any = false;
    uint64_t mask = 0, negated = 0;
  };
  // Whether two leaves test the same: the same slot, read and range.
  static bool same(const Leaf& a, const Leaf& b) {
    return a.slot == b.slot && a.read == b.read && a.lo == b.lo && a.hi == b.hi && a.outside == b.outside;
  }
  // The test of node `node` (a Performed node).
  Leaf leaf_for(const ExprNode& node) const;
  // The index of `leaf` among leaves_, or -1.
  int find_leaf(const Leaf& leaf) const;
  // Whether `leaf` holds for `slots` (a NULL value: false, as Program::performed()); no branch.
  static bool holds(const Leaf& leaf, const double* slots) {
    const double* s = slots + leaf.slot;
    // min and max need a value, avg a count of values.
    const bool valid = leaf.read == Read::Plain || s[1] != 0;
    const double v = leaf.read == Read::Average ? s[0] / (valid ? s[1] : 1.0) : s[0];
    const int64_t k = order_key(v);
    const bool in_range = (k >= leaf.lo) & (k <= leaf.hi);
    return valid & (in_range != leaf.outside);
  }
  // A key whose integer order is pg_float_cmp()'s order of doubles: -0 equal to 0, every NaN
  // equal and above infinity.
  static int64_t order_key(double x) {
    if (x == 0) x = 0;  // -0 as 0
    int64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    bits = bits >= 0 ? bits : bits ^ std::numeric_limits<int64_t>::max();  // negatives: larger magnitude lower
    return std::isnan(x) ? std::numeric_limits<int64_t>::max() : bits;
  }

  const Program& program_;
  std::vector<Leaf> leaves_;
  std::vector<Decision> decisions_;
};

}  // namespace cohort
