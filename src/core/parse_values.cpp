// Typed readers for definition JSON values, with positional error messages.
#include <cmath>
#include <cstring>

#include "core/errors.hpp"
#include "core/limits.hpp"
#include "core/number_format.hpp"
#include "core/parse_context.hpp"

namespace cohort {

void fail_invalid(const std::string& what, const std::string& path, const std::string& detail) {
  throw CohortError(ErrorKind::InvalidParameter,
                    "invalid cohort definition: " + what + " at " + path, detail);
}

void fail_unknown_key(const std::string& key, const std::string& path,
                      const std::string& expected) {
  fail_invalid("unknown key \"" + key + "\"", path, "Expected one of: " + expected + ".");
}

std::string member_path(const std::string& path, const std::string& key) {
  return path + "." + key;
}

std::string element_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string describe(const Json& j) {
  std::string s = j.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

const Json& expect_object(const Json& j, const std::string& path) {
  if (!j.is_object()) fail_invalid("expected an object, found " + describe(j), path);
  return j;
}

std::string read_string(const Json& j, const std::string& path, std::size_t max_bytes) {
  if (!j.is_string()) fail_invalid("expected a string, found " + describe(j), path);
  const std::string& s = j.get_ref<const std::string&>();
  if (s.empty()) fail_invalid("empty string", path);
  if (s.find('\0') != std::string::npos) fail_invalid("string contains a NUL character", path);
  if (s.size() > max_bytes)
    throw CohortError(ErrorKind::ProgramLimit,
                      "cohort definition string is too long at " + path,
                      "The limit is " + std::to_string(max_bytes) + " bytes.");
  return s;
}

const std::string& read_word(const Json& j, const std::string& path) {
  if (!j.is_string()) fail_invalid("expected a string, found " + describe(j), path);
  return j.get_ref<const std::string&>();
}

std::string read_column_name(const Json& j, const std::string& path) {
  return read_string(j, path, limits::kMaxNameBytes);
}

double read_number(const Json& j, const std::string& path) {
  if (!j.is_number()) fail_invalid("expected a number, found " + describe(j), path);
  double v = j.get<double>();
  if (!std::isfinite(v)) fail_invalid("number is not finite", path);
  return v == 0 ? 0.0 : v;  // folds -0 into 0
}

std::optional<double> read_optional_number(const Json& j, const std::string& path) {
  if (j.is_null()) return std::nullopt;
  return read_number(j, path);
}

int32_t read_days(const Json& j, const std::string& path) {
  if (!j.is_number()) fail_invalid("timeframe must be a number of days, found " + describe(j), path);
  double v = j.get<double>();
  if (!std::isfinite(v) || v != std::floor(v) || v < 1 || v > limits::kMaxDays)
    fail_invalid("timeframe must be a whole number of days from 1 to " +
                     std::to_string(limits::kMaxDays) + ", found " + describe(j),
                 path);
  return static_cast<int32_t>(v);
}

Aggregate read_aggregate(const Json& j, const std::string& path) {
  const std::string& s = read_word(j, path);
  static const struct { const char* name; Aggregate a; } kNames[] = {
      {"count", Aggregate::Count}, {"sum", Aggregate::Sum},   {"avg", Aggregate::Avg},
      {"min", Aggregate::Min},     {"max", Aggregate::Max},   {"count_distinct", Aggregate::CountDistinct},
  };
  for (const auto& n : kNames)
    if (s == n.name) return n.a;
  fail_invalid("unknown operation " + describe(j), path,
               "Expected one of: count, sum, avg, min, max, count_distinct.");
}

Comparator read_comparator(const Json& j, const std::string& path) {
  const std::string& s = read_word(j, path);
  static const struct { const char* name; Comparator c; } kNames[] = {
      {">=", Comparator::Ge}, {">", Comparator::Gt},  {"<=", Comparator::Le},
      {"<", Comparator::Lt},  {"=", Comparator::Eq},  {"==", Comparator::Eq},
      {"!=", Comparator::Ne}, {"<>", Comparator::Ne}, {"between", Comparator::Between},
  };
  for (const auto& n : kNames)
    if (s == n.name) return n.c;
  fail_invalid("unknown operator " + describe(j), path,
               "Expected one of: >=, >, <=, <, =, ==, !=, <>, between.");
}

Level read_level(const Json& j, const std::string& path) {
  const std::string& s = read_word(j, path);
  if (s == "high") return Level::High;
  if (s == "medium") return Level::Medium;
  if (s == "low") return Level::Low;
  fail_invalid("unknown level " + describe(j), path, "Expected one of: high, medium, low.");
}

void read_comparison_value(const Json& j, const std::string& path, Behaviour& b) {
  if (b.op != Comparator::Between) {
    if (j.is_array()) fail_invalid("a list value needs the operator \"between\"", path);
    b.value = read_number(j, path);
    return;
  }
  if (!j.is_array() || j.size() != 2)
    fail_invalid("\"between\" needs a value [low, high], found " + describe(j), path);
  b.value = read_number(j[0], element_path(path, 0));
  b.value2 = read_number(j[1], element_path(path, 1));
  if (b.value > b.value2)
    fail_invalid("between low " + format_number(b.value) + " is above high " +
                     format_number(b.value2),
                 path);
}

void check_property(Behaviour& b, const std::string& path) {
  if (b.aggregate == Aggregate::Count) {
    if (b.property == "events") b.property.clear();
    return;
  }
  if (b.property.empty() || b.property == "events")
    fail_invalid(std::string("operation \"") + aggregate_name(b.aggregate) +
                     "\" needs a property column",
                 path, "Name the event column to aggregate, for example \"price\".");
}

}  // namespace cohort
