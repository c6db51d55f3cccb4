// One temporary file holding many buckets of bytes written in pieces (cohort.funnel_levels'
// step rows once they outgrow memory): each bucket's pieces are remembered and read back together.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "pg/guard.hpp"

namespace cohort::pg {

class BucketFile {
 public:
  // Creates the file (a BufFile in memory context `context`, which must outlive it). Its files
  // belong to the current resource owner, so an error closes and deletes them with the
  // transaction.
  BucketFile(MemoryContext context, std::size_t buckets);
  BucketFile(const BucketFile&) = delete;
  BucketFile& operator=(const BucketFile&) = delete;

  // Appends `bytes` bytes to bucket `bucket`.
  void write(std::uint32_t bucket, const void* data, std::size_t bytes);
  // Bytes written to bucket `bucket`.
  std::size_t bytes(std::uint32_t bucket) const { return bytes_[bucket]; }
  // The largest piece written (what read() buffers at most).
  std::size_t largest_piece() const { return largest_piece_; }
  // Calls f(data, bytes) for every piece of bucket `bucket`, in the order written.
  template <typename F>
  void read(std::uint32_t bucket, F&& f) {
    for (const Piece& piece : pieces_[bucket]) f(read_piece(piece), piece.bytes);
  }
  // Closes and deletes the file.
  void close();

 private:
  struct Piece {
    int fileno;
    off_t offset;
    std::size_t bytes;
  };
  // Reads one piece into buffer_; returns its start.
  const void* read_piece(const Piece& piece);

  BufFile* file_ = nullptr;
  std::vector<std::vector<Piece>> pieces_;  // per bucket, in the order written (24 bytes a 12 kB piece)
  std::vector<std::size_t> bytes_;          // per bucket
  std::vector<char> buffer_;                // the piece read last
  std::size_t largest_piece_ = 0;
};

}  // namespace cohort::pg
