// A memory context owned for the duration of a C++ scope.
#pragma once

#include "pg/guard.hpp"

namespace cohort::pg {

// Owns a memory context under the current one; deletes it on scope exit.
class ScopedContext {
 public:
  // `name` must be a string literal (memory context names are not copied).
  explicit ScopedContext(const char* name) {
    pg_call([&] { context_ = AllocSetContextCreateInternal(CurrentMemoryContext, name, ALLOCSET_DEFAULT_SIZES); });
  }
  ~ScopedContext() { MemoryContextDelete(context_); }
  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;
  MemoryContext get() const { return context_; }
  // Empties the context.
  void reset() { MemoryContextReset(context_); }

 private:
  MemoryContext context_ = nullptr;
};

}  // namespace cohort::pg
