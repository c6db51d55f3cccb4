// Where a table's pages sit in shared buffers, read once from the buffer descriptors: a guess
// for each page that spares the scan PostgreSQL's buffer-mapping lookup.
#pragma once

#include "pg/guard.hpp"

namespace cohort::pg {

// For each of a table's first pages, the shared buffer that held it when the map was built
// (InvalidBuffer: none). Only a guess: the buffer may hold another page by the time it is used,
// so a caller pins it with ReadRecentBuffer(), which checks the buffer's tag under its header lock.
class BufferMap {
 public:
  // Whether building a map for `pages` pages yet to read costs less than looking them up: reading
  // every buffer descriptor once against a lookup per page, taken as 16 descriptor reads (on the
  // benchmark's VM about 3 ns a descriptor, 220 ns a lookup of a page in a scattered pool).
  static bool worthwhile(std::uint64_t pages) { return pages * kLookupCost >= static_cast<std::uint64_t>(NBuffers); }
  // Reads every shared buffer descriptor's tag (without its header lock, as
  // DropRelFileNodeBuffers() pre-checks them) for the main fork of `rel`'s pages below `pages`,
  // allocating the map in `context`. Leaves the map unbuilt where that allocation fails. Call
  // inside pg_call.
  void build(Relation rel, BlockNumber pages, MemoryContext context);
  bool built() const { return buffers_ != nullptr; }
  // The buffer that held `page` (InvalidBuffer: none, or past the map's pages).
  Buffer buffer_of(BlockNumber page) const { return page < pages_ ? buffers_[page] : InvalidBuffer; }
  // Frees the map. Call inside pg_call.
  void release();

 private:
  static constexpr std::uint64_t kLookupCost = 16;
  Buffer* buffers_ = nullptr;
  BlockNumber pages_ = 0;
};

}  // namespace cohort::pg
