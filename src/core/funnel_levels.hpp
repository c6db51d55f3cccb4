// window_funnel for every user at once: FunnelLevels from rows in any order, SortedRunLevels from
// rows grouped by user and sorted by time.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/arena.hpp"
#include "core/event_list.hpp"
#include "core/funnel.hpp"

namespace cohort {

// window_funnel for every user at once from rows in any order. Each row is appended, 12 bytes, to
// one of 256 buckets chosen by its user's dense index (a small hash table of user ids); finish()
// then takes one bucket at a time, groups its rows by user with a counting sort that fits in the
// cache, and puts each user's run, sorted by time, through window_funnel(). No per-user state is
// touched at random per row (as a hash aggregate's is) and the rows are never copied whole.
// When the rows outgrow memory, spill() sends each bucket's rows elsewhere (a temporary file) a
// block at a time; they come back one bucket at a time through append() and level_bucket().
class FunnelLevels {
 public:
  static constexpr unsigned kBucketBits = 8;
  static constexpr std::uint32_t kBuckets = 1u << kBucketBits;
  // One row: its time, and its user's index within the bucket (high 24 bits) with its code (low 8).
  struct __attribute__((packed, aligned(4))) Row {
    std::int64_t ts;
    std::uint32_t tag;
  };
  static_assert(sizeof(Row) == 12, "a row is 12 bytes");
  // Where spilled rows go: (bucket, rows, count).
  using Sink = std::function<void(std::uint32_t, const Row*, std::size_t)>;
  // Rows a spilling bucket holds before they go to the sink (a 12 kB block).
  static constexpr std::uint32_t kSpillBlockRows = 1024;

  // `params`: window, steps (1..32) and modes (kStrictOrder is not allowed: only step rows are
  // collected). `step_masks[code]` is the step mask of a row added with that code (at most 256
  // codes; a mask of 0 marks rows to drop). Throws InvalidParameter for kStrictOrder or more codes.
  FunnelLevels(const FunnelParams& params, std::vector<std::uint32_t> step_masks, Arena& arena);
  ~FunnelLevels();
  FunnelLevels(const FunnelLevels&) = delete;
  FunnelLevels& operator=(const FunnelLevels&) = delete;

  // Adds one row whose steps are step_masks[code] (code < step_masks.size()); rows without a step
  // are dropped.
  void add(std::int64_t user_id, std::int64_t ts, std::uint32_t code) {
    if (masks_[code] == 0) return;
    const std::uint32_t user = user_index(user_id);
    Bucket& b = buckets_[user & (kBuckets - 1)];
    if (b.next == b.end) new_chunk(b);
    *b.next++ = Row{ts, ((user >> kBucketBits) << 8) | code};
  }
  // Bytes finish() will hold at its peak (rows, one bucket's regrouped copy, users), for memory
  // accounting.
  std::size_t bytes() const;
  // Bytes held for the users alone (ids, their index and levels), which grow while spilling.
  std::size_t user_bytes() const;
  // Bytes held at the peak of bringing `rows` spilled rows back into an empty bucket (reserve(),
  // append() and level_bucket()) once every other bucket is empty: the rows, their copy
  // regrouped by user, and the users.
  std::size_t reload_bytes(std::size_t rows) const {
    return rows * (sizeof(Row) + sizeof(TimedEvent)) + user_bytes();
  }
  // Calls emit(user_id, level) once per user with rows, in ascending user order; frees the rows.
  // Calls between_buckets(), if given, before each bucket (to check for interrupts). Not after
  // spill().
  void finish(const std::function<void(std::int64_t, int)>& emit, const std::function<void()>& between_buckets = {});

  // From now on every bucket's rows go to `sink`: those held now at once, later ones
  // kSpillBlockRows at a time (so that each bucket holds at most one block).
  void spill(Sink sink);
  // Stops spilling: every row still held goes to the sink and is freed, and the sink is not
  // called any more (rows appended from then on stay in memory).
  void end_spill();
  // Appends rows a sink was given, back to their bucket `b`; throws std::logic_error while
  // spilling (end_spill() first).
  void append(std::uint32_t b, const Row* rows, std::size_t count);
  // Makes an empty bucket `b` ready for exactly `rows` rows in one chunk (so that appending them
  // holds rows * 12 bytes and no more; not while spilling).
  void reserve(std::uint32_t b, std::size_t rows);
  // The rows bucket `b` holds in memory.
  std::size_t bucket_rows(std::uint32_t b) const { return buckets_[b].capacity - static_cast<std::size_t>(buckets_[b].end - buckets_[b].next); }
  // Computes the levels of bucket `b`'s users from the rows it holds, then frees them.
  void level_bucket(std::uint32_t b);
  // The user index and the event of row `r` of bucket `b` (one a sink was given).
  static std::uint32_t user_of(const Row& r, std::uint32_t b) { return ((r.tag >> 8) << kBucketBits) | b; }
  TimedEvent event_of(const Row& r) const { return TimedEvent{r.ts, masks_[r.tag & 0xFF]}; }
  // Records the level of the user with index `user` (computed elsewhere from its rows).
  void set_level(std::uint32_t user, int level);
  // Calls emit(user_id, level) once per user, in ascending user order (every bucket's levels
  // computed or set; a user without any is at level 0).
  void emit_levels(const std::function<void(std::int64_t, int)>& emit);
  // Users with rows so far, and the id of the user with index `user`.
  std::size_t users() const { return users_.size(); }
  std::int64_t user_id(std::uint32_t user) const { return users_[user]; }

