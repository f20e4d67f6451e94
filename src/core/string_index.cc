#include "core/string_index.h"

#include "core/memory.h"

namespace leadq {
namespace {

uint64_t Mix(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

uint64_t Load(const char* p, size_t n) {  // n <= 8
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

}  // namespace

uint64_t HashBytes(std::string_view s) {
  constexpr uint64_t kA = 0x9E3779B97F4A7C15ULL;
  constexpr uint64_t kB = 0xD6E8FEB86659FD93ULL;
  uint64_t h = kA ^ (s.size() * kB);
  const char* p = s.data();
  size_t n = s.size();
  while (n > 8) {
    h = Mix(h ^ Load(p, 8), kB);
    p += 8;
    n -= 8;
  }
  h = Mix(h ^ Load(p, n), kA);
  h = Mix(h, kB);
  return h == 0 ? 1 : h;
}

// The table keeps at most 3/4 of its slots full: linear probing stays short, and the memory
// stays within 64 bytes a key.
void StringIndex::Reserve(size_t n) {
  size_t want = 16;
  while (want * 3 < n * 4) want <<= 1;
  if (want > slots_.size()) Grow(want);
}

void StringIndex::Grow(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_ = {};
  ResizeHuge(slots_, capacity);  // probes land anywhere in it
  mask_ = capacity - 1;
  for (const Slot& s : old) {
    if (s.hash == 0) continue;
    size_t i = s.hash & mask_;
    while (slots_[i].hash != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

std::pair<uint32_t, bool> StringIndex::InsertHashed(std::string_view key, uint64_t hash,
                                                    uint32_t value) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow(slots_.empty() ? 16 : slots_.size() * 2);
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.hash == 0) {
      s.hash = hash;
      s.size = static_cast<uint32_t>(key.size());
      s.value = value;
      if (key.size() <= kInline) {
        std::memcpy(s.key, key.data(), key.size());
      } else {
        const char* p = key.data();
        std::memcpy(s.key, &p, sizeof p);
      }
      ++size_;
      return {value, true};
    }
    if (s.hash == hash && s.Holds(key)) return {s.value, false};
  }
}

}  // namespace leadq
