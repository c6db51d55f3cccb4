// Per-user accumulator state built from one pass over the events.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>
#include <string>
#include <string_view>
#include <unordered_set>

#include <boost/container/vector.hpp>

#include "core/arena.hpp"
#include "core/compare.hpp"
#include "core/program.hpp"

namespace cohort {

// One events row as the scan delivers it.
struct EventRow {
  int64_t user_id = 0;
  int event = -1;                      // Program::events() index, -1 for other events
  int64_t ts = 0;                      // microseconds; the scan already dropped ts > as_of
  const double* numbers = nullptr;     // per Program::properties(), numeric ones
  const std::string_view* texts = nullptr;  // per Program::properties(), text ones
  const bool* nulls = nullptr;         // per Program::properties()
  const bool* filters = nullptr;       // per Program::filters(): true when the row passes
};

// Users seen in the events, with each one's accumulator slots: an open-addressing hash table of
// user ids, each with the number of its row (12 bytes an entry, so registering a user for the
// universe touches small, cache-resident arrays), and the rows of slots dense, in the order the
// users came, in chunks that never move (a new user's row is zeroed when it comes; after that,
// only events that feed an accumulator touch it). prefetch() starts loading a user's entry a few
// rows early; known_slots() (used by fold_ahead.hpp) or prefetch_slots() then its slots.
class UserTable {
 public:
  using ArenaString = std::basic_string<char, std::char_traits<char>, ArenaAllocator<char>>;

  UserTable(const Program& program, Arena& arena);
  ~UserTable();
  UserTable(const UserTable&) = delete;
  UserTable& operator=(const UserTable&) = delete;

  // Sets the lower ts bound of each window (Program::window_days() order), before any add().
  void set_window_bounds(std::vector<int64_t> lower_bounds);

  // Folds one event into its user's accumulators (registering the user).
  void add(const EventRow& row) {
    require_open();
    fold_into(row, find_or_insert(row.user_id));
  }
  // Folds one event into `slots`, its user's slots as known_slots() returned them (rows never
  // move, so they stay valid while users are added).
  void add_known(const EventRow& row, double* slots) {
    require_open();
    fold_into(row, slots);
  }
  // The slots of `user_id` if the user is in the table (then also starting to load them, as a
  // hint), else nullptr.
  double* known_slots(int64_t user_id) {
    if (user_id == kFree) return free_row_ == npos ? nullptr : row(free_row_);
    for (std::size_t i = hash(user_id) & mask_;; i = (i + 1) & mask_) {
      const int64_t key = keys_[i];
      if (key == user_id) {
        double* slots = row(rows_[i]);
        __builtin_prefetch(slots);
        return slots;
      }
      if (key == kFree) return nullptr;
    }
  }
  // Ends the folding and merging: accumulators that differ only in their windows are folded once
  // per row (into the narrowest window holding it) and made cumulative here. Where there are such
  // accumulators, find() and slots() need it first, and add(), merge_state() and export_state()
  // are refused after it (std::logic_error).
  void finish();
  // Starts loading the hash entry `user_id` is first looked for at (a hint). Always inlined: GCC
  // takes a function holding only prefetches for one without effects and drops calls to it that
  // early inlining left.
  [[gnu::always_inline]] void prefetch(int64_t user_id) const {
    const std::size_t i = hash(user_id) & mask_;
    __builtin_prefetch(keys_ + i);
    __builtin_prefetch(rows_ + i);
  }
  // Starts loading the slots of `user_id` when its entry, read from memory a prefetch() earlier,
  // is the first one looked at (a hint; nothing when the user is new or further on, or is the
  // user whose id is kFree, which has no entry: kFree also marks the free entries).
  [[gnu::always_inline]] void prefetch_slots(int64_t user_id) const {
    const std::size_t i = hash(user_id) & mask_;
    if (user_id != kFree && keys_[i] == user_id) __builtin_prefetch(row(rows_[i]));
  }

