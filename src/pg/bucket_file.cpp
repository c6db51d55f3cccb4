// BucketFile: a BufFile written sequentially in pieces and read back one bucket at a time.
#include "pg/bucket_file.hpp"

#include <algorithm>
#include <string>

namespace cohort::pg {

BucketFile::BucketFile(MemoryContext context, std::size_t buckets) : pieces_(buckets), bytes_(buckets, 0) {
  pg_call([&] {
    MemoryContext old = MemoryContextSwitchTo(context);
    file_ = BufFileCreateTemp(false);
    MemoryContextSwitchTo(old);
  });
}

void BucketFile::write(std::uint32_t bucket, const void* data, std::size_t bytes) {
  Piece piece{0, 0, bytes};
  pg_call([&] {
    BufFileTell(file_, &piece.fileno, &piece.offset);
    BufFileWrite(file_, const_cast<void*>(data), bytes);
    CHECK_FOR_INTERRUPTS();
  });
  pieces_[bucket].push_back(piece);  // if this throws, the call fails and the file goes with it
  bytes_[bucket] += bytes;
  largest_piece_ = std::max(largest_piece_, bytes);
}

const void* BucketFile::read_piece(const Piece& piece) {
  if (buffer_.size() < piece.bytes) buffer_.resize(piece.bytes);
  std::size_t got = 0;
  int seek = 0;
  pg_call([&] {
    CHECK_FOR_INTERRUPTS();
    seek = BufFileSeek(file_, piece.fileno, piece.offset, SEEK_SET);
    if (seek == 0) got = BufFileRead(file_, buffer_.data(), piece.bytes);
  });
  if (seek != 0 || got != piece.bytes)
    throw SqlError(ERRCODE_IO_ERROR, "could not read " + std::to_string(piece.bytes) +
                                         " bytes of funnel step rows back from a temporary file (got " +
                                         std::to_string(got) + ")");
  return buffer_.data();
}

void BucketFile::close() {
  pg_call([&] { BufFileClose(file_); });
  file_ = nullptr;
}

}  // namespace cohort::pg
