// Float comparison with PostgreSQL's float8 rules: NaN equals NaN and sorts above everything.
#pragma once

#include <cmath>

#include "core/definition.hpp"

namespace cohort {

// Three-way compare of two doubles, PostgreSQL float8 style.
inline int pg_float_cmp(double a, double b) {
  if (std::isnan(a)) return std::isnan(b) ? 0 : 1;
  if (std::isnan(b)) return -1;
  return a < b ? -1 : (a > b ? 1 : 0);
}

// True when `x op value` (or value <= x <= value2 for between) holds.
inline bool compare_value(double x, Comparator op, double value, double value2) {
  int c = pg_float_cmp(x, value);
  switch (op) {
    case Comparator::Ge: return c >= 0;
    case Comparator::Gt: return c > 0;
    case Comparator::Le: return c <= 0;
    case Comparator::Lt: return c < 0;
    case Comparator::Eq: return c == 0;
    case Comparator::Ne: return c != 0;
    case Comparator::Between: return c >= 0 && pg_float_cmp(x, value2) <= 0;
  }
  return false;
}

}  // namespace cohort