  // The program whose accumulators the table holds.
  const Program& program() const { return program_; }
  // Number of distinct users seen.
  std::size_t size() const { return users_; }
  // The slots of `user_id`, or nullptr when the user has no events.
  const double* find(int64_t user_id) const;
  // Entries in memory order, for passes over every user (rows stream instead of being fetched one
  // user at a time): indexes run over [0, entries()), one per user, in the order the users came.
  // Reading them needs finish() as find() does.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t entries() const { return users_; }
  // The user and slots at entry `e`; false when e >= entries().
  bool entry(std::size_t e, int64_t& user_id, const double*& slots) const;
  // Calls visit(e, user_id, slots) for every entry, in memory order.
  template <typename Visit>
  void for_each_entry(Visit&& visit) const {
    for (std::size_t e = 0; e < entries(); ++e) {
      int64_t user_id;
      const double* slots;
      if (entry(e, user_id, slots)) visit(e, user_id, slots);
    }
  }
  // The entry of `user_id`, or npos when the user has no events.
  std::size_t entry_of(int64_t user_id) const;
  // Bytes held, for memory accounting.
  std::size_t bytes() const;

  // Writes the table (entries, then count_distinct values) in chunks of about `chunk_bytes`,
  // for merge_state() of a table of the same program in another process.
  void export_state(std::size_t chunk_bytes, const std::function<void(std::string_view)>& sink) const;
  // Combines a chunk from export_state() into this table, as if its events had been folded here.
  // Throws std::invalid_argument for a malformed chunk.
  void merge_state(std::string_view chunk);

 private:
  // Hashes an ArenaString by its bytes.
  struct StringHash {
    std::size_t operator()(const ArenaString& s) const noexcept {
      return std::hash<std::string_view>()(std::string_view(s.data(), s.size()));
    }
  };
  using DistinctSet = std::unordered_set<ArenaString, StringHash, std::equal_to<ArenaString>,
                                         ArenaAllocator<ArenaString>>;

