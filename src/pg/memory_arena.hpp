// An Arena backed by a PostgreSQL MemoryContext, for the core's large containers.
#pragma once

#include "core/arena.hpp"
#include "pg/postgres_headers.hpp"

namespace cohort::pg {

// Allocates in a MemoryContext without ereport: failure throws std::bad_alloc instead.
class MemoryContextArena final : public Arena {
 public:
  explicit MemoryContextArena(MemoryContext context) : context_(context) {}
  void* allocate(std::size_t bytes) override;
  void deallocate(void* p) noexcept override;

 private:
  MemoryContext context_;
};

}  // namespace cohort::pg
