// Which of two rejecting row tests a scan runs first: the one that has been passing fewer rows.
#pragma once

#include <cstdint>

namespace cohort {

// Chooses, batch by batch, the order of two independent tests that each may reject a row (A: the
// event name, B: the time window). Running the more selective test first skips the other on most
// rows and keeps the first branch predictable. The counts given are those of the current order;
// the second test's pass rate is taken among rows the first passed (the tests are assumed
// independent). Approximate counts only make the order worse, never a result wrong.
class FilterOrder {
 public:
  // Whether B runs before A in the current batch.
  bool b_first() const noexcept { return b_first_; }
  // Ends a batch in which `tested` rows reached the tests, `first_passed` passed the first one
  // and `both_passed` both: swaps the order when the second test passed clearly fewer rows (a
  // share below kMargin times the first's) over at least kMinRows rows.
  void end_batch(std::uint64_t tested, std::uint64_t first_passed, std::uint64_t both_passed) noexcept {
    if (tested < kMinRows || first_passed == 0) return;
    // second rate < kMargin × first rate  <=>  both/first < kMargin × first/tested
    if (static_cast<double>(both_passed) * static_cast<double>(tested) <
        kMargin * static_cast<double>(first_passed) * static_cast<double>(first_passed))
      b_first_ = !b_first_;
  }

  // Fewest rows a batch must have tested to decide anything.
  static constexpr std::uint64_t kMinRows = 256;
  // How much more selective the second test must look to swap: near-equal rates (or the slack of
  // approximate counts) leave the order alone.
  static constexpr double kMargin = 0.9;

 private:
  bool b_first_ = false;
};

}  // namespace cohort
