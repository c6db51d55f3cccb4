// MemoryContext-backed Arena.
#include "pg/memory_arena.hpp"

namespace cohort::pg {

void* MemoryContextArena::allocate(std::size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (bytes > MaxAllocHugeSize) throw std::bad_alloc();
  void* p = MemoryContextAllocExtended(context_, bytes, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void MemoryContextArena::deallocate(void* p) noexcept {
  if (p != nullptr) pfree(p);
}

}  // namespace cohort::pg
