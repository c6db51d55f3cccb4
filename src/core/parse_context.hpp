// Shared helpers for reading the three JSON forms of a definition into the model.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>

#include "core/definition.hpp"
#include "core/json_reader.hpp"

namespace cohort {

// Tracks position, depth and the leaf count while one definition is read.
class ParseContext {
 public:
  // Reads any node form found at `path`: canonical group or leaf, seed list or condition, criteria.
  Node node(const Json& j, const std::string& path, std::size_t depth);

  // Reads the seed's condition list (array of objects joined by `logic`).
  Node seed_list(const Json& arr, const std::string& path, std::size_t depth);
  // Reads one seed condition object (its `logic` is handled by seed_list).
  Node seed_condition(const Json& obj, const std::string& path);
  // Reads the seed's criteria object (levels and min_/max_ ranges).
  Node criteria(const Json& obj, const std::string& path);
  // Reads a canonical {"performed": {...}} body.
  Node performed(const Json& obj, const std::string& path);
  // Reads a canonical {"attribute": {...}} body.
  Node attribute(const Json& obj, const std::string& path);
  // Reads an event-property filter object {"column": value or [values]}.
  std::vector<PropertyFilter> where(const Json& obj, const std::string& path);

  // Counts one more leaf, enforcing the limit.
  void count_leaf();

 private:
  std::size_t leaves_ = 0;
};

// Error helpers: each throws CohortError with the path in the message.
[[noreturn]] void fail_invalid(const std::string& what, const std::string& path,
                               const std::string& detail = {});
[[noreturn]] void fail_unknown_key(const std::string& key, const std::string& path,
                                   const std::string& expected);

// Path of a member or element below `path`.
std::string member_path(const std::string& path, const std::string& key);
std::string element_path(const std::string& path, std::size_t index);

// Typed readers: each validates the JSON type and range, naming `path` on error.
std::string read_string(const Json& j, const std::string& path, std::size_t max_bytes);
// Reads a keyword (operation, operator, level, logic) of any length; the caller checks the word.
const std::string& read_word(const Json& j, const std::string& path);
std::string read_column_name(const Json& j, const std::string& path);
double read_number(const Json& j, const std::string& path);
std::optional<double> read_optional_number(const Json& j, const std::string& path);
int32_t read_days(const Json& j, const std::string& path);
Aggregate read_aggregate(const Json& j, const std::string& path);
Comparator read_comparator(const Json& j, const std::string& path);
Level read_level(const Json& j, const std::string& path);
const Json& expect_object(const Json& j, const std::string& path);
// Reads `value` for `op`: a number, or [low, high] for between.
void read_comparison_value(const Json& j, const std::string& path, Behaviour& b);
// Validates aggregate/property pairing; `property` empty means none given.
void check_property(Behaviour& b, const std::string& path);

// Short display of a JSON value for messages (cut to a few dozen characters).
std::string describe(const Json& j);

}  // namespace cohort
