// Where a table's pages sit in shared buffers (see buffer_map.hpp).
#include "pg/buffer_map.hpp"

namespace cohort::pg {

void BufferMap::build(Relation rel, BlockNumber pages, MemoryContext context) {
  if (pages == 0) return;
  auto* buffers = static_cast<Buffer*>(MemoryContextAllocExtended(
      context, sizeof(Buffer) * pages, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO));
  if (buffers == nullptr) return;
  const RelFileNode node = rel->rd_node;
  for (int i = 0; i < NBuffers; ++i) {
    if ((i & 0xFFFF) == 0) CHECK_FOR_INTERRUPTS();
    // Read without the header lock: a tag changing meanwhile gives at worst a wrong guess, which
    // ReadRecentBuffer() turns down; the block number is checked before it is used as an index.
    // (volatile: each field read once, where it is tested.)
    const volatile BufferTag* tag = &GetBufferDescriptor(i)->tag;
    const BlockNumber page = tag->blockNum;
    if (tag->rnode.relNode != node.relNode || page >= pages) continue;
    if (tag->rnode.dbNode != node.dbNode || tag->rnode.spcNode != node.spcNode || tag->forkNum != MAIN_FORKNUM) continue;
    buffers[page] = i + 1;  // BufferDescriptorGetBuffer()
  }
  buffers_ = buffers;
  pages_ = pages;
}

void BufferMap::release() {
  if (buffers_ != nullptr) pfree(buffers_);
  buffers_ = nullptr;
  pages_ = 0;
}

}  // namespace cohort::pg
