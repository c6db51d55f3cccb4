// Open-addressing user index.
#include "core/user_index.hpp"

#include <cstring>
#include <new>

namespace cohort {

UserIndex::UserIndex(Arena& arena) : arena_(arena) {
  capacity_ = 1024;
  slots_ = static_cast<Slot*>(arena_.allocate(capacity_ * sizeof(Slot)));
  std::memset(static_cast<void*>(slots_), 0, capacity_ * sizeof(Slot));
}

UserIndex::~UserIndex() { arena_.deallocate(slots_); }

uint64_t UserIndex::hash(int64_t key) {
  // murmur3 finalizer: spreads sequential ids over the table.
  uint64_t h = static_cast<uint64_t>(key);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint32_t UserIndex::find_or_insert(int64_t key, bool& inserted) {
  std::size_t mask = capacity_ - 1;
  for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.value == 0) {
      if ((size_ + 1) * 2 > capacity_) {
        grow();
        return find_or_insert(key, inserted);
      }
      if (size_ >= 0xFFFFFFFEu) throw std::bad_alloc();
      s.key = key;
      s.value = static_cast<uint32_t>(++size_);
      inserted = true;
      return s.value - 1;
    }
    if (s.key == key) {
      inserted = false;
      return s.value - 1;
    }
  }
}

int64_t UserIndex::find(int64_t key) const {
  std::size_t mask = capacity_ - 1;
  for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.value == 0) return -1;
    if (s.key == key) return s.value - 1;
  }
}

void UserIndex::grow() {
  std::size_t new_capacity = capacity_ * 2;
  Slot* fresh = static_cast<Slot*>(arena_.allocate(new_capacity * sizeof(Slot)));
  std::memset(static_cast<void*>(fresh), 0, new_capacity * sizeof(Slot));
  std::size_t mask = new_capacity - 1;
  for (std::size_t k = 0; k < capacity_; ++k) {
    const Slot& s = slots_[k];
    if (s.value == 0) continue;
    std::size_t i = hash(s.key) & mask;
    while (fresh[i].value != 0) i = (i + 1) & mask;
    fresh[i] = s;
  }
  arena_.deallocate(slots_);
  slots_ = fresh;
  capacity_ = new_capacity;
}

}  // namespace cohort
