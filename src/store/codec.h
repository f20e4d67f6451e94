// The byte-level pieces of the store's blob encodings (event_blocks.h, shipment_blocks.h):
// varints, length-prefixed strings, zigzag integers, fixed 64-bit words, and a cursor that reads
// them with every read checked against the end.
//
// Example:
//   std::string out;
//   codec::PutVarint(out, 300);
//   codec::PutString(out, "MAEU1");
//   codec::Cursor c{out};
//   uint64_t n = c.Varint();  // 300
//   std::string_view s = c.String();
//   if (c.bad) { ... }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadq::store::codec {

inline void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

// Little-endian.
inline void PutFixed64(std::string& out, uint64_t v) {
  char raw[8];
  for (int i = 0; i < 8; ++i) raw[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out.append(raw, 8);
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// MurmurHash3's 64-bit finaliser: FNV-1a alone leaves the top bits (a bucket) poorly mixed.
inline uint64_t Finalise64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Reads from a blob; every read checks the bounds and sets `bad` instead of overrunning.
struct Cursor {
  std::string_view in;
  size_t pos = 0;
  bool bad = false;

  bool done() const { return pos >= in.size(); }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= in.size()) break;
      auto byte = static_cast<unsigned char>(in[pos++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    bad = true;
    return 0;
  }
  std::string_view String() {
    uint64_t n = Varint();
    if (bad || n > in.size() - pos) {
      bad = true;
      return {};
    }
    std::string_view s = in.substr(pos, n);
    pos += n;
    return s;
  }
  uint64_t Fixed64() {
    if (in.size() - pos < 8) {
      bad = true;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[pos + i]);
    pos += 8;
    return v;
  }
};

}  // namespace leadq::store::codec