 private:
  // A bucket's rows are kept in chunks of 1 kB doubling up to 64 kB (header included: powers of
  // two, as PostgreSQL's allocator rounds small chunks): growing never copies them, and a small
  // call holds little.
  static constexpr std::size_t kFirstChunkBytes = 1 << 10, kMaxChunkBytes = 1 << 16;
  struct Chunk {
    Chunk* next_chunk;
    std::uint32_t capacity;
    Row* rows() { return reinterpret_cast<Row*>(this + 1); }
    const Row* rows() const { return reinterpret_cast<const Row*>(this + 1); }
  };
  struct Bucket {
    Row* next = nullptr;  // where the next row goes in the last chunk
    Row* end = nullptr;   // the last chunk's end
    Chunk* first = nullptr;
    Chunk* last = nullptr;
    std::size_t capacity = 0;  // rows the bucket's chunks hold in all
  };

  // The dense index of `user_id`, registering it when new.
  std::uint32_t user_index(std::int64_t user_id) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(user_id) & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots_[i];
      if (slot == 0) return add_user(user_id, i);
      if (users_[slot - 1] == user_id) return slot - 1;
    }
  }
  // Spreads the bits of a user id over the slot index.
  static std::uint64_t hash(std::int64_t key) {
    std::uint64_t h = static_cast<std::uint64_t>(key);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }
  // Registers a new user at free slot `i`; returns its index.
  std::uint32_t add_user(std::int64_t user_id, std::size_t i);
  void grow();
  // Makes room in bucket `b` (which is full): a new chunk, or, while spilling, its block goes to
  // the sink and is reused.
  void new_chunk(Bucket& b);
  // Appends a chunk of `rows` rows to bucket `b`.
  void add_chunk(Bucket& b, std::size_t rows);
  // Frees bucket `b`'s chunks.
  void free_chunks(Bucket& b) noexcept;
  // Sends every row held to the sink and frees them.
  void send_held_rows();
  // The level array, allocated on first use (every user known by then).
  void ensure_levels();
  // Calls f(rows, count) for every chunk of bucket `b` holding rows, in the order added.
  template <typename F>
  static void for_each_run(const Bucket& b, F&& f) {
    for (const Chunk* c = b.first; c != nullptr; c = c->next_chunk) {
      const std::size_t n = c == b.last ? static_cast<std::size_t>(b.next - c->rows()) : c->capacity;
      if (n > 0) f(c->rows(), n);
    }
  }
  // Calls f(row) for every row of bucket `b`, in the order added.
  template <typename F>
  static void for_each_row(const Bucket& b, F&& f) {
    for_each_run(b, [&](const Row* rows, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) f(rows[i]);
    });
  }

  FunnelParams params_;
  std::vector<std::uint32_t> masks_;  // code -> step mask
  Arena& arena_;
  Bucket buckets_[kBuckets];
  Sink sink_;                        // set while spilling
  std::size_t capacity_ = 0;         // rows all chunks hold
  std::size_t max_bucket_rows_ = 0;  // the largest bucket's capacity (its regrouped copy in finish)
  std::vector<std::int64_t, ArenaAllocator<std::int64_t>> users_;   // dense index -> user id
  std::vector<std::uint32_t, ArenaAllocator<std::uint32_t>> slots_;  // open addressing: index + 1, 0 free
  std::vector<std::uint8_t, ArenaAllocator<std::uint8_t>> levels_;   // dense index -> level, once computed
};

// window_funnel for every user from rows that come grouped by user, each user's rows in
// event_before() order (as a sort by user id, time and tie_key() delivers them): only the current
// user's run is held, so memory does not grow with the rows. Gives what FunnelLevels gives for the
// same rows, users in the order they come.
class SortedRunLevels {
 public:
  SortedRunLevels(const FunnelParams& params, Arena& arena);
  // Adds the next row (mask 0 is dropped, as FunnelLevels drops it); when `user_id` differs from
  // the previous row's user, first calls emit(previous user, level).
  template <typename Emit>
  void add(std::int64_t user_id, const TimedEvent& event, Emit&& emit) {
    if (event.mask == 0) return;
    if (!run_.empty() && user_id != user_) {
      emit(user_, level());
      run_.clear();
    }
    user_ = user_id;
    run_.push_back(event);
  }
  // Bytes held for the current user's rows (the most any user has needed so far).
  std::size_t bytes() const { return run_.capacity() * sizeof(TimedEvent); }
  // Calls emit(user, level) for the last user, if any.
  template <typename Emit>
  void finish(Emit&& emit) {
    if (!run_.empty()) emit(user_, level());
    run_.clear();
  }

 private:
  // The current run's level (throws std::logic_error when it is not in event_before() order).
  int level();

  FunnelParams params_;
  Arena& arena_;
  std::int64_t user_ = 0;
  std::vector<TimedEvent, ArenaAllocator<TimedEvent>> run_;  // the current user's rows
};

}  // namespace cohort
