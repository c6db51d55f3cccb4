// retention: the result array, folding, and the packed bigint state.
#include <gtest/gtest.h>

#include <vector>

#include "core/errors.hpp"
#include "core/retention.hpp"

using cohort::RetentionState;

namespace {

TEST(Retention, FirstConditionGatesTheOthers) {
  RetentionState s;
  s.add(3, 0b010);
  s.add(3, 0b100);
  EXPECT_EQ(s.result(), (std::vector<int>{0, 0, 0}));
  s.add(3, 0b001);
  EXPECT_EQ(s.result(), (std::vector<int>{1, 1, 1}));
}

TEST(Retention, ConditionsOnDifferentRowsCount) {
  RetentionState s;
  s.add(3, 0b001);
  s.add(3, 0b010);
  EXPECT_EQ(s.result(), (std::vector<int>{1, 1, 0}));
}

TEST(Retention, EmptyAndLimits) {
  RetentionState s;
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.result().empty());
  EXPECT_THROW(s.add(0, 0), cohort::CohortError);
  EXPECT_THROW(s.add(33, 0), cohort::CohortError);
  s.add(32, 0xFFFFFFFFu);
  EXPECT_EQ(s.result(), std::vector<int>(32, 1));
  EXPECT_THROW(s.add(31, 1), cohort::CohortError);
}

TEST(Retention, MergeAndPackRoundTrip) {
  RetentionState a, b, empty;
  a.add(2, 0b01);
  b.add(2, 0b10);
  a.merge(empty);
  RetentionState c = RetentionState::unpack(a.pack());
  c.merge(b);
  EXPECT_EQ(c.result(), (std::vector<int>{1, 1}));
  EXPECT_EQ(RetentionState::unpack(c.pack()).result(), c.result());
  EXPECT_TRUE(RetentionState::unpack(0).empty());
  RetentionState three;
  three.add(3, 1);
  EXPECT_THROW(three.merge(c), cohort::CohortError);
}

TEST(Retention, CorruptPackedStatesAreRejected) {
  EXPECT_THROW(RetentionState::unpack(-1), cohort::CohortError);
  EXPECT_THROW(RetentionState::unpack((33LL << 32)), cohort::CohortError);
  EXPECT_THROW(RetentionState::unpack((2LL << 32) | 0b100), cohort::CohortError);  // bit 3 of 2
  EXPECT_NO_THROW(RetentionState::unpack((2LL << 32) | 0b11));
}

}  // namespace
