// Temporary smoke test while the core is written.
#include <gtest/gtest.h>

#include "core/canonical.hpp"

TEST(Smoke, ParsesSeed) {
  auto n = cohort::parse_definition(R"([{"include":true,"action":"payment_successful","operation":"sum","property":"price","condition":">=","value":10000,"timeframe":365,"logic":"AND"},{"include":false,"action":"payment_successful","operation":"count","property":"events","condition":">=","value":1,"timeframe":90,"logic":null}])");
  std::cout << cohort::write_canonical(n) << "\n";
}
