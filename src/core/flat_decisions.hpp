// Definitions decided by bit operations: those that are one behavioural leaf, or an AND / OR of
// behavioural leaves and their negations, as most condition lists are.
#pragma once

#include <cstdint>
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
  // Number of definitions decided by a mask test (for tests).
  std::size_t flat_definitions() const;

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
  // The index of the leaf testing node `node` (a Performed node), added if new; -1 past 64 leaves.
  int leaf_of(const ExprNode& node);
  // Whether `leaf` holds for `slots` (a NULL value: false, as Program::performed()); no branch.
  static bool holds(const Leaf& leaf, const double* slots) __attribute__((always_inline));
  // A key whose integer order is pg_float_cmp()'s order of doubles: -0 equal to 0, every NaN
  // equal and above infinity.
  static int64_t order_key(double x) __attribute__((always_inline));

  const Program& program_;
  std::vector<Leaf> leaves_;
  std::vector<Decision> decisions_;
};

}  // namespace cohort
