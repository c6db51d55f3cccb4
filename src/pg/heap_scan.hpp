// A heap scan for the direct path: visible tuples in page order, deformed only as far as asked.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "pg/buffer_map.hpp"
#include "pg/guard.hpp"
#include "pg/page_set.hpp"
#include "pg/row_policy.hpp"

namespace cohort::pg {

// How HeapScan::deform() reads a column: the usual by-value widths and varlenas each in a case of
// its own, other types (by reference with a fixed width, cstring) as slot_deform_heap_tuple() does.
enum class ColumnAccess : uint8 { Byval8, Byval4, Byval2, Byval1, Varlena, General };

// An open scan of one table under the active snapshot (or a share of a parallel scan). For the
// heap access method it reads each page's visible tuples itself (heapgetpage() decides
// visibility, as for a sequential scan in page mode) and deforms them without a slot, in
// ascending address order; for other access methods it goes through a table slot.
class HeapScan {
 public:
  // Scans the whole table, or takes part in `parallel` (pages handed out among the participants).
  explicit HeapScan(Oid relid, ParallelTableScanDesc parallel = nullptr);
  // Deforms the current tuple further, up to `natts` columns. Call inside pg_call.
  void deform(int natts);
  // The bytes of text column `index` of the current tuple without deforming it, where that is a
  // fixed offset: heap page mode, only fixed-width columns before it, none of them or it NULL,
  // the value in-line and uncompressed. False otherwise: deform() and value() then. The bytes
  // live in the page until the scan moves on.
  bool fixed_text(int index, std::string_view& out) const {
    if (!pages_ || index >= HeapTupleHeaderGetNatts(tuple_)) return false;
    const ColumnLayout& c = layout_[index];
    if (c.len != -1 || c.fixed_offset < 0) return false;
    if ((tuple_->t_infomask & HEAP_HASNULL) != 0)
      for (int i = 0; i <= index; ++i)
        if (att_isnull(i, tuple_->t_bits)) return false;
    const char* p = reinterpret_cast<const char*>(tuple_) + tuple_->t_hoff + c.fixed_offset;
    if (VARATT_IS_1B(p) && !VARATT_IS_1B_E(p)) {
      out = std::string_view(p + VARHDRSZ_SHORT, VARSIZE_1B(p) - VARHDRSZ_SHORT);
      return true;
    }
    if (VARATT_IS_4B_U(p)) {
      out = std::string_view(p + VARHDRSZ, VARSIZE_4B(p) - VARHDRSZ);
      return true;
    }
    return false;
  }
  // Readies text_then_int64() for text column `index` and the column right after it, which must
  // be 8 bytes, by value and double-aligned (a timestamp); false where the layout does not allow
  // it (not heap page mode, a varying-width column before `index`, other types).
  bool prepare_text_then_int64(int index);
  // The prepared text column's bytes and the 8-byte column after it, both straight from the
  // current tuple's page: no deforming, no per-column checks. False where the tuple has fewer
  // columns, a NULL among the first ones up to the pair, or the text is not in-line and
  // uncompressed: fixed_text(), deform() and value() then.
  [[gnu::always_inline]] bool text_then_int64(std::string_view& text, int64& after) const {
    return read_pair(pair_, tuple_, text, after);
  }
  // Where the prepared pair lies (offset -1: none prepared), copied into a caller's locals so
  // that a loop over many tuples reads it from registers.
  struct PairLayout {
    int32 offset = -1;  // the text column's fixed offset in the tuple's data
    int natts = 0;      // columns up to and including the pair's second
    bits8 null_mask = 0;  // their bits in the null bitmap (when they are at most 8)
  };
  const PairLayout& pair_layout() const { return pair_; }
  // text_then_int64() for `tuple` and the pair `pair`.
  [[gnu::always_inline]] static bool read_pair(const PairLayout& pair, HeapTupleHeader tuple, std::string_view& text,
                                               int64& after) {
    if (pair.offset < 0 || HeapTupleHeaderGetNatts(tuple) < pair.natts) return false;
    if (!pair_not_null(pair, tuple)) return false;
    const char* data = reinterpret_cast<const char*>(tuple) + tuple->t_hoff;
    const char* p = data + pair.offset;
    uint32 end;
    if (VARATT_IS_1B(p) && !VARATT_IS_1B_E(p)) {
      text = std::string_view(p + VARHDRSZ_SHORT, VARSIZE_1B(p) - VARHDRSZ_SHORT);
      end = static_cast<uint32>(pair.offset) + VARSIZE_1B(p);
    } else if (VARATT_IS_4B_U(p)) {
      text = std::string_view(p + VARHDRSZ, VARSIZE_4B(p) - VARHDRSZ);
      end = static_cast<uint32>(pair.offset) + VARSIZE_4B(p);
    } else {
      return false;
    }
    memcpy(&after, data + att_align_nominal(end, TYPALIGN_DOUBLE), sizeof after);
    return true;
  }
  // After text_then_int64() returned true for the current tuple: takes the columns up to and
  // including the pair as deformed (the fixed-width ones before it at their fixed offsets), so that
  // deform() goes on after them instead of from the first column.
  void deform_through_pair() {
    if (nvalid_ >= pair_.natts) return;  // already deformed (every event wanted: fill() did it)
    const char* data = reinterpret_cast<const char*>(tuple_) + tuple_->t_hoff;
    const int text = pair_.natts - 2;
    for (int i = 0; i < text; ++i) {
      const ColumnLayout& c = layout_[static_cast<std::size_t>(i)];
      values_[i] = fetch_att(data + c.fixed_offset, c.byval, c.len);
      isnull_[i] = false;
    }
    const char* p = data + pair_.offset;
    const uint32 after = att_align_nominal(static_cast<uint32>(pair_.offset) + VARSIZE_ANY(p), TYPALIGN_DOUBLE);
    values_[text] = PointerGetDatum(p);
    isnull_[text] = false;
    values_[text + 1] = fetch_att(data + after, true, 8);
    isnull_[text + 1] = false;
    nvalid_ = pair_.natts;
    offset_ = after + 8;
  }
  // Column `index` (attnum - 1) of the current tuple; it must be deformed.
  Datum value(int index, bool& isnull) const {
    isnull = isnull_[index];
    return values_[index];
  }
  // Fills a batch of up to `capacity` rows in `batch_context`: `keep(n)` reads the current tuple
  // (deformed up to `natts` columns; it may deform() more) into row n and says whether to keep
  // it. Sets `rows`; false once the scan is exhausted and nothing was kept. `keep` runs inside
  // pg_call: it must not throw or own destructible objects.
  template <typename Keep>
  bool fill(MemoryContext batch_context, std::size_t capacity, int natts, std::size_t& rows, Keep&& keep) {
    return fill(batch_context, capacity, natts, rows, [](HeapTupleHeader) { return true; }, keep);
  }
  // The same, where in page mode `screen(tuple)` sees each tuple first, straight from the page,
  // and false from it rejects the tuple before anything else is done with it (it must only read
  // the tuple, and say true wherever keep() could keep it).
  template <typename Screen, typename Keep>
  bool fill(MemoryContext batch_context, std::size_t capacity, int natts, std::size_t& rows, Screen&& screen,
            Keep&& keep) {
    std::size_t n = 0;
    bool more = true;
    pg_call([&] {
      CHECK_FOR_INTERRUPTS();
      MemoryContext old = MemoryContextSwitchTo(batch_context);
      if (pages_) {
        more = fill_from_pages(capacity, natts, n, screen, keep);
      } else {
        while (n < capacity) {
          if (done_ || !next_from_slot(natts)) {
            more = false;
            break;
          }
          if (keep(n)) ++n;
        }
      }
      MemoryContextSwitchTo(old);
    });
    rows = n;
    return more || n > 0;
  }
  void close();
  // From now on, policy_allows() checks the caller's row-level security `policies` (of this
  // table, or of a relation it holds rows of) on the current tuple.
  void apply_policies(const RowPolicies& policies);
  // Whether the current tuple passes the policies given to apply_policies() (true without any).
  // Call inside pg_call, before reading anything of the tuple that could raise an error.
  bool policy_allows() { return !policy_.active() || current_passes_policies(); }
  // From now on reads only the pages that may hold a row whose timestamptz column `index` is at
  // or after `lower`, as a BRIN index tells them (PageSet::since); call before the first fill().
  // Other access methods read every row.
  void skip_pages_before(int index, TimestampTz lower);
  // From now on reads only the pages of `pages` (decided by another scan of the same table under
  // the same snapshot); call before the first fill(). Other access methods read every row.
  void read_only(const PageSet& pages) {
    if (pages_) page_set_ = pages;
  }
  // The pages this scan reads (every page unless skip_pages_before() or read_only()).
  const PageSet& page_set() const { return page_set_; }
  // Pages a serial scan of the table reads (all, less those skip_pages_before() rules out).
  std::uint64_t pages_to_read() const;
  // Pages of the scan (or of this participant's share) left unread by skip_pages_before().
  std::uint64_t pages_skipped() const { return pages_skipped_; }
  // Pages pinned by a guessed buffer (the stride's or the buffer map's), without a lookup.
  std::uint64_t pages_guessed() const { return pages_guessed_; }
  // Tuples of the pages read so far, counted a page at a time (a page's tuples are counted when
  // it is read): what a caller measures selectivity by, at no cost per row.
  std::uint64_t rows_read() const { return rows_read_; }

