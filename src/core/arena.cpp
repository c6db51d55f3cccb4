// malloc-backed Arena for code running outside PostgreSQL.
#include "core/arena.hpp"

#include <cstdlib>

namespace cohort {

void* HeapArena::allocate(std::size_t bytes) {
  void* p = std::malloc(bytes ? bytes : 1);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void HeapArena::deallocate(void* p) noexcept { std::free(p); }

Arena& heap_arena() {
  static HeapArena arena;  // trivial destructor semantics: no state
  return arena;
}

}  // namespace cohort
