// One-pass folding of events into per-user accumulators.
#include "core/user_table.hpp"

#include <cstring>

#include "core/compare.hpp"

namespace cohort {

UserTable::UserTable(const Program& program, Arena& arena)
    : program_(program),
      arena_(arena),
      per_user_(static_cast<std::size_t>(program.slots_per_user())),
      index_(arena),
      user_ids_(ArenaAllocator<int64_t>(arena)),
      slots_(ArenaAllocator<double>(arena)),
      distinct_(ArenaAllocator<DistinctSet>(arena)),
      by_event_(program.events().size()) {
  const auto& accs = program.accumulators();
  for (std::size_t i = 0; i < accs.size(); ++i) by_event_[accs[i].event].push_back(static_cast<int>(i));
  for (int i = 0; i < program.distinct_sets(); ++i)
    distinct_.emplace_back(16, StringHash(), std::equal_to<ArenaString>(),
                           ArenaAllocator<ArenaString>(arena));
}

uint32_t UserTable::index_of(int64_t user_id) {
  bool inserted = false;
  uint32_t index = index_.find_or_insert(user_id, inserted);
  if (inserted) {
    user_ids_.push_back(user_id);
    slots_.resize(slots_.size() + per_user_, 0.0);
  }
  return index;
}

const double* UserTable::find(int64_t user_id) const {
  int64_t index = index_.find(user_id);
  return index < 0 ? nullptr : slots(static_cast<std::size_t>(index));
}

void UserTable::add(const EventRow& row) {
  uint32_t user = index_of(row.user_id);
  if (row.event < 0) return;
  for (int a : by_event_[row.event]) fold(program_.accumulators()[a], row, user);
}

void UserTable::fold(const AccumulatorSpec& acc, const EventRow& row, uint32_t user) {
  if (acc.window >= 0 && row.ts < window_lower_[acc.window]) return;
  for (int f : acc.filters)
    if (!row.filters[f]) return;
  double* s = slots_.data() + user * per_user_ + acc.slot;
  if (acc.property < 0) {  // count(*)
    s[0] += 1;
    return;
  }
  if (row.nulls[acc.property]) return;
  double x = row.numbers[acc.property];
  switch (acc.aggregate) {
    case Aggregate::Count:
      s[0] += 1;
      break;
    case Aggregate::Sum:
      s[0] += x;
      break;
    case Aggregate::Avg:
      s[0] += x;
      s[1] += 1;
      break;
    case Aggregate::Min:
      if (s[1] == 0 || pg_float_cmp(x, s[0]) < 0) s[0] = x;
      s[1] = 1;
      break;
    case Aggregate::Max:
      if (s[1] == 0 || pg_float_cmp(x, s[0]) > 0) s[0] = x;
      s[1] = 1;
      break;
    case Aggregate::CountDistinct: {
      std::string_view text = row.texts[acc.property];
      ArenaString key{ArenaAllocator<char>(arena_)};
      key.reserve(sizeof user + text.size());
      key.append(reinterpret_cast<const char*>(&user), sizeof user);
      key.append(text.data(), text.size());
      if (distinct_[acc.distinct].insert(std::move(key)).second) {
        s[0] += 1;
        distinct_bytes_ += sizeof user + text.size() + 48;
      }
      break;
    }
  }
}

std::size_t UserTable::bytes() const {
  return user_ids_.capacity() * sizeof(int64_t) + slots_.capacity() * sizeof(double) +
         index_.bytes() + distinct_bytes_;
}

}  // namespace cohort
