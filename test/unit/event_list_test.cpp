// EventList's chunks: order, sortedness, (de)serialization and appends across chunk edges, and
// the memory it draws (growing never frees; the sorted view's copy is freed with it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/event_list.hpp"
#include "test_util.hpp"

namespace {

using cohort::EventList;
using cohort::SortedEvents;
using cohort::TimedEvent;

// The events of a list in the order they were added, read chunk by chunk.
std::vector<TimedEvent> in_order(const EventList& list) {
  std::vector<TimedEvent> out;
  list.for_each_chunk([&](const TimedEvent* first, std::size_t n) { out.insert(out.end(), first, first + n); });
  return out;
}

// The reference order of `events` (a copy sorted by event_before).
std::vector<TimedEvent> sorted_copy(std::vector<TimedEvent> events) {
  std::sort(events.begin(), events.end(), cohort::event_before);
  return events;
}

bool same(const std::vector<TimedEvent>& a, const TimedEvent* b, std::size_t n) {
  if (a.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (a[i].ts != b[i].ts || a[i].mask != b[i].mask) return false;
  return true;
}

// Sizes at, just before and just after the first chunk edges, and a few large ones.
std::vector<std::size_t> edge_sizes() {
  std::vector<std::size_t> sizes = {0, 1, 2};
  std::size_t total = 0;
  for (unsigned k = 0; k < 20; ++k) {
    total += EventList::chunk_capacity(k);
    sizes.insert(sizes.end(), {total - 1, total, total + 1});
  }
  sizes.push_back(50000);
  return sizes;
}

TEST(EventList, ChunksArePowersOfTwoAndEveryChunkButTheLastIsFull) {
  std::size_t total = 0;
  for (unsigned k = 0; k < 40; ++k) {
    std::size_t bytes = EventList::chunk_bytes(k);
    EXPECT_EQ(bytes & (bytes - 1), 0u) << k;
    EXPECT_GE(bytes, 128u);
    EXPECT_LE(bytes, 8192u);
    EXPECT_GT(EventList::chunk_capacity(k), 0u);
    total += EventList::chunk_capacity(k);
  }
  for (std::size_t n : edge_sizes()) {
    EventList list(cohort::heap_arena());
    std::vector<std::size_t> counts;
    for (std::size_t i = 0; i < n; ++i) list.add(static_cast<std::int64_t>(i), 1);
    list.for_each_chunk([&](const TimedEvent*, std::size_t c) { counts.push_back(c); });
    for (std::size_t k = 0; k + 1 < counts.size(); ++k) EXPECT_EQ(counts[k], EventList::chunk_capacity(static_cast<unsigned>(k))) << n;
    if (!counts.empty()) {
      EXPECT_GE(counts.back(), 1u);
      EXPECT_LE(counts.back(), EventList::chunk_capacity(static_cast<unsigned>(counts.size() - 1)));
    }
  }
}

TEST(EventList, KeepsOrderSortsAndSerializesAcrossChunkEdges) {
  std::mt19937_64 rng(41);
  for (std::size_t n : edge_sizes()) {
    for (bool in_time_order : {false, true}) {
      EventList list(cohort::heap_arena());
      std::vector<TimedEvent> added;
      for (std::size_t i = 0; i < n; ++i) {
        std::int64_t ts = in_time_order ? static_cast<std::int64_t>(i / 3) : static_cast<std::int64_t>(rng() % 1000);
        TimedEvent e{ts, static_cast<std::uint32_t>(1 + rng() % 7)};
        if (in_time_order) e.mask = 1;  // ties with equal masks keep the order sorted
        added.push_back(e);
        list.add(e.ts, e.mask);
      }
      ASSERT_EQ(list.size(), n);
      EXPECT_TRUE(same(added, in_order(list).data(), list.size())) << n;
      EXPECT_EQ(list.sorted(), std::is_sorted(added.begin(), added.end(), cohort::event_before)) << n;

      std::string bytes(list.serialized_size(), '\0');
      auto* out = reinterpret_cast<unsigned char*>(bytes.data());
      EXPECT_EQ(list.write_to(out), out + bytes.size());
      EventList back(cohort::heap_arena());
      back.add(99, 1);  // read_from replaces what was there
      back.read_from(bytes, 3, false);
      EXPECT_TRUE(same(added, in_order(back).data(), back.size())) << n;
      EXPECT_EQ(back.sorted(), list.sorted());

      std::vector<TimedEvent> expected = sorted_copy(added);
      SortedEvents view(list);
      EXPECT_TRUE(same(expected, view.data(), view.size())) << n;
    }
  }
}

TEST(EventList, AppendsAnotherListAndItself) {
  for (std::size_t n : {std::size_t{0}, std::size_t{3}, std::size_t{4}, std::size_t{700}}) {
    EventList a(cohort::heap_arena());
    EventList b(cohort::heap_arena());
    std::vector<TimedEvent> expected;
    for (std::size_t i = 0; i < n; ++i) {
      a.add(static_cast<std::int64_t>(i), 1);
      expected.push_back({static_cast<std::int64_t>(i), 1});
    }
    for (std::size_t i = 0; i < 5; ++i) {
      b.add(static_cast<std::int64_t>(n + i), 2);
      expected.push_back({static_cast<std::int64_t>(n + i), 2});
    }
    a.append(b);
    EXPECT_TRUE(a.sorted());  // b's rows all come after a's
    std::vector<TimedEvent> once = expected;
    expected.insert(expected.end(), once.begin(), once.end());
    a.append(a);  // exactly the rows it had when called
    EXPECT_TRUE(same(expected, in_order(a).data(), a.size())) << n;
    EXPECT_FALSE(a.sorted());
    SortedEvents view(a);
    EXPECT_TRUE(same(sorted_copy(expected), view.data(), view.size())) << n;
  }
}

TEST(EventList, MovesItsChunks) {
  EventList a(cohort::heap_arena());
  for (int i = 0; i < 100; ++i) a.add(100 - i, 1);
  EventList b(std::move(a));
  EXPECT_EQ(b.size(), 100u);
  EXPECT_FALSE(b.sorted());
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the moved-from list is empty and usable
  a.add(1, 1);
  EXPECT_EQ(in_order(a).size(), 1u);
  SortedEvents view(b);
  EXPECT_EQ(view.data()[0].ts, 1);
  EXPECT_EQ(view.data()[99].ts, 100);
}

TEST(EventList, GrowingFreesNothingAndWastesLittle) {
  for (std::size_t n : edge_sizes()) {
    cohort_test::CountingArena arena;
    {
      EventList list(arena);
      for (std::size_t i = 0; i < n; ++i) list.add(static_cast<std::int64_t>(n - i), 1);
      // No allocation is ever given back while the list grows (its peak is what it holds).
      EXPECT_EQ(arena.peak(), arena.current()) << n;
      for (std::size_t bytes : arena.all_sizes()) EXPECT_LE(bytes, 8192u);
      // What it holds: the events, 8 bytes of link and at most 4 of rounding a chunk, the second
      // chunk's list of the next chunks, and the last chunk's free room. No chunk is bigger than
      // all chunks before it together, and from 1,000 events on the list holds at most 5/3 of its
      // events' bytes (a new chunk with one event).
      if (n > 0) {
        const std::size_t list_bytes = EventList::kListedChunks * sizeof(void*);
        std::size_t last = arena.all_sizes().back();
        EXPECT_LE(arena.current(), 12 * n + 12 * arena.allocations() + list_bytes + last) << n;
        if (arena.allocations() > 2) EXPECT_LE(last, arena.current() - last) << n;
      }
      if (n >= 1000) EXPECT_LE(arena.current() * 3, 12 * n * 5 + 36 * arena.allocations()) << n;
      if (n > 20000) EXPECT_LE(arena.current(), 12 * n * 105 / 100 + 8192) << n;  // chunks of 8 kB
      std::size_t before = arena.current();
      {
        SortedEvents view(list);
        if (list.size() > EventList::chunk_capacity(0)) {
          EXPECT_EQ(arena.current(), before + 12 * n) << n;  // one copy of exactly the events
        } else {
          EXPECT_EQ(arena.current(), before) << n;  // one chunk: sorted in place
        }
        EXPECT_TRUE(std::is_sorted(view.data(), view.data() + view.size(), cohort::event_before));
      }
      EXPECT_EQ(arena.current(), before) << n;  // the copy is freed with the view
    }
    EXPECT_EQ(arena.current(), 0u) << n;  // the list frees every chunk
  }
}

TEST(EventList, SortsOneChunkInPlaceAndStaysSorted) {
  cohort_test::CountingArena arena;
  EventList list(arena);
  list.add(3, 1);
  list.add(1, 2);
  list.add(2, 1);
  EXPECT_FALSE(list.sorted());
  std::size_t allocations = arena.allocations();
  {
    SortedEvents view(list);
    ASSERT_EQ(view.size(), 3u);
    EXPECT_EQ(view.data()[0].ts, 1);
    EXPECT_EQ(view.data()[2].ts, 3);
  }
  EXPECT_EQ(arena.allocations(), allocations);
  EXPECT_TRUE(list.sorted());
  list.add(4, 1);  // after the new last event
  EXPECT_TRUE(list.sorted());
  list.add(0, 1);
  EXPECT_FALSE(list.sorted());
  std::vector<TimedEvent> rows = in_order(list);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].ts, 1);  // sorted in place: the list's own order changed
  EXPECT_EQ(rows[4].ts, 0);
}

}  // namespace