 private:
  // Whether none of the columns up to `pair` is NULL in `tuple`. Up to 8 columns without a
  // branch on whether the tuple has a null bitmap (rows of an events table with an optional column
  // have one or not in no order; measured much faster than the branch, though why exactly is not
  // established, see docs/performance-log.md): without one, its first byte (t_bits[0], inside
  // every tuple's header since t_hoff >= 24) counts as all ones.
  [[gnu::always_inline]] static bool pair_not_null(const PairLayout& pair, HeapTupleHeader tuple) {
    static_assert(offsetof(HeapTupleHeaderData, t_bits) < MAXALIGN(SizeofHeapTupleHeader),
                  "the null bitmap's first byte lies within the smallest tuple header");
    const bool has_nulls = (tuple->t_infomask & HEAP_HASNULL) != 0;
    if (pair.natts <= 8) {
      const auto present = static_cast<bits8>(tuple->t_bits[0] | static_cast<bits8>(has_nulls ? 0 : 0xFF));
      return (present & pair.null_mask) == pair.null_mask;
    }
    if (!has_nulls) return true;
    for (int i = 0; i < pair.natts; ++i)
      if (att_isnull(i, tuple->t_bits)) return false;
    return true;
  }
  // fill()'s loop in page mode: the current page's visible tuples in a tight loop, then the next
  // page's. Returns false once the scan is exhausted. The loop keeps what it needs for a tuple
  // the screen rejects in locals, so that such a tuple costs no store to the scan's members.
  template <typename Screen, typename Keep>
  bool fill_from_pages(std::size_t capacity, int natts, std::size_t& n, Screen& screen, Keep& keep) {
    auto* h = reinterpret_cast<HeapScanDesc>(scan_);
    while (n < capacity) {
      if (done_) return false;
      if (!on_page_ || index_ >= h->rs_ntuples) {
        on_page_ = next_page();
        if (!on_page_) {
          done_ = true;
          return false;
        }
      }
      char* const page = static_cast<char*>(BufferGetPage(h->rs_cbuf));
      const uint16* visible = tuple_offsets_;
      const int count = h->rs_ntuples;
      const int first = index_;
      const char* const ahead_page = ahead_page_;
      int ahead_offset = ahead_offset_;
      int i = first;
      std::size_t kept = n;
      while (i < count && kept < capacity) {
        // The next tuple the screen passes: the others cost the screen and the prefetch alone.
        HeapTupleHeader tuple = nullptr;
        while (i < count) {
          const auto candidate = reinterpret_cast<HeapTupleHeader>(page + visible[i]);
          ++i;
          if (ahead_offset < BLCKSZ) {  // the next page's lines, two a tuple (next_page())
            __builtin_prefetch(ahead_page + ahead_offset);
            __builtin_prefetch(ahead_page + ahead_offset + 64);
            ahead_offset += 128;
          }
          if (screen(candidate)) {
            tuple = candidate;
            break;
          }
        }
        if (tuple == nullptr) break;
        tuple_ = tuple;
        nvalid_ = 0;
        offset_ = 0;
        if (natts > 0) deform(natts);
        if (keep(kept)) ++kept;
      }
      n = kept;
      ahead_offset_ = ahead_offset;
      index_ = i;
      if (pgstat_should_count_relation(rel_)) rel_->pgstat_info->t_counts.t_tuples_returned += i - first;
    }
    return true;
  }
  // policy_allows() for a tuple there are policies for.
  bool current_passes_policies();
  // The number of the line pointer of the current page that points at `at` (the current tuple's
  // byte offset in it): the one the tuple's t_ctid names where it does, else from line_at_.
  OffsetNumber current_line(Page page, std::size_t at);
  // Moves to the next page with visible tuples; false after the last page.
  bool next_page();
  // The next block of the scan that page_set_ wants; false after the last.
  bool next_block(BlockNumber& page);
  // The next block of the scan (serial, from the synchronized-scan start, or handed out by the
  // parallel scan); false after the last.
  bool next_scan_block(BlockNumber& page);
  // Makes `page` current (`pinned`: already pinned by us, or InvalidBuffer) and lists its visible
  // tuples in tuple_offsets_ (their count in rs_ntuples) as heapgetpage() does: pruned, under a
  // share lock, each tuple decided by the snapshot and checked for serializable conflicts, except
  // that on an all-visible page (outside recovery and serializable transactions) the normal line
  // pointers are listed in one loop.
  void read_page(BlockNumber page, Buffer pinned);
  // Pins `page` of the relation, as ReadBufferExtended() with the scan's strategy would (and
  // counts it in the relation's statistics the same way), first trying the buffer the stride of
  // the pages before it points at, or once guesses by stride keep failing, the buffer map's.
  Buffer pin_block(BlockNumber page);
  // Builds map_ where it pays: the table has at most NBuffers pages, most of the lookups so far
  // found their page in the pool, and this participant's pages left are BufferMap::worthwhile().
  void maybe_build_map();
  // Whether pinning shared `buffer` without raising its usage count leaves that count where
  // ReadBufferExtended() with the scan's strategy would.
  bool usage_settled(Buffer buffer) const;
  // The next tuple through the table slot (access methods other than heap), deformed up to
  // `natts` columns; false at the end.
  bool next_from_slot(int natts);

