// The direct path's table scan: page-mode heap reading with our own, lazy deforming.
#include "pg/heap_scan.hpp"

#include <algorithm>
#include <cstring>

#include "core/line_pointers.hpp"

namespace cohort::pg {
namespace {

// Whether this build's ItemIdData is the 32-bit word list_normal_offsets() reads (the layout
// GCC and Clang give its bit-fields on a little-endian machine): checked once, on a probe.
bool line_pointers_are_words() {
  static_assert(sizeof(ItemIdData) == sizeof(uint32_t), "a line pointer is 32 bits");
  static_assert(LP_NORMAL == 1, "a normal line pointer's flags are 1");
  static const bool same = [] {
    ItemIdData lp;
    ItemIdSetNormal(&lp, 0x1238, 0x55);
    uint32_t word;
    memcpy(&word, &lp, sizeof word);
    return word == (0x1238u | kLineNormalFlags | (0x55u << 17)) && (word & kLineFlagsMask) == (uint32_t{LP_NORMAL} << 15);
  }();
  return same;
}

// Whether the running server's ReadRecentBuffer() takes a buffer this backend already pins (say,
// by an outer scan of the same table) through PinBuffer(): checked in the 15.18 sources; older
// minor releases may pin it as a first pin, which breaks the backend's pin bookkeeping.
bool recent_buffer_handles_own_pins() {
  static int allowed = -1;
  if (allowed < 0) {
    const char* version = GetConfigOption("server_version_num", false, false);
    allowed = version != nullptr && atoi(version) >= 150018 ? 1 : 0;
  }
  return allowed == 1;
}

// How deform() reads a column of `att`'s type.
ColumnAccess access_of(Form_pg_attribute att) {
  if (att->attlen == -1) return ColumnAccess::Varlena;
  if (!att->attbyval) return ColumnAccess::General;
  switch (att->attlen) {
    case 8: return ColumnAccess::Byval8;
    case 4: return ColumnAccess::Byval4;
    case 2: return ColumnAccess::Byval2;
    case 1: return ColumnAccess::Byval1;
    default: return ColumnAccess::General;
  }
}

// The alignment `align` (pg_attribute.attalign) asks for, less 1: att_align_nominal() as a mask.
uint32 align_mask_of(char align) {
  switch (align) {
    case TYPALIGN_DOUBLE: return ALIGNOF_DOUBLE - 1;
    case TYPALIGN_INT: return ALIGNOF_INT - 1;
    case TYPALIGN_SHORT: return ALIGNOF_SHORT - 1;
    default: return 0;
  }
}

}  // namespace

HeapScan::HeapScan(Oid relid, ParallelTableScanDesc parallel) {
  int natts = 0;
  TupleDesc desc = nullptr;
  bool heap = false;
  pg_call([&] {
    context_ = CurrentMemoryContext;
    rel_ = table_open(relid, AccessShareLock);
    heap = rel_->rd_tableam == GetHeapamTableAmRoutine();
    desc = RelationGetDescr(rel_);
    natts = desc->natts;
  });
  // Our own arrays first: if allocating them throws, no scan is open yet (the relation is
  // released with the aborting transaction).
  if (heap) {
    uint32 off = 0;
    bool fixed = true;  // every column so far has a fixed width
    for (int i = 0; i < natts; ++i) {
      Form_pg_attribute att = TupleDescAttr(desc, i);
      ColumnLayout c{att->attlen, att->attalign, att->attbyval, -1, access_of(att), align_mask_of(att->attalign)};
      if (fixed && att->attlen > 0) {
        off = att_align_nominal(off, att->attalign);
        c.fixed_offset = static_cast<int32>(off);
        off += att->attlen;
      } else if (fixed && att->attlen == -1 && off == att_align_nominal(off, att->attalign)) {
        c.fixed_offset = static_cast<int32>(off);  // the first varlena, where no padding can precede it
        fixed = false;
      } else {
        fixed = false;
      }
      layout_.push_back(c);
    }
    own_values_.assign(static_cast<std::size_t>(natts) + 1, Datum(0));
    own_isnull_ = std::make_unique<bool[]>(static_cast<std::size_t>(natts) + 1);
    values_ = own_values_.data();
    isnull_ = own_isnull_.get();
  }
  pg_call([&] {
    scan_ = parallel ? table_beginscan_parallel(rel_, parallel)
                     : table_beginscan(rel_, GetActiveSnapshot(), 0, nullptr);
    pages_ = heap && (scan_->rs_flags & SO_ALLOW_PAGEMODE) != 0;
    parallel_ = parallel != nullptr;
    guessable_ = !RelationUsesLocalBuffers(rel_) && recent_buffer_handles_own_pins();
    blocks_read_before_ = pgBufferUsage.shared_blks_read;
    if (!pages_) slot_ = table_slot_create(rel_, nullptr);
  });
  if (!pages_) {
    values_ = slot_->tts_values;
    isnull_ = slot_->tts_isnull;
  }
}

bool HeapScan::prepare_text_then_int64(int index) {
  pair_.offset = -1;
  if (!pages_ || index < 0 || index + 1 >= static_cast<int>(layout_.size())) return false;
  const ColumnLayout& text = layout_[static_cast<std::size_t>(index)];
  const ColumnLayout& after = layout_[static_cast<std::size_t>(index) + 1];
  if (text.len != -1 || text.fixed_offset < 0) return false;
  if (after.len != 8 || !after.byval || after.align != TYPALIGN_DOUBLE) return false;
  pair_.natts = index + 2;
  pair_.null_mask = pair_.natts <= 8 ? static_cast<bits8>((1u << pair_.natts) - 1) : 0;
  pair_.offset = text.fixed_offset;
  return true;
}

void HeapScan::skip_pages_before(int index, TimestampTz lower) {
  if (pages_) page_set_ = PageSet::since(rel_, static_cast<AttrNumber>(index + 1), lower, scan_->rs_snapshot);
}

std::uint64_t HeapScan::pages_to_read() const {
  if (!pages_) {  // another access method: its scan descriptor is not a heap one
    BlockNumber total = 0;
    pg_call([&] { total = RelationGetNumberOfBlocks(rel_); });
    return total;
  }
  return page_set_.wanted_of(reinterpret_cast<HeapScanDesc>(scan_)->rs_nblocks);
}

bool HeapScan::next_block(BlockNumber& page) {
  while (next_scan_block(page)) {
    if (page_set_.wanted(page)) return true;
    ++pages_skipped_;
  }
  return false;
}

bool HeapScan::next_scan_block(BlockNumber& page) {
  auto* h = reinterpret_cast<HeapScanDesc>(scan_);
  if (parallel_) {
    auto* shared = reinterpret_cast<ParallelBlockTableScanDesc>(scan_->rs_parallel);
    if (!started_) table_block_parallelscan_startblock_init(rel_, h->rs_parallelworkerdata, shared);
    started_ = true;
    page = table_block_parallelscan_nextpage(rel_, h->rs_parallelworkerdata, shared);
    return page != InvalidBlockNumber;
  }
  // From the synchronized-scan start block round to the one before it, as a sequential scan.
  if (!started_) {
    next_block_ = h->rs_startblock;
    pages_left_ = h->rs_nblocks;
    started_ = true;
  }
  if (pages_left_ == 0) return false;
  page = next_block_;
  next_block_ = page + 1 == h->rs_nblocks ? 0 : page + 1;
  --pages_left_;
  if ((scan_->rs_flags & SO_ALLOW_SYNC) != 0) ss_report_location(rel_, next_block_);
  return true;
}

bool HeapScan::next_page() {
  auto* h = reinterpret_cast<HeapScanDesc>(scan_);
  while (true) {
    BlockNumber page;
    Buffer pinned = InvalidBuffer;
    if (BufferIsValid(ahead_buf_)) {
      page = ahead_block_;
      pinned = ahead_buf_;
      ahead_buf_ = InvalidBuffer;
    } else if (!next_block(page)) {
      return false;
    }
    read_page(page, pinned);
    // Pin the page after this one now and start loading its header and line pointers (8 lines:
    // the header and 122 of them), so that they arrive while this page's tuples are read;
    // the rest of it is prefetched two lines a tuple as this page's tuples are read
    // (fill_from_pages()). Where buffers lie scattered over shared memory, the hardware prefetcher
    // stops at each page; this page's own tuples, in ascending address order (read_page()), it
    // streams in (prefetching each 16 tuples of this page ahead measured slower).
    ahead_offset_ = BLCKSZ;
    if (next_block(ahead_block_)) {
      ahead_buf_ = pin_block(ahead_block_);
      ahead_page_ = static_cast<const char*>(BufferGetPage(ahead_buf_));
      for (int line = 0; line < 8; ++line) __builtin_prefetch(ahead_page_ + 64 * line);
      ahead_offset_ = 8 * 64;
    }
    index_ = 0;
    rows_read_ += static_cast<std::uint64_t>(h->rs_ntuples);
    if (h->rs_ntuples > 0) return true;
  }
}

Buffer HeapScan::pin_block(BlockNumber page) {
  // Pages read into the buffer pool in page order (by a scan, a bulk insert, pg_prewarm) tend to
  // sit at a fixed stride of buffer numbers: consecutive free buffers, up or down. Once two
  // consecutive pages have confirmed a stride, the next page is looked for at that stride from
  // the last one. Where the pages are scattered over the pool (read by parallel workers, or
  // evicted and read again over time), so that guesses keep failing, the buffer map built after
  // kLookupsBeforeMap lookups (maybe_build_map()) gives the guess instead, until as many of its
  // guesses in a row have failed. ReadRecentBuffer() pins the guessed buffer only if it holds
  // this very page (checked under the buffer header lock), saving the buffer-mapping lookup.
  // Otherwise, as usual.
  const bool next = page == last_block_ + 1 && BufferIsValid(last_buffer_);
  int64 guess = 0;
  if (map_.built())
    guess = map_.buffer_of(page);
  else if (next && stride_confirmed_)
    guess = static_cast<int64>(last_buffer_) + stride_;
  ++pages_pinned_;
  if (guess >= 1 && guess <= NBuffers && usage_settled(static_cast<Buffer>(guess)) &&
      ReadRecentBuffer(rel_->rd_node, MAIN_FORKNUM, page, static_cast<Buffer>(guess))) {
    pgstat_count_buffer_read(rel_);  // as ReadBufferExtended() counts a page found in the pool
    pgstat_count_buffer_hit(rel_);
    ++pages_guessed_;
    map_misses_ = 0;
    last_block_ = page;
    last_buffer_ = static_cast<Buffer>(guess);
    return last_buffer_;
  }
  const Buffer buffer =
      ReadBufferExtended(rel_, MAIN_FORKNUM, page, RBM_NORMAL, reinterpret_cast<HeapScanDesc>(scan_)->rs_strategy);
  const int stride = next && guessable_ ? buffer - last_buffer_ : 0;
  stride_confirmed_ = stride != 0 && stride == stride_;
  stride_ = stride;
  last_block_ = page;
  last_buffer_ = buffer;
  if (map_.built()) {
    if (++map_misses_ == kLookupsBeforeMap) map_.release();  // gone stale: strides again
  } else if (guessable_ && ++lookups_ == kLookupsBeforeMap) {
    maybe_build_map();
  }
  return buffer;
}

void HeapScan::maybe_build_map() {
  const BlockNumber pages = reinterpret_cast<HeapScanDesc>(scan_)->rs_nblocks;
  if (pages > static_cast<BlockNumber>(NBuffers)) return;  // the map holds 4 bytes a page
  // A table mostly not in the pool: its lookups read pages in, which no map saves.
  if (pgBufferUsage.shared_blks_read - blocks_read_before_ > kLookupsBeforeMap / 4) return;
  std::uint64_t left = 0;  // pages this participant has yet to read, estimated
  if (parallel_) {
    // Its share of the pages handed out so far, of those not handed out yet.
    auto* shared = reinterpret_cast<ParallelBlockTableScanDesc>(scan_->rs_parallel);
    const std::uint64_t handed = std::min<std::uint64_t>(pg_atomic_read_u64(&shared->phs_nallocated), pages);
    if (handed > 0) left = (pages - handed) * std::min(pages_pinned_, handed) / handed;
  } else {
    const std::uint64_t wanted = pages_to_read();
    left = wanted > pages_pinned_ ? wanted - pages_pinned_ : 0;
  }
  if (BufferMap::worthwhile(left)) map_.build(rel_, pages, context_);
}

bool HeapScan::usage_settled(Buffer buffer) const {
  // ReadRecentBuffer() leaves the buffer's usage count alone, where ReadBufferExtended() raises
  // it (to at most 1 through a ring, else to at most BM_MAX_USAGE_COUNT): the clock sweep would
  // evict pages only cohort reads sooner than pages a sequential scan reads. So a buffer is only
  // taken this way when that raise would change nothing; otherwise the page is read as usual.
  // (The count is read without the header lock: a sweep may lower it meanwhile, as it may after
  // ReadBufferExtended() raised it.)
  const uint32 state = pg_atomic_read_u32(&GetBufferDescriptor(buffer - 1)->state);
  const uint32 wanted = reinterpret_cast<HeapScanDesc>(scan_)->rs_strategy != nullptr ? 1 : BM_MAX_USAGE_COUNT;
  return BUF_STATE_GET_USAGECOUNT(state) >= wanted;
}

void HeapScan::read_page(BlockNumber page, Buffer pinned) {
  auto* h = reinterpret_cast<HeapScanDesc>(scan_);
  if (BufferIsValid(h->rs_cbuf)) {
    ReleaseBuffer(h->rs_cbuf);
    h->rs_cbuf = InvalidBuffer;
  }
  // A page pinned ahead becomes the scan's before anything can raise an error, so that
  // table_endscan() releases it whatever happens next.
  if (BufferIsValid(pinned)) h->rs_cbuf = pinned;
  CHECK_FOR_INTERRUPTS();
  if (!BufferIsValid(pinned)) h->rs_cbuf = pin_block(page);
  h->rs_cblock = page;
  const Snapshot snapshot = scan_->rs_snapshot;
  heap_page_prune_opt(rel_, h->rs_cbuf);
  LockBuffer(h->rs_cbuf, BUFFER_LOCK_SHARE);
  const Page dp = BufferGetPage(h->rs_cbuf);
  TestForOldSnapshot(snapshot, rel_, dp);
  // As heapgetpage(): on a page marked all-visible (outside recovery) every tuple is visible to
  // every snapshot; elsewhere each is decided. A serializable transaction checks each for
  // conflicts, and only then does a tuple of an all-visible page need a call at all.
  const bool all_visible = PageIsAllVisible(dp) && !snapshot->takenDuringRecovery;
  const bool check_conflicts = CheckForSerializableConflictOutNeeded(rel_, snapshot);
  // The line pointers are walked from the last to the first: tuples are placed from the end of the
  // page towards its start as they are added, so this lists them in ascending address order, which
  // the hardware prefetcher follows far better than the descending one (test/bench/scan_floor.c,
  // the benchmark's pages outside PostgreSQL, the same loop with the tuple prefetches it then had:
  // 0.088 s in line pointer order, 0.061 s in reverse; 0.056 s in reverse without them).
  // (An int counter: a uint16 one is widened again at every step.) A heap page holds at most
  // MaxHeapTuplesPerPage line pointers; more can only come from a damaged header.
  const int lines = PageGetMaxOffsetNumber(dp);
  if (lines > MaxHeapTuplesPerPage)
    ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                    errmsg("cohort: page %u of relation \"%s\" has %d line pointers, more than a heap page can hold",
                           page, RelationGetRelationName(rel_), lines)));
  const ItemIdData* line_pointers = reinterpret_cast<PageHeader>(dp)->pd_linp;  // number n at [n - 1]
  int ntup = 0;
  if (all_visible && !check_conflicts && line_pointers_are_words()) {
    // Without a call or a branch per line pointer (four at a time where the CPU allows); a build
    // whose line pointers are laid out otherwise lists them in the general loop below.
    ntup = list_normal_offsets(line_pointers, lines, tuple_offsets_);
  } else {
    for (int off = lines; off >= FirstOffsetNumber; --off) {
      const ItemIdData* lpp = &line_pointers[off - 1];
      if (!ItemIdIsNormal(lpp)) continue;
      HeapTupleData tuple;
      tuple.t_tableOid = RelationGetRelid(rel_);
      tuple.t_data = reinterpret_cast<HeapTupleHeader>(static_cast<char*>(dp) + ItemIdGetOffset(lpp));
      tuple.t_len = ItemIdGetLength(lpp);
      ItemPointerSet(&tuple.t_self, page, static_cast<OffsetNumber>(off));
      const bool visible = all_visible || HeapTupleSatisfiesVisibility(&tuple, snapshot, h->rs_cbuf);
      if (check_conflicts) HeapCheckForSerializableConflictOut(visible, rel_, &tuple, h->rs_cbuf, snapshot);
      if (visible) tuple_offsets_[ntup++] = static_cast<uint16>(ItemIdGetOffset(lpp));
    }
  }
  page_lines_ = lines;
  line_table_built_ = false;
  LockBuffer(h->rs_cbuf, BUFFER_LOCK_UNLOCK);
  h->rs_ntuples = ntup;
}

