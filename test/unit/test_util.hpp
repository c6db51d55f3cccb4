// Shared helpers for the core unit tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.hpp"
#include "core/canonical.hpp"
#include "core/errors.hpp"
#include "core/program.hpp"
#include "core/risk_counts.hpp"
#include "core/user_table.hpp"

namespace cohort_test {

// An Arena that counts the bytes it has out, and their peak.
class CountingArena final : public cohort::Arena {
 public:
  void* allocate(std::size_t bytes) override {
    void* p = cohort::heap_arena().allocate(bytes);
    sizes_[p] = bytes;
    all_sizes_.push_back(bytes);
    ++allocations_;
    current_ += bytes;
    peak_ = std::max(peak_, current_);
    return p;
  }
  void deallocate(void* p) noexcept override {
    auto it = sizes_.find(p);
    current_ -= it->second;
    sizes_.erase(it);
    cohort::heap_arena().deallocate(p);
  }
  std::size_t current() const { return current_; }
  // Allocations not given back yet.
  std::size_t live() const { return sizes_.size(); }
  std::size_t allocations() const { return allocations_; }
  // The size of every allocation so far, in order.
  const std::vector<std::size_t>& all_sizes() const { return all_sizes_; }
  std::size_t peak() const { return peak_; }
  void reset_peak() { peak_ = current_; }

 private:
  std::map<void*, std::size_t> sizes_;
  std::vector<std::size_t> all_sizes_;
  std::size_t current_ = 0, peak_ = 0, allocations_ = 0;
};

// Canonical text of any accepted input.
inline std::string canon(std::string_view json) {
  return cohort::write_canonical(cohort::parse_definition(json));
}

// Parses `json` expecting a CohortError of `kind` whose message contains `needle`.
inline ::testing::AssertionResult fails_with(std::string_view json, cohort::ErrorKind kind,
                                             const std::string& needle = {}) {
  try {
    std::string out = canon(json);
    return ::testing::AssertionFailure() << "parsed without error: " << out;
  } catch (const cohort::CohortError& e) {
    if (e.kind() != kind)
      return ::testing::AssertionFailure()
             << "wrong kind " << static_cast<int>(e.kind()) << " message: " << e.what();
    if (std::string(e.what()).find(needle) == std::string::npos)
      return ::testing::AssertionFailure()
             << "message \"" << e.what() << "\" lacks \"" << needle << "\"";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "non-CohortError: " << e.what();
  }
}

constexpr int64_t kDay = int64_t{86400} * 1000000;  // microseconds

// The lower bound of each of `program`'s windows for a given as_of, as Harness sets them.
inline std::vector<int64_t> window_bounds(const cohort::Program& program, int64_t as_of = 1000 * kDay) {
  std::vector<int64_t> lower;
  for (int32_t d : program.window_days()) lower.push_back(as_of - d * kDay);
  return lower;
}

// The benchmark's five-condition case, its events only: cart_added and payment_successful over
// 30 days, product_viewed in electronics over 90.
constexpr const char* kFiveConditionEvents = R"({"any": [{"all": [
    {"performed": {"event": "cart_added", "aggregate": "sum", "property": "price", "op": ">=", "value": 5000, "days": 30}},
    {"not": {"performed": {"event": "payment_successful", "op": ">=", "value": 1, "days": 30}}}]},
  {"performed": {"event": "product_viewed", "op": ">=", "value": 12, "days": 90, "where": {"category": "electronics"}}}]})";

// Every user of a (finished, where it needs it) table with its slots, by walking the entries.
inline std::map<int64_t, const double*> entries_of(const cohort::UserTable& table) {
  std::map<int64_t, const double*> out;
  table.for_each_entry([&](std::size_t, int64_t user, const double* slots) { out.emplace(user, slots); });
  return out;
}

// A customers row given by column; absent columns are NULL.
struct Customer {
  std::map<std::string, double> attrs;
  std::optional<std::string> risk;
};

// Compiles a definition and folds events into a UserTable, emulating the PostgreSQL scan:
// property values are given as text (numeric columns read them with strtod), filters are
// evaluated on the text, and window lower bounds are as_of - days.
class Harness {
 public:
  using Props = std::map<std::string, std::optional<std::string>>;

  explicit Harness(std::string_view definition, int64_t as_of = 1000 * kDay)
      : program_(cohort::Program::compile(cohort::parse_definition(definition))),
        table_(program_, cohort::heap_arena()) {
    std::vector<int64_t> lower;
    for (int32_t d : program_.window_days()) lower.push_back(as_of - d * kDay);
    table_.set_window_bounds(lower);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  const cohort::Program& program() const { return program_; }
  cohort::UserTable& table() { return table_; }

  // Adds one event row at `ts`.
  void add(int64_t user, const std::string& event, int64_t ts, const Props& props = {}) {
    const auto& cols = program_.properties();
    std::vector<double> numbers(cols.size(), 0);
    std::vector<std::string> storage(cols.size());
    std::vector<std::string_view> texts(cols.size());
    std::unique_ptr<bool[]> nulls(new bool[cols.size() + 1]);
    for (std::size_t i = 0; i < cols.size(); ++i) {
      auto it = props.find(cols[i].column);
      nulls[i] = it == props.end() || !it->second;
      if (nulls[i]) continue;
      storage[i] = *it->second;
      texts[i] = storage[i];
      if (!cols[i].as_text) numbers[i] = std::strtod(storage[i].c_str(), nullptr);
    }
    const auto& fs = program_.filters();
    std::unique_ptr<bool[]> pass(new bool[fs.size() + 1]);
    for (std::size_t i = 0; i < fs.size(); ++i) {
      auto it = props.find(fs[i].column);
      pass[i] = false;
      if (it != props.end() && it->second)
        for (const auto& v : fs[i].values)
          if (v == *it->second) pass[i] = true;
    }
    cohort::EventRow row;
    row.user_id = user;
    row.event = program_.event_index(event);
    row.ts = ts;
    row.numbers = numbers.data();
    row.texts = texts.data();
    row.nulls = nulls.get();
    row.filters = pass.get();
    table_.add(row);
  }

  // One event row given by its fields, as the random-row tests draw them.
  struct Event {
    int64_t user;
    std::string event;
    int64_t ts;
    Props props;
  };
  // Adds `e`.
  void add(const Event& e) { add(e.user, e.event, e.ts, e.props); }

  // Membership of a user judged from events only (no customers row); ends the folding.
  bool member(int64_t user) const {
    table_.finish();
    return program_.matches(table_.find(user), nullptr);
  }

  // Membership of a user with a customers row.
  bool member(int64_t user, const Customer& c) const {
    table_.finish();
    const auto& attrs = program_.attributes();
    std::vector<double> numbers(attrs.size(), 0);
    std::unique_ptr<bool[]> nulls(new bool[attrs.size() + 1]);
    for (std::size_t i = 0; i < attrs.size(); ++i) {
      auto it = c.attrs.find(attrs[i]);
      nulls[i] = it == c.attrs.end();
      if (!nulls[i]) numbers[i] = it->second;
    }
    cohort::CustomerRow row;
    row.numbers = numbers.data();
    row.nulls = nulls.get();
    row.risk_level_null = !c.risk.has_value();
    if (c.risk) row.risk_level = cohort::risk_level_index(*c.risk);
    return program_.matches(table_.find(user), &row);
  }

 private:
  cohort::Program program_;
  mutable cohort::UserTable table_;  // member() finishes it
};

}  // namespace cohort_test