  Relation rel_ = nullptr;
  TableScanDesc scan_ = nullptr;
  TupleTableSlot* slot_ = nullptr;  // only for other access methods
  bool pages_ = false;              // heap in page mode: read pages here
  bool parallel_ = false;
  bool started_ = false, done_ = false;
  bool on_page_ = false;            // a page is read and its visible tuples listed
  BlockNumber next_block_ = 0, pages_left_ = 0;  // serial scans
  Buffer ahead_buf_ = InvalidBuffer;  // the page after the current one, pinned in advance
  const char* ahead_page_ = nullptr;  // ahead_buf_'s page, prefetched up to ahead_offset_
  int ahead_offset_ = BLCKSZ;
  BlockNumber ahead_block_ = InvalidBlockNumber;
  BlockNumber last_block_ = InvalidBlockNumber;  // pin_block(): the last page pinned and its buffer,
  Buffer last_buffer_ = InvalidBuffer;
  int stride_ = 0;                  // the buffer-number step from the page before it (0: none)
  bool stride_confirmed_ = false;   // the step before that was the same
  bool guessable_ = false;          // shared buffers, on a server whose ReadRecentBuffer() we checked
  // pin_block(): buffer-mapping lookups before map_ may be built, and map_'s failed guesses in a
  // row before it is dropped
  static constexpr int kLookupsBeforeMap = 128;
  int lookups_ = 0;                 // pages pin_block() looked up in the buffer mapping
  int map_misses_ = 0;              // map_'s guesses that failed since the last that held
  int64 blocks_read_before_ = 0;    // pgBufferUsage.shared_blks_read when the scan began
  std::uint64_t pages_pinned_ = 0;  // pages pin_block() pinned
  std::uint64_t pages_guessed_ = 0;  // of them, by a guessed buffer
  BufferMap map_;                   // where the table's pages were in shared buffers (pin_block())
  MemoryContext context_ = nullptr;  // where the scan was opened: map_ lives there
  int index_ = 0;                   // next entry of tuple_offsets_
  std::uint64_t rows_read_ = 0;     // see rows_read()
  PageSet page_set_;                // the pages to read (all, unless skip_pages_before())
  std::uint64_t pages_skipped_ = 0;
  PairLayout pair_;                 // text_then_int64()'s pair (offset -1: none)
  HeapTupleHeader tuple_ = nullptr;  // the current tuple (pages_ only)
  // The byte offsets in the current page of its visible tuples, in reverse line pointer order
  // (the scan's rs_ntuples of them): where rs_vistuples would hold their line pointer numbers,
  // saving a line pointer read per tuple.
  uint16 tuple_offsets_[MaxHeapTuplesPerPage];
  int nvalid_ = 0;                  // columns deformed so far
  uint32 offset_ = 0;               // byte offset after the last deformed column
  // What deforming needs of a column: as pg_attribute, its offset in a tuple without NULLs when
  // every column before it has a fixed width (-1 otherwise), its access and its alignment less 1.
  struct ColumnLayout {
    int16 len;
    char align;
    bool byval;
    int32 fixed_offset;
    ColumnAccess access;
    uint32 align_mask;
  };
  std::vector<ColumnLayout> layout_;
  Datum* values_ = nullptr;  // the slot's arrays, or the ones below
  bool* isnull_ = nullptr;
  std::vector<Datum> own_values_;
  std::unique_ptr<bool[]> own_isnull_;
  // Row-level security (after the members the tuple loop uses, which keep their places):
  RowPolicyCheck policy_;           // see apply_policies()
  HeapTupleData policy_tuple_;      // the current tuple as policy_ takes it
  int page_lines_ = 0;              // the current page's line pointers when read_page() listed it
  // current_line()'s table for the current page, built on its first tuple whose t_ctid does not
  // name it: the line pointer number of the tuple at each MAXALIGN'd byte offset, by offset /
  // MAXIMUM_ALIGNOF (tuples start at such offsets, each at its own).
  bool line_table_built_ = false;
  uint16 line_at_[BLCKSZ / MAXIMUM_ALIGNOF];
};

// As the executor's slot_deform_heap_tuple(), resuming where the last call stopped; columns the
// tuple predates (added later) take their missing value. Each offset is computed from the one
// before (aligned as the column's type wants; a varlena's 1-byte header needs no alignment), as
// the executor does past a NULL or a varlena; its cached offsets would save no work here.
inline void HeapScan::deform(int natts) {
  if (nvalid_ >= natts) return;
  if (!pages_) {
    slot_getsomeattrs(slot_, natts);
    nvalid_ = natts;
    return;
  }
  const int stored = std::min<int>(natts, HeapTupleHeaderGetNatts(tuple_));
  const bool has_nulls = (tuple_->t_infomask & HEAP_HASNULL) != 0;
  char* data = reinterpret_cast<char*>(tuple_) + tuple_->t_hoff;
  const bits8* bits = tuple_->t_bits;
  // Locals: with -fno-strict-aliasing every store below could otherwise change the members.
  Datum* values = values_;
  bool* isnull = isnull_;
  const ColumnLayout* layout = layout_.data();
  uint32 off = offset_;
  int attnum = nvalid_;
  for (; attnum < stored; ++attnum) {
    const ColumnLayout& c = layout[attnum];
    if (has_nulls && att_isnull(attnum, bits)) {
      values[attnum] = Datum(0);
      isnull[attnum] = true;
      continue;
    }
    isnull[attnum] = false;
    switch (c.access) {
      case ColumnAccess::Byval8:
        off = (off + c.align_mask) & ~c.align_mask;
        values[attnum] = *reinterpret_cast<const Datum*>(data + off);
        off += 8;
        break;
      case ColumnAccess::Byval4:
        off = (off + c.align_mask) & ~c.align_mask;
        values[attnum] = Int32GetDatum(*reinterpret_cast<const int32*>(data + off));
        off += 4;
        break;
      case ColumnAccess::Byval2:
        off = (off + c.align_mask) & ~c.align_mask;
        values[attnum] = Int16GetDatum(*reinterpret_cast<const int16*>(data + off));
        off += 2;
        break;
      case ColumnAccess::Byval1:
        off = (off + c.align_mask) & ~c.align_mask;  // 0 but for a type declared otherwise
        values[attnum] = CharGetDatum(data[off]);
        off += 1;
        break;
      case ColumnAccess::Varlena:
        if (!VARATT_NOT_PAD_BYTE(data + off)) off = (off + c.align_mask) & ~c.align_mask;
        values[attnum] = PointerGetDatum(data + off);
        off += VARSIZE_ANY(data + off);
        break;
      case ColumnAccess::General:
        off = att_align_pointer(off, c.align, c.len, data + off);
        values[attnum] = fetch_att(data + off, c.byval, c.len);
        off = att_addlength_pointer(off, c.len, data + off);
        break;
    }
  }
  if (attnum < natts) {
    TupleDesc desc = RelationGetDescr(rel_);
    for (; attnum < natts; ++attnum) values[attnum] = getmissingattr(desc, attnum + 1, &isnull[attnum]);
  }
  nvalid_ = natts;
  offset_ = off;
}

}  // namespace cohort::pg
