// Fuzz target: deserialization of the aggregate states (window_funnel, sequence_match, a bare
// event list, retention). The first byte picks the state kind, the rest is the serialized state.
// Any bytes deserialize or throw CohortError; a deserialized state serializes to the same bytes
// (the formats are canonical: events are kept in the order given), and its final functions and a
// combine with a second copy run without crashing.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.hpp"
#include "core/errors.hpp"
#include "core/event_list.hpp"
#include "core/funnel.hpp"
#include "core/retention.hpp"
#include "core/sequence_match.hpp"
#include "fuzz_check.hpp"

using cohort_fuzz::check;
using cohort_fuzz::fail;

namespace {

// The bytes a state's serialize() writes.
template <typename State>
std::string serialized(const State& s) {
  std::vector<unsigned char> buf(s.serialized_size());
  s.serialize(buf.data());
  return std::string(buf.begin(), buf.end());
}

// Reads a window_funnel state the way the deserialize function does.
cohort::FunnelState read_funnel(std::string_view bytes) {
  cohort::FunnelState s(cohort::heap_arena(), cohort::FunnelState::read_params(bytes));
  s.read_events(bytes);
  return s;
}

void funnel(std::string_view bytes) {
  cohort::FunnelState s = read_funnel(bytes);
  check(serialized(s) == bytes, "window_funnel state does not serialize to the same bytes");
  cohort::FunnelState other = read_funnel(bytes);
  int level = s.result();
  check(level >= 0 && level <= static_cast<int>(s.params().steps), "window_funnel level out of range");
  s.merge(other);
  level = s.result();
  check(level >= 0 && level <= static_cast<int>(s.params().steps), "window_funnel level out of range after a merge");
}

void sequence(std::string_view bytes) {
  cohort::SequenceState s = cohort::SequenceState::deserialize(cohort::heap_arena(), bytes);
  check(serialized(s) == bytes, "sequence state does not serialize to the same bytes");
  cohort::SequenceState other = cohort::SequenceState::deserialize(cohort::heap_arena(), bytes);
  bool matched = s.match();
  std::uint64_t count = s.count();
  check(matched == (count > 0), "sequence_match and sequence_count disagree");
  s.merge(other);
  check(s.match() == (s.count() > 0), "sequence_match and sequence_count disagree after a merge");
}

void event_list(std::string_view bytes) {
  if (bytes.empty()) return;
  unsigned conditions = static_cast<unsigned char>(bytes[0]) % 34;  // includes 0 and 33
  bool allow_empty = (static_cast<unsigned char>(bytes[0]) & 0x80) != 0;
  bytes.remove_prefix(1);
  cohort::EventList list(cohort::heap_arena());
  list.read_from(bytes, conditions, allow_empty);
  std::vector<unsigned char> buf(list.serialized_size());
  check(list.write_to(buf.data()) == buf.data() + buf.size(), "write_to wrote a different size");
  check(std::string(buf.begin(), buf.end()) == bytes, "event list does not serialize to the same bytes");
  cohort::EventList copy(cohort::heap_arena());
  copy.read_from(bytes, conditions, allow_empty);
  list.append(copy);
  cohort::SortedEvents sorted(list);
  check(sorted.size() == list.size(), "the sorted view has a different size");
  for (std::size_t i = 1; i < sorted.size(); ++i)
    check(!cohort::event_before(sorted.data()[i], sorted.data()[i - 1]), "event list is not sorted");
}

void retention(std::string_view bytes) {
  if (bytes.size() != 8) return;
  std::int64_t packed;
  std::memcpy(&packed, bytes.data(), sizeof packed);
  cohort::RetentionState s = cohort::RetentionState::unpack(packed);
  check(s.pack() == packed, "retention state does not pack to the same value");
  s.merge(cohort::RetentionState::unpack(packed));
  check(s.pack() == packed, "retention state changed after merging a copy");
  s.result();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 4) {
      case 0: funnel(bytes); break;
      case 1: sequence(bytes); break;
      case 2: event_list(bytes); break;
      case 3: retention(bytes); break;
    }
  } catch (const cohort::CohortError&) {
  } catch (const std::exception& e) {
    fail(std::string("state deserialization threw a non-CohortError: ") + e.what());
  }
  return 0;
}
