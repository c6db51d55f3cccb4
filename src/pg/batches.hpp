// Column buffers for batches of source rows, filled by a scan and folded by the evaluator.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace cohort::pg {

// Up to `capacity` events rows: ids, event index, time, properties and filter results.
struct EventBatch {
  std::size_t rows = 0;
  std::size_t props = 0, filters = 0;
  std::vector<int64_t> users, ts;
  std::vector<int> events;
  std::vector<double> numbers;           // rows × props
  std::vector<std::string_view> texts;   // rows × props (bytes live in the batch memory context)
  std::vector<char> nulls;               // rows × props
  std::vector<char> passes;              // rows × filters

  // Sizes the buffers for `capacity` rows.
  void reserve(std::size_t capacity, std::size_t prop_count, std::size_t filter_count) {
    props = prop_count;
    filters = filter_count;
    users.resize(capacity);
    ts.resize(capacity);
    events.resize(capacity);
    numbers.resize(capacity * props);
    texts.resize(capacity * props);
    nulls.resize(capacity * props);
    passes.resize(capacity * filters);
  }
  std::size_t capacity() const { return users.size(); }
};

// Up to `capacity` customers rows: id, numeric attributes and the risk level text.
struct CustomerBatch {
  std::size_t rows = 0;
  std::size_t attrs = 0;
  std::vector<int64_t> users;
  std::vector<double> numbers;  // rows × attrs
  std::vector<char> nulls;      // rows × attrs
  std::vector<signed char> risk;  // risk_level_index() of each row's risk_level
  std::vector<char> risk_null;

  // Sizes the buffers for `capacity` rows.
  void reserve(std::size_t capacity, std::size_t attr_count) {
    attrs = attr_count;
    users.resize(capacity);
    numbers.resize(capacity * attrs);
    nulls.resize(capacity * attrs);
    risk.resize(capacity);
    risk_null.resize(capacity);
  }
  std::size_t capacity() const { return users.size(); }
};

}  // namespace cohort::pg
