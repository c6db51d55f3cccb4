// One-pass folding of events into per-user accumulators.
#include "core/user_table.hpp"

#include <cstring>

#include "core/compare.hpp"

namespace cohort {

namespace {
constexpr std::size_t kInitialCapacity = 1024;  // entries; a power of two
}  // namespace

UserTable::UserTable(const Program& program, Arena& arena)
    : program_(program),
      arena_(arena),
      per_user_(static_cast<std::size_t>(program.slots_per_user())),
      stride_(16 + 8 * per_user_),
      user_ids_(ArenaAllocator<int64_t>(arena)),
      distinct_(ArenaAllocator<DistinctSet>(arena)),
      by_event_(program.events().size()) {
  capacity_ = kInitialCapacity;
  mask_ = capacity_ - 1;
  entries_ = static_cast<unsigned char*>(arena_.allocate(capacity_ * stride_));
  std::memset(entries_, 0, capacity_ * stride_);
  const auto& accs = program.accumulators();
  for (std::size_t i = 0; i < accs.size(); ++i) by_event_[accs[i].event].push_back(static_cast<int>(i));
  for (int i = 0; i < program.distinct_sets(); ++i)
    distinct_.emplace_back(16, StringHash(), std::equal_to<ArenaString>(), ArenaAllocator<ArenaString>(arena));
}

UserTable::~UserTable() { arena_.deallocate(entries_); }

double* UserTable::find_or_insert(int64_t user_id) {
  for (std::size_t i = hash(user_id) & mask_;; i = (i + 1) & mask_) {
    unsigned char* e = entries_ + i * stride_;
    int64_t used, key;
    std::memcpy(&used, e + 8, 8);
    if (!used) {
      if ((user_ids_.size() + 1) * 4 > capacity_ * 3) {  // keep the load factor at most 3/4
        grow();
        return find_or_insert(user_id);
      }
      user_ids_.push_back(user_id);
      used = 1;
      std::memcpy(e, &user_id, 8);
      std::memcpy(e + 8, &used, 8);
      return entry_slots(e);
    }
    std::memcpy(&key, e, 8);
    if (key == user_id) return entry_slots(e);
  }
}

const double* UserTable::find(int64_t user_id) const {
  for (std::size_t i = hash(user_id) & mask_;; i = (i + 1) & mask_) {
    unsigned char* e = entries_ + i * stride_;
    int64_t used, key;
    std::memcpy(&used, e + 8, 8);
    if (!used) return nullptr;
    std::memcpy(&key, e, 8);
    if (key == user_id) return entry_slots(e);
  }
}

void UserTable::grow() {
  std::size_t new_capacity = capacity_ * 2, new_mask = new_capacity - 1;
  unsigned char* fresh = static_cast<unsigned char*>(arena_.allocate(new_capacity * stride_));
  std::memset(fresh, 0, new_capacity * stride_);
  for (std::size_t k = 0; k < capacity_; ++k) {
    unsigned char* e = entries_ + k * stride_;
    int64_t used, key;
    std::memcpy(&used, e + 8, 8);
    if (!used) continue;
    std::memcpy(&key, e, 8);
    std::size_t i = hash(key) & new_mask;
    while (true) {
      int64_t taken;
      std::memcpy(&taken, fresh + i * stride_ + 8, 8);
      if (!taken) break;
      i = (i + 1) & new_mask;
    }
    std::memcpy(fresh + i * stride_, e, stride_);
  }
  arena_.deallocate(entries_);
  entries_ = fresh;
  capacity_ = new_capacity;
  mask_ = new_mask;
}

void UserTable::add(const EventRow& row) {
  double* slots = find_or_insert(row.user_id);
  if (row.event < 0) return;
  for (int a : by_event_[row.event]) fold(program_.accumulators()[a], row, slots);
}

void UserTable::fold(const AccumulatorSpec& acc, const EventRow& row, double* slots) {
  if (acc.window >= 0 && row.ts < window_lower_[acc.window]) return;
  for (int f : acc.filters)
    if (!row.filters[f]) return;
  double* s = slots + acc.slot;
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
      key.reserve(sizeof row.user_id + text.size());
      key.append(reinterpret_cast<const char*>(&row.user_id), sizeof row.user_id);
      key.append(text.data(), text.size());
      if (distinct_[acc.distinct].insert(std::move(key)).second) {
        s[0] += 1;
        distinct_bytes_ += sizeof row.user_id + text.size() + 48;
      }
      break;
    }
  }
}

std::size_t UserTable::bytes() const {
  return capacity_ * stride_ + user_ids_.capacity() * sizeof(int64_t) + distinct_bytes_;
}

}  // namespace cohort
