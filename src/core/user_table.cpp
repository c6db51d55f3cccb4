// One-pass folding of events into per-user accumulators.
#include "core/user_table.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/compare.hpp"

namespace cohort {

namespace {
constexpr std::size_t kInitialCapacity = 1024;  // entries; a power of two
constexpr char kEntriesChunk = 'E';   // then per user: int64 id, the slots
constexpr char kDistinctChunk = 'D';  // then per value: uint32 set, uint32 length, the key bytes

// Appends the bytes of a trivially copyable value.
template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Reads a trivially copyable value at `pos`, advancing it; throws when the chunk is too short.
template <typename T>
T take(std::string_view in, std::size_t& pos) {
  if (in.size() - pos < sizeof(T)) throw std::invalid_argument("truncated cohort state chunk");
  T v;
  std::memcpy(&v, in.data() + pos, sizeof v);
  pos += sizeof v;
  return v;
}
}  // namespace

UserTable::UserTable(const Program& program, Arena& arena)
    : program_(program),
      arena_(arena),
      per_user_(static_cast<std::size_t>(program.slots_per_user())),
      chunks_(ArenaAllocator<double*>(arena)),
      row_users_(ArenaAllocator<int64_t>(arena)),
      distinct_(ArenaAllocator<DistinctSet>(arena)) {
  capacity_ = kInitialCapacity;
  mask_ = capacity_ - 1;
  allocate(capacity_, keys_, rows_);
  plan_folds(false);
  distinct_slot_.resize(program.distinct_sets());
  for (const AccumulatorSpec& a : program.accumulators())
    if (a.distinct >= 0) distinct_slot_[a.distinct] = a.slot;
  for (int i = 0; i < program.distinct_sets(); ++i)
    distinct_.emplace_back(16, StringHash(), std::equal_to<ArenaString>(), ArenaAllocator<ArenaString>(arena));
}

UserTable::~UserTable() {
  arena_.deallocate(keys_);
  arena_.deallocate(rows_);
  for (double* chunk : chunks_) arena_.deallocate(chunk);
}

void UserTable::allocate(std::size_t capacity, int64_t*& keys, uint32_t*& rows) {
  keys = static_cast<int64_t*>(arena_.allocate(capacity * sizeof(int64_t)));
  try {
    rows = static_cast<uint32_t*>(arena_.allocate(capacity * sizeof(uint32_t)));
  } catch (...) {
    arena_.deallocate(keys);
    throw;
  }
  std::fill(keys, keys + capacity, kFree);
}

uint32_t UserTable::new_row(int64_t user_id) {
  const std::size_t r = users_;
  if (r > std::numeric_limits<uint32_t>::max()) throw std::length_error("cohort per-user table holds 2^32 users");
  if ((r >> kChunkShift) == chunks_.size()) {
    // Room first (doubling), so that push_back() below cannot throw once the chunk is allocated.
    if (chunks_.size() == chunks_.capacity()) chunks_.reserve(std::max<std::size_t>(16, 2 * chunks_.size()));
    chunks_.push_back(static_cast<double*>(arena_.allocate(std::max<std::size_t>(1, kChunkRows * per_user_) * sizeof(double))));
  }
  row_users_.push_back(user_id);
  std::memset(row(r), 0, per_user_ * sizeof(double));
  ++users_;
  return static_cast<uint32_t>(r);
}

double* UserTable::find_or_insert(int64_t user_id) {
  if (user_id == kFree) {
    if (free_row_ == npos) free_row_ = new_row(user_id);
    return row(free_row_);
  }
  for (std::size_t i = hash(user_id) & mask_;; i = (i + 1) & mask_) {
    const int64_t key = keys_[i];
    if (key == user_id) return row(rows_[i]);
    if (key == kFree) {
      if ((users_ + 1) * 4 > capacity_ * 3) {  // keep the load factor at most 3/4
        grow();
        return find_or_insert(user_id);
      }
      const uint32_t r = new_row(user_id);
      keys_[i] = user_id;
      rows_[i] = r;
      return row(r);
    }
  }
}

const double* UserTable::find(int64_t user_id) const {
  const std::size_t e = entry_of(user_id);
  return e == npos ? nullptr : row(e);
}

std::size_t UserTable::entry_of(int64_t user_id) const {
  if (chained_ && !finished_) throw std::logic_error("cohort per-user table read before finish()");
  if (user_id == kFree) return free_row_;
  for (std::size_t i = hash(user_id) & mask_;; i = (i + 1) & mask_) {
    const int64_t key = keys_[i];
    if (key == user_id) return rows_[i];
    if (key == kFree) return npos;
  }
}

bool UserTable::entry(std::size_t e, int64_t& user_id, const double*& slots) const {
  if (chained_ && !finished_) throw std::logic_error("cohort per-user table read before finish()");
  if (e >= users_) return false;
  user_id = row_users_[e];
  slots = row(e);
  return true;
}

void UserTable::grow() {
  const std::size_t new_capacity = capacity_ * 2, new_mask = new_capacity - 1;
  int64_t* keys;
  uint32_t* rows;
  allocate(new_capacity, keys, rows);
  for (std::size_t k = 0; k < capacity_; ++k) {
    if (keys_[k] == kFree) continue;
    std::size_t i = hash(keys_[k]) & new_mask;
    while (keys[i] != kFree) i = (i + 1) & new_mask;
    keys[i] = keys_[k];
    rows[i] = rows_[k];
  }
  arena_.deallocate(keys_);
  arena_.deallocate(rows_);
  keys_ = keys;
  rows_ = rows;
  capacity_ = new_capacity;
  mask_ = new_mask;
}

void UserTable::set_window_bounds(std::vector<int64_t> lower_bounds) {
  window_lower_ = std::move(lower_bounds);
  plan_folds(true);
}

void UserTable::plan_folds(bool chain) {
  const auto& accs = program_.accumulators();
  // Before set_window_bounds() (which comes before any row) no window is applied; after it, a
  // bound missing for a window is an error (std::out_of_range), as it was before the flat plan.
  auto lower = [&](const AccumulatorSpec& a) {
    return chain ? window_lower_bound(a, window_lower_) : std::numeric_limits<int64_t>::min();
  };
  auto same_but_window = [](const AccumulatorSpec& a, const AccumulatorSpec& b) {
    return a.aggregate == b.aggregate && a.property == b.property && a.filters == b.filters &&
           a.aggregate != Aggregate::CountDistinct;
  };
  // Per event, its chains as lists of accumulators, narrowest window (highest lower bound) first.
  std::vector<std::vector<std::vector<int>>> by_event(program_.events().size());
  chained_ = false;
  for (std::size_t i = 0; i < accs.size(); ++i) {
    auto& chains = by_event[static_cast<std::size_t>(accs[i].event)];
    auto found = std::find_if(chains.begin(), chains.end(), [&](const std::vector<int>& c) {
      return chain && same_but_window(accs[static_cast<std::size_t>(c[0])], accs[i]);
    });
    if (found == chains.end()) {
      chains.push_back({static_cast<int>(i)});
      continue;
    }
    auto at = found->begin();
    while (at != found->end() && lower(accs[static_cast<std::size_t>(*at)]) >= lower(accs[i])) ++at;
    found->insert(at, static_cast<int>(i));
    chained_ = true;
  }
  event_chains_.assign(1, 0);
  chains_.clear();
  steps_.clear();
  chain_filters_.clear();
  for (const auto& chains : by_event) {
    for (const std::vector<int>& members : chains) {
      const AccumulatorSpec& first = accs[static_cast<std::size_t>(members[0])];
      FoldChain c{first.aggregate,
                  first.property,
                  static_cast<uint32_t>(steps_.size()),
                  static_cast<uint32_t>(members.size()),
                  static_cast<uint32_t>(chain_filters_.size()),
                  static_cast<uint32_t>(first.filters.size())};
      for (int a : members) {
        const AccumulatorSpec& acc = accs[static_cast<std::size_t>(a)];
        steps_.push_back(FoldStep{lower(acc), acc.slot, a});
      }
      chain_filters_.insert(chain_filters_.end(), first.filters.begin(), first.filters.end());
      chains_.push_back(c);
    }
    event_chains_.push_back(static_cast<uint32_t>(chains_.size()));
  }
}

void UserTable::finish() {
  if (finished_) return;
  finished_ = true;
  if (!chained_) return;
  // Each window of a chain added into the next wider one, in chain order, as slot offsets: sums
  // and counts (one slot, or avg's two) are plain additions, min and max go through
  // combine_slots().
  struct Cumulation {
    int32_t wider, narrower;
    int adds;                    // 1 or 2 slots added; 0: combine_slots()
    const AccumulatorSpec* acc;  // for combine_slots()
  };
  const auto& accs = program_.accumulators();
  std::vector<Cumulation> cumulations;
  for (const FoldChain& chain : chains_)
    for (uint32_t j = chain.first_step + 1; j < chain.first_step + chain.steps; ++j) {
      const AccumulatorSpec& wider = accs[static_cast<std::size_t>(steps_[j].accumulator)];
      const AccumulatorSpec& narrower = accs[static_cast<std::size_t>(steps_[j - 1].accumulator)];
      const bool one = wider.property < 0 || wider.aggregate == Aggregate::Count || wider.aggregate == Aggregate::Sum;
      cumulations.push_back(Cumulation{wider.slot, narrower.slot, one ? 1 : (wider.aggregate == Aggregate::Avg ? 2 : 0), &wider});
    }
  for (std::size_t r = 0; r < users_; ++r) {
    double* slots = row(r);
    for (const Cumulation& c : cumulations) {
      if (c.adds == 1) {
        slots[c.wider] += slots[c.narrower];
      } else if (c.adds == 2) {
        slots[c.wider] += slots[c.narrower];
        slots[c.wider + 1] += slots[c.narrower + 1];
      } else {
        combine_slots(*c.acc, slots + c.wider, slots + c.narrower);
      }
    }
  }
}

void UserTable::refuse_change() { throw std::logic_error("cohort per-user table changed after finish()"); }

void UserTable::fold_distinct(const AccumulatorSpec& acc, const EventRow& row, double* s) {
  std::string_view text = row.texts[acc.property];
  std::string key;
  key.reserve(sizeof row.user_id + text.size());
  put(key, row.user_id);
  key.append(text.data(), text.size());
  if (insert_distinct(acc.distinct, key)) s[0] += 1;
}

bool UserTable::insert_distinct(int set, std::string_view key) {
  ArenaString stored(key.data(), key.size(), ArenaAllocator<char>(arena_));
  if (!distinct_[set].insert(std::move(stored)).second) return false;
  distinct_bytes_ += key.size() + 48;
  return true;
}

void UserTable::combine(double* mine, const double* other) const {
  for (const AccumulatorSpec& acc : program_.accumulators())
    if (acc.aggregate != Aggregate::CountDistinct)  // recounted from the merged values
      combine_slots(acc, mine + acc.slot, other + acc.slot);
}

void UserTable::combine_slots(const AccumulatorSpec& acc, double* a, const double* b) {
  if (acc.property < 0) {  // count(*)
    a[0] += b[0];
    return;
  }
  switch (acc.aggregate) {
    case Aggregate::Count:
    case Aggregate::Sum:
      a[0] += b[0];
      break;
    case Aggregate::Avg:
      a[0] += b[0];
      a[1] += b[1];
      break;
    case Aggregate::Min:
      if (b[1] != 0 && (a[1] == 0 || pg_float_cmp(b[0], a[0]) < 0)) a[0] = b[0];
      if (b[1] != 0) a[1] = 1;
      break;
    case Aggregate::Max:
      if (b[1] != 0 && (a[1] == 0 || pg_float_cmp(b[0], a[0]) > 0)) a[0] = b[0];
      if (b[1] != 0) a[1] = 1;
      break;
    case Aggregate::CountDistinct:
      break;
  }
}

void UserTable::export_state(std::size_t chunk_bytes, const std::function<void(std::string_view)>& sink) const {
  require_open();
  std::string chunk(1, kEntriesChunk);
  auto flush = [&](char kind) {
    if (chunk.size() > 1) sink(chunk);
    chunk.assign(1, kind);
  };
  auto put_entry = [&](int64_t user_id, const double* slots) {
    put(chunk, user_id);
    chunk.append(reinterpret_cast<const char*>(slots), 8 * per_user_);
    if (chunk.size() >= chunk_bytes) flush(kEntriesChunk);
  };
  for (std::size_t r = 0; r < users_; ++r) put_entry(row_users_[r], row(r));
  flush(kDistinctChunk);
  for (std::size_t set = 0; set < distinct_.size(); ++set) {
    for (const ArenaString& key : distinct_[set]) {
      put(chunk, static_cast<uint32_t>(set));
      put(chunk, static_cast<uint32_t>(key.size()));
      chunk.append(key.data(), key.size());
      if (chunk.size() >= chunk_bytes) flush(kDistinctChunk);
    }
  }
  flush(kDistinctChunk);
}

void UserTable::merge_state(std::string_view chunk) {
  require_open();
  if (chunk.empty()) throw std::invalid_argument("empty cohort state chunk");
  if (chunk[0] == kEntriesChunk)
    merge_entries(chunk.substr(1));
  else if (chunk[0] == kDistinctChunk)
    merge_distinct(chunk.substr(1));
  else
    throw std::invalid_argument("unknown cohort state chunk kind");
}

void UserTable::merge_entries(std::string_view body) {
  const std::size_t entry = 8 + 8 * per_user_;
  if (body.size() % entry != 0) throw std::invalid_argument("cohort state chunk of partial entries");
  std::vector<double> other(per_user_);
  for (std::size_t pos = 0; pos < body.size(); pos += entry) {
    int64_t user_id;
    std::memcpy(&user_id, body.data() + pos, 8);
    if (per_user_ > 0) std::memcpy(other.data(), body.data() + pos + 8, 8 * per_user_);
    combine(find_or_insert(user_id), other.data());
  }
}

void UserTable::merge_distinct(std::string_view body) {
  std::size_t pos = 0;
  while (pos < body.size()) {
    uint32_t set = take<uint32_t>(body, pos);
    uint32_t length = take<uint32_t>(body, pos);
    if (set >= distinct_.size() || length < 8 || body.size() - pos < length)
      throw std::invalid_argument("malformed count_distinct value in cohort state chunk");
    std::string_view key = body.substr(pos, length);
    pos += length;
    if (!insert_distinct(static_cast<int>(set), key)) continue;
    int64_t user_id;
    std::memcpy(&user_id, key.data(), 8);
    find_or_insert(user_id)[distinct_slot_[set]] += 1;
  }
}

std::size_t UserTable::bytes() const {
  return capacity_ * (sizeof(int64_t) + sizeof(uint32_t)) + chunks_.size() * std::max<std::size_t>(1, kChunkRows * per_user_) * sizeof(double) +
         chunks_.capacity() * sizeof(double*) + row_users_.capacity() * sizeof(int64_t) + distinct_bytes_;
}

}  // namespace cohort
