// Memory arena interface: lets the core's large containers live in memory the host owns.
#pragma once

#include <cstddef>
#include <new>

namespace cohort {

// A source of raw memory; the PostgreSQL glue backs it with a MemoryContext.
class Arena {
 public:
  virtual ~Arena() = default;
  // Returns at least `bytes` bytes, or throws std::bad_alloc.
  virtual void* allocate(std::size_t bytes) = 0;
  // Gives back memory that allocate() returned.
  virtual void deallocate(void* p) noexcept = 0;
};

// An Arena over malloc/free, for unit tests and tools outside the server.
class HeapArena final : public Arena {
 public:
  void* allocate(std::size_t bytes) override;
  void deallocate(void* p) noexcept override;
};

// The process-wide HeapArena.
Arena& heap_arena();

// A standard allocator that draws from an Arena (usable with Boost.Container and std).
template <typename T>
class ArenaAllocator {
 public:
  using value_type = T;

  explicit ArenaAllocator(Arena& arena) noexcept : arena_(&arena) {}
  template <typename U>
  ArenaAllocator(const ArenaAllocator<U>& other) noexcept : arena_(other.arena()) {}

  // Allocates room for n objects of T.
  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(arena_->allocate(n * sizeof(T)));
  }
  // Frees room taken by allocate().
  void deallocate(T* p, std::size_t) noexcept { arena_->deallocate(p); }

  Arena* arena() const noexcept { return arena_; }

  template <typename U>
  bool operator==(const ArenaAllocator<U>& o) const noexcept { return arena_ == o.arena(); }
  template <typename U>
  bool operator!=(const ArenaAllocator<U>& o) const noexcept { return arena_ != o.arena(); }

 private:
  Arena* arena_;
};

}  // namespace cohort
