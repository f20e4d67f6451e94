// StringIndex: a flat open-addressing map from strings to row numbers, for the ids of millions
// of leads, accounts and events. It stores each key's 64-bit hash, so that a probe compares
// bytes only when the hashes agree, and keeps keys of up to 16 bytes inside the slot (one cache
// miss per look-up, not two). Longer keys are borrowed: their bytes must outlive the index (they
// live in the table the index serves).
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
      if (s.hash == hash && s.Holds(key)) return s.value;
    }
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  static constexpr size_t kInline = 16;
  struct Slot {
    uint64_t hash = 0;  // 0: empty
    uint32_t size = 0;
    uint32_t value = 0;
    char key[kInline] = {};  // the key's bytes when size <= kInline, else a pointer to them

    const char* data() const {
      if (size <= kInline) return key;
      const char* p;
      std::memcpy(&p, key, sizeof p);
      return p;
    }
    bool Holds(std::string_view k) const {
      return size == k.size() && std::memcmp(data(), k.data(), k.size()) == 0;
    }
  };
  void Grow(size_t capacity);

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace leadq
