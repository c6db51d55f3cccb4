// One customers scan computes the statistics of many cohorts.
#include "pg/member_statistics.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "pg/scoped_context.hpp"
#include "pg/settings.hpp"
#include "pg/sources.hpp"
#include "pg/spi_connection.hpp"

namespace cohort::pg {
namespace {

constexpr std::size_t kBatchRows = 4096;

// The users that are members of at least one list, each with one bit per list.
class MemberIndex {
 public:
  explicit MemberIndex(const std::vector<std::vector<int64_t>>& members) : words_((members.size() + 63) / 64) {
    for (const auto& m : members) users_.insert(users_.end(), m.begin(), m.end());
    std::sort(users_.begin(), users_.end());
    users_.erase(std::unique(users_.begin(), users_.end()), users_.end());
    std::size_t bytes = (users_.capacity() + users_.size() * words_) * sizeof(uint64_t);
    if (bytes > state_memory_limit_bytes())
      throw SqlError(ERRCODE_OUT_OF_MEMORY,
                     "cohort statistics need more than " + std::to_string(state_memory_limit_bytes() / 1024) +
                         " kB to index " + std::to_string(users_.size()) + " members of " +
                         std::to_string(members.size()) + " definitions",
                     {}, "Raise cohort.state_memory_limit (or work_mem, whose 64-fold is the default limit), or pass fewer definitions at once.");
    bits_.assign(users_.size() * words_, 0);
    for (std::size_t d = 0; d < members.size(); ++d) {
      auto at = users_.begin();
      for (int64_t user : members[d]) {  // ascending: one forward walk
        at = std::lower_bound(at, users_.end(), user);
        bits_[static_cast<std::size_t>(at - users_.begin()) * words_ + d / 64] |= uint64_t{1} << (d % 64);
      }
    }
  }
  // The list bits of `user`, or nullptr when it is in no list.
  const uint64_t* find(int64_t user) const {
    auto at = std::lower_bound(users_.begin(), users_.end(), user);
    if (at == users_.end() || *at != user) return nullptr;
    return bits_.data() + static_cast<std::size_t>(at - users_.begin()) * words_;
  }
  std::size_t words() const { return words_; }

 private:
  std::size_t words_;
  std::vector<int64_t> users_;
  std::vector<uint64_t> bits_;
};

// Folds into out[d] every customers row (with its risk level and churn score) whose user the
// bits of `bits_of(user_id)` (a pointer to `words` words, or nullptr for none) place in list d.
// Call with an SPI connection open.
template <typename BitsOf>
void fold_customers(Oid customers, std::size_t words, const BitsOf& bits_of, MemoryContext batch_context,
                    std::vector<RiskCounts>& out, const char*& scan_kind) {
  CustomerColumns columns{{"churn_score"}, true};
  std::unique_ptr<CustomerSource> source = open_customers(columns, customers);
  scan_kind = source->kind();
  CustomerBatch batch;
  batch.reserve(kBatchRows, 1);
  source->for_each_batch(batch, batch_context, [&](const CustomerBatch& in) {
    for (std::size_t r = 0; r < in.rows; ++r) {
      const uint64_t* bits = bits_of(in.users[r]);
      if (bits == nullptr) continue;
      const int level = in.risk_null[r] ? -1 : in.risk[r];
      std::optional<double> score;
      if (!in.nulls[r]) score = in.numbers[r];
      for (std::size_t w = 0; w < words; ++w)
        for (uint64_t word = bits[w]; word != 0; word &= word - 1)
          out[w * 64 + static_cast<std::size_t>(__builtin_ctzll(word))].add_level(level, score);
    }
  });
  source->close();
}

}  // namespace

std::vector<RiskCounts> member_statistics(const std::vector<std::vector<int64_t>>& members, Oid customers) {
  std::vector<RiskCounts> out(members.size());
  MemberIndex index(members);
  ScopedContext batch_context("cohort statistics batch");
  SpiConnection spi;
  const char* scan_kind = nullptr;
  fold_customers(customers, index.words(), [&](int64_t user) { return index.find(user); }, batch_context.get(), out,
                 scan_kind);
  spi.finish();
  return out;
}

std::vector<RiskCounts> member_statistics(const MembershipMasks& masks, std::size_t definitions, Oid customers,
                                          ScopedContext& batch_context, const char*& scan_kind) {
  std::vector<RiskCounts> out(definitions);
  fold_customers(customers, masks.words(), [&](int64_t user) { return masks.of(user); }, batch_context.get(), out,
                 scan_kind);
  return out;
}

}  // namespace cohort::pg
