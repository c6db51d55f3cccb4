// An open-addressing hash map from user id to a dense index, allocated in an Arena.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/arena.hpp"

namespace cohort {

// Maps int64 user ids to 0, 1, 2, ... in insertion order; linear probing, load factor <= 1/2.
class UserIndex {
 public:
  explicit UserIndex(Arena& arena);
  ~UserIndex();
  UserIndex(const UserIndex&) = delete;
  UserIndex& operator=(const UserIndex&) = delete;

  // Returns the index of `key`, inserting it with index size() when new; `inserted` tells which.
  uint32_t find_or_insert(int64_t key, bool& inserted);
  // Returns the index of `key`, or -1 when absent.
  int64_t find(int64_t key) const;
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return capacity_ * sizeof(Slot); }

 private:
  struct Slot {
    int64_t key;
    uint32_t value;  // index + 1; 0 marks an empty slot
  };
  static uint64_t hash(int64_t key);
  void grow();

  Arena& arena_;
  Slot* slots_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

}  // namespace cohort
