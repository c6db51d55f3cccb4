// The sequence_match / sequence_count aggregate state and its call site: rows wait for their
// states in the call site's buffer (pending_rows.hpp) while they share the pattern and the number
// of conditions of every earlier row.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/sequence_match.hpp"
#include "pg/memory_arena.hpp"
#include "pg/pending_rows.hpp"

namespace cohort::pg {

// One group's sequence_match / sequence_count state: its arena, the core state, and where rows
// of this group may still be waiting.
struct SequenceAgg {
  SequenceAgg(MemoryContext context, std::string_view pattern, unsigned conditions)
      : arena(context), state(arena, pattern, conditions) {}
  SequenceAgg(MemoryContext context, std::string_view serialized)
      : arena(context), state(cohort::SequenceState::deserialize(arena, serialized)) {}
  // Hands every waiting row over to its state (this group's and the others of its call site).
  void settle() {
    if (pending != nullptr) pending->flush();
  }

  MemoryContextArena arena;
  cohort::SequenceState state;
  PendingRows<SequenceAgg>* pending = nullptr;  // null when no row of this group can be waiting
};

// What a sequence_* transition keeps between calls (in fn_extra, for the whole query): the
// waiting rows (CallSiteRows) and the pattern and condition count every row so far had, so a row
// with the same ones needs no look at its group's state.
struct SequenceCallSite : CallSiteRows<SequenceAgg> {
  // The call site of this transition call, created on first use.
  static SequenceCallSite* of(FunctionCallInfo fcinfo);
  // Records a row's pattern and condition count; a row whose differ from earlier rows' flushes
  // and stops buffering.
  void note_params(std::string_view pattern, unsigned conditions);
  // True when a row has the pattern and condition count every earlier row had.
  bool same_params(std::string_view pattern, unsigned conditions) const {
    return has_params && conditions == conditions_ && pattern == std::string_view(pattern_, pattern_len_);
  }

 private:
  explicit SequenceCallSite(PendingRow<SequenceAgg>* buffer) : CallSiteRows<SequenceAgg>(buffer) {}

  bool has_params = false;
  unsigned conditions_ = 0;
  char* pattern_ = nullptr;  // in fn_mcxt
  std::size_t pattern_len_ = 0;
};

}  // namespace cohort::pg
