// Number formatting for canonical output.
#include "core/number_format.hpp"

#include <charconv>

namespace cohort {

std::string format_number(double v) {
  if (v == 0) v = 0;  // -0 prints as 0
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

}  // namespace cohort