void HeapScan::apply_policies(const RowPolicies& policies) {
  pg_call([&] { policy_.open(policies, rel_); });
}

bool HeapScan::current_passes_policies() {
  if (!pages_) return policy_.passes_slot(slot_);
  auto* h = reinterpret_cast<HeapScanDesc>(scan_);
  const Page page = BufferGetPage(h->rs_cbuf);
  const auto at = static_cast<std::size_t>(reinterpret_cast<char*>(tuple_) - static_cast<char*>(page));
  const OffsetNumber line = current_line(page, at);
  policy_tuple_.t_data = tuple_;
  policy_tuple_.t_len = ItemIdGetLength(PageGetItemId(page, line));
  ItemPointerSet(&policy_tuple_.t_self, h->rs_cblock, line);
  policy_tuple_.t_tableOid = RelationGetRelid(rel_);
  return policy_.passes(&policy_tuple_);
}

OffsetNumber HeapScan::current_line(Page page, std::size_t at) {
  // Only the line pointers read_page() saw under the share lock are looked at: the page stays
  // pinned, so none of them that points at a listed tuple moves (pruning needs the only pin), and
  // one reused meanwhile points at new space, never at a listed tuple; pointers appended since
  // are not read at all.
  const ItemIdData* lines = reinterpret_cast<PageHeader>(page)->pd_linp;  // number n at [n - 1]
  const auto points_here = [&](int n) { return ItemIdIsNormal(&lines[n - 1]) && ItemIdGetOffset(&lines[n - 1]) == at; };
  // A tuple never updated holds its own number in t_ctid: checked, not trusted.
  const int own = ItemPointerGetOffsetNumberNoCheck(&tuple_->t_ctid);
  if (own >= FirstOffsetNumber && own <= page_lines_ && points_here(own)) return static_cast<OffsetNumber>(own);
  // Others (an update rolled back, a version another snapshot still sees): the page's table,
  // built once, so that a page full of them costs one pass, not one per tuple.
  if (!line_table_built_) {
    line_table_built_ = true;
    for (int n = page_lines_; n >= FirstOffsetNumber; --n)
      if (ItemIdIsNormal(&lines[n - 1])) line_at_[ItemIdGetOffset(&lines[n - 1]) / MAXIMUM_ALIGNOF] = static_cast<uint16>(n);
  }
  const int n = line_at_[at / MAXIMUM_ALIGNOF];
  if (n >= FirstOffsetNumber && n <= page_lines_ && points_here(n)) return static_cast<OffsetNumber>(n);
  elog(ERROR, "cohort: no line pointer points at the tuple at offset %zu of block %u", at,
       reinterpret_cast<HeapScanDesc>(scan_)->rs_cblock);
  return InvalidOffsetNumber;
}

bool HeapScan::next_from_slot(int natts) {
  if (!table_scan_getnextslot(scan_, ForwardScanDirection, slot_)) {
    done_ = true;
    return false;
  }
  ++rows_read_;
  nvalid_ = 0;
  deform(natts);
  return true;
}

void HeapScan::close() {
  pg_call([&] {
    policy_.close();
    map_.release();
    if (slot_ != nullptr) ExecDropSingleTupleTableSlot(slot_);
    if (BufferIsValid(ahead_buf_)) ReleaseBuffer(ahead_buf_);
    ahead_buf_ = InvalidBuffer;
    table_endscan(scan_);
    table_close(rel_, AccessShareLock);
  });
}

}  // namespace cohort::pg
