// Shortest round-trip text of a double, as the canonical form writes numbers.
#pragma once

#include <string>

namespace cohort {

// Formats a finite double in the shortest text that reads back to the same value.
std::string format_number(double v);

}  // namespace cohort
