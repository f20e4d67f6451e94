// StringIndex: a flat open-addressing map from borrowed strings to row numbers, for the ids of
// millions of leads, accounts and events. It stores each key's 64-bit hash beside a pointer to
// its bytes, so that a probe compares bytes only when the hashes agree; the keys' bytes must
// outlive the index (they live in the table the index serves).
//
// Not thread-safe for writes; Find is const and safe to call from many threads at once.
//
// Example:
//   StringIndex index;
//   index.Reserve(ids.size());
//   for (uint32_t r = 0; r < ids.size(); ++r) index.Insert(ids[r], r);
//   std::optional<uint32_t> row = index.Find("L000042");
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace leadq {

// A fast 64-bit hash of short strings (ids, codes); never returns 0.
uint64_t HashBytes(std::string_view s);

class StringIndex {
 public:
  // Makes room for n keys without rehashing.
  void Reserve(size_t n);

  // Inserts key -> value when the key is absent and returns {value, true}; otherwise leaves the
  // index as it is and returns {the existing value, false}.
  std::pair<uint32_t, bool> Insert(std::string_view key, uint32_t value) {
    return InsertHashed(key, HashBytes(key), value);
  }
  std::pair<uint32_t, bool> InsertHashed(std::string_view key, uint64_t hash, uint32_t value);

  std::optional<uint32_t> Find(std::string_view key) const {
    return FindHashed(key, HashBytes(key));
  }
  std::optional<uint32_t> FindHashed(std::string_view key, uint64_t hash) const {
    if (slots_.empty()) return std::nullopt;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.hash == 0) return std::nullopt;
      if (s.hash == hash && s.size == key.size() &&
          std::memcmp(s.data, key.data(), key.size()) == 0) {
        return s.value;
      }
    }
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty
    const char* data = nullptr;
    uint32_t size = 0;
    uint32_t value = 0;
  };
  void Grow(size_t capacity);

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace leadq
