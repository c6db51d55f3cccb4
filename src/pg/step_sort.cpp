// The on-disk sort behind cohort.funnel_levels: three int8 columns (user id, time, tie key),
// sorted on all three as event_before() orders a user's rows.
#include "pg/step_sort.hpp"

namespace cohort::pg {

StepSort::StepSort(MemoryContext context) {
  users_.reserve(kBatchRows);
  events_.reserve(kBatchRows);
  pg_call([&] {
    MemoryContext old = MemoryContextSwitchTo(context);
    desc_ = CreateTemplateTupleDesc(3);
    TupleDescInitEntry(desc_, 1, "user_id", INT8OID, -1, 0);
    TupleDescInitEntry(desc_, 2, "ts", INT8OID, -1, 0);
    TupleDescInitEntry(desc_, 3, "tie", INT8OID, -1, 0);
    in_ = MakeSingleTupleTableSlot(desc_, &TTSOpsVirtual);
    out_ = MakeSingleTupleTableSlot(desc_, &TTSOpsMinimalTuple);
    AttrNumber columns[3] = {1, 2, 3};
    Oid operators[3] = {Int8LessOperator, Int8LessOperator, Int8LessOperator};
    Oid collations[3] = {InvalidOid, InvalidOid, InvalidOid};
    bool nulls_first[3] = {false, false, false};
    sort_ = tuplesort_begin_heap(desc_, 3, columns, operators, collations, nulls_first, work_mem, nullptr,
                                 TUPLESORT_NONE);
    MemoryContextSwitchTo(old);
  });
}

void StepSort::put_buffered() {
  pg_call([&] {
    for (std::size_t i = 0; i < users_.size(); ++i) {
      ExecClearTuple(in_);
      in_->tts_values[0] = Int64GetDatum(users_[i]);
      in_->tts_values[1] = Int64GetDatum(events_[i].ts);
      // tie_key() is below 2^38: as int8 it orders as the unsigned key does.
      in_->tts_values[2] = Int64GetDatum(static_cast<int64>(tie_key(events_[i].mask)));
      in_->tts_isnull[0] = in_->tts_isnull[1] = in_->tts_isnull[2] = false;
      ExecStoreVirtualTuple(in_);
      tuplesort_puttupleslot(sort_, in_);
    }
    CHECK_FOR_INTERRUPTS();
  });
  users_.clear();
  events_.clear();
}

void StepSort::sort() {
  put_buffered();
  pg_call([&] { tuplesort_performsort(sort_); });
}

bool StepSort::next(std::size_t capacity, std::vector<int64_t>& users, std::vector<TimedEvent>& events) {
  users.resize(capacity);
  events.resize(capacity);
  std::size_t n = 0;
  pg_call([&] {
    CHECK_FOR_INTERRUPTS();
    while (n < capacity && tuplesort_gettupleslot(sort_, true, false, out_, nullptr)) {
      slot_getallattrs(out_);
      users[n] = DatumGetInt64(out_->tts_values[0]);
      // The mask is the tie key's low half.
      events[n] = TimedEvent{DatumGetInt64(out_->tts_values[1]),
                             static_cast<uint32_t>(DatumGetInt64(out_->tts_values[2]) & 0xFFFFFFFF)};
      ++n;
    }
  });
  users.resize(n);
  events.resize(n);
  return n > 0;
}

void StepSort::end() {
  pg_call([&] {
    tuplesort_end(sort_);
    ExecDropSingleTupleTableSlot(in_);
    ExecDropSingleTupleTableSlot(out_);
    sort_ = nullptr;
    in_ = out_ = nullptr;
  });
}

}  // namespace cohort::pg