  // A hash table entry: a user id (kFree for none) and the number of its row of slots. The user
  // whose id is kFree has no entry: its row is free_row_.
  static constexpr int64_t kFree = INT64_MIN;
  // Rows of slots per chunk (a power of two): chunks are allocated as users come, never moved.
  static constexpr std::size_t kChunkShift = 10;
  static constexpr std::size_t kChunkRows = std::size_t{1} << kChunkShift;
  static uint64_t hash(int64_t key) {
    uint64_t h = static_cast<uint64_t>(key);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }
  // The slots of row `r`.
  double* row(std::size_t r) const { return chunks_[r >> kChunkShift] + (r & (kChunkRows - 1)) * per_user_; }
  // Allocates key and row arrays for `capacity` free entries.
  void allocate(std::size_t capacity, int64_t*& keys, uint32_t*& rows);
  // A new row of zeroed slots for `user_id`; its number.
  uint32_t new_row(int64_t user_id);
  // The slots of `user_id`, inserting a zeroed row when new.
  double* find_or_insert(int64_t user_id);
  // Doubles the entry array (rows stay where they are).
  void grow();
  // Accumulators of one event that differ only in their windows (count_distinct aside), narrowest
  // window first: a row feeds the narrowest it lies in, finish() adds each into the next wider.
  // Without window bounds (or before set_window_bounds()) each accumulator is a chain of its own.
  struct FoldStep {  // one accumulator of a chain
    int64_t lower;        // its window's lower ts bound (INT64_MIN without a window)
    int32_t slot;         // its first slot
    int32_t accumulator;  // its Program::accumulators() index
  };
  struct FoldChain {
    Aggregate aggregate;
    int32_t property;                // Program::properties() index, -1 for count(*)
    uint32_t first_step, steps;      // its accumulators: steps_[first_step, first_step + steps)
    uint32_t first_filter, filters;  // Program::filters() all must pass: chain_filters_[...]
  };
  // Builds event_chains_, chains_, steps_ and chain_filters_ from the program's accumulators and
  // window_lower_; `chain`: accumulators that differ only in their windows share a chain.
  void plan_folds(bool chain);
  // Folds one event into the accumulators of its event in `slots`: per chain, into the narrowest
  // window the row lies in. Inline: it runs once per row kept.
  void fold_into(const EventRow& row, double* slots) {
    if (row.event < 0) return;
    const FoldChain* c = chains_.data() + event_chains_[static_cast<std::size_t>(row.event)];
    const FoldChain* const end = chains_.data() + event_chains_[static_cast<std::size_t>(row.event) + 1];
    for (; c != end; ++c) {
      const FoldStep* step = steps_.data() + c->first_step;
      const FoldStep* const last = step + c->steps;
      while (step != last && row.ts < step->lower) ++step;
      if (step != last && passes_filters(*c, row)) fold_value(*c, *step, row, slots + step->slot);
    }
  }
  // Whether `row` passes every filter of chain `c`.
  bool passes_filters(const FoldChain& c, const EventRow& row) const {
    for (uint32_t f = c.first_filter; f < c.first_filter + c.filters; ++f)
      if (!row.filters[chain_filters_[f]]) return false;
    return true;
  }
  // Folds `row` into the slots `s` of `step`, an accumulator of chain `c`.
  void fold_value(const FoldChain& c, const FoldStep& step, const EventRow& row, double* s) {
    if (c.property < 0) {  // count(*)
      s[0] += 1;
      return;
    }
    if (row.nulls[c.property]) return;
    const double x = row.numbers[c.property];
    switch (c.aggregate) {
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
      case Aggregate::CountDistinct:
        fold_distinct(program_.accumulators()[static_cast<std::size_t>(step.accumulator)], row, s);
        break;
    }
  }
  // fold_value()'s count_distinct case, kept out of line: its string would give every fold a
  // frame (saved registers, stack protector).
  [[gnu::noinline]] void fold_distinct(const AccumulatorSpec& acc, const EventRow& row, double* s);
  // Combines another table's slots for one user into `mine` (count_distinct excepted).
  void combine(double* mine, const double* other) const;
  // Combines the slots `b` of one accumulator into the slots `a` of the same aggregate.
  static void combine_slots(const AccumulatorSpec& acc, double* a, const double* b);
  // Throws std::logic_error when a chained table is finished (for add(), merge_state(), export_state()).
  // Only a chained table's slots change in finish(): folding or merging into them after it, or
  // exporting them to be cumulated again, would count rows twice.
  void require_open() const {
    if (finished_ && chained_) refuse_change();
  }
  [[noreturn]] static void refuse_change();

  // Adds one count_distinct value (user id bytes, then the text) to set `set`; true when new.
  bool insert_distinct(int set, std::string_view key);
  void merge_entries(std::string_view body);
  void merge_distinct(std::string_view body);

  const Program& program_;
  Arena& arena_;
  std::size_t per_user_;
  int64_t* keys_ = nullptr;   // capacity_ user ids, kFree where free
  uint32_t* rows_ = nullptr;  // the row of each key
  std::size_t capacity_ = 0, mask_ = 0;
  std::size_t users_ = 0;  // distinct users seen: rows [0, users_) are in use
  std::size_t free_row_ = npos;  // the row of the user whose id is kFree, if seen
  boost::container::vector<double*, ArenaAllocator<double*>> chunks_;  // kChunkRows rows each
  boost::container::vector<int64_t, ArenaAllocator<int64_t>> row_users_;  // the user of each row
  boost::container::vector<DistinctSet, ArenaAllocator<DistinctSet>> distinct_;
  std::vector<uint32_t> event_chains_;  // event e's chains: chains_[event_chains_[e], event_chains_[e + 1])
  std::vector<FoldChain> chains_;
  std::vector<FoldStep> steps_;
  std::vector<int> chain_filters_;
  bool chained_ = false;                             // some chain has more than one accumulator
  bool finished_ = false;
  std::vector<int> distinct_slot_;           // slot counted by each distinct-value set
  std::vector<int64_t> window_lower_;
  std::size_t distinct_bytes_ = 0;
};

}  // namespace cohort
