#include "store/shipment_blocks.h"

#include <bit>
#include <cstring>

#include "store/codec.h"

namespace leadq::store::shipblocks {

using codec::Cursor;
using codec::PutString;
using codec::PutVarint;

namespace {

// Row encoding (no format number of its own: a block's is its rows'): varint time within the
// day, string bol_number, string hs_code, the kTexts strings, one byte with bit k set when
// number k is present, then each present number as 8 bytes (IEEE 754, little-endian). A string
// is a varint length and its bytes.
// Block format 1: varint 1, varint row count, then per row a string (its encoding).
// Key bucket format 1: varint 1, then per entry 8 bytes of hash (little-endian) and a zigzag
// varint day.
constexpr uint64_t kBlockFormat = 1;
constexpr uint64_t kBucketFormat = 1;

}  // namespace

void EncodeRow(std::string& out, const ShipmentFields& row) {
  PutVarint(out, static_cast<uint64_t>(row.arrival - DayOf(row.arrival) * kMicrosPerDay));
  PutString(out, row.bol_number);
  PutString(out, row.hs_code);
  for (std::string_view text : row.texts) PutString(out, text);
  unsigned mask = 0;
  for (size_t k = 0; k < kNumbers; ++k) {
    if (row.numbers[k]) mask |= 1u << k;
  }
  out.push_back(static_cast<char>(mask));
  for (const std::optional<double>& number : row.numbers) {
    if (!number) continue;
    const double v = *number == 0 ? 0.0 : *number;  // -0 is 0: equal lines, equal bytes
    codec::PutFixed64(out, std::bit_cast<uint64_t>(v));
  }
}

bool DecodeRow(std::string_view encoded, int64_t day, ShipmentFields& row) {
  Cursor c{encoded};
  const uint64_t time = c.Varint();
  if (c.bad || time >= static_cast<uint64_t>(kMicrosPerDay)) return false;
  row.arrival = day * kMicrosPerDay + static_cast<int64_t>(time);
  row.bol_number = c.String();
  row.hs_code = c.String();
  for (std::string_view& text : row.texts) text = c.String();
  if (c.bad || c.done()) return false;
  const auto mask = static_cast<unsigned char>(encoded[c.pos++]);
  if (mask >> kNumbers != 0) return false;
  for (size_t k = 0; k < kNumbers; ++k) {
    if ((mask & (1u << k)) == 0) {
      row.numbers[k].reset();
      continue;
    }
    row.numbers[k] = std::bit_cast<double>(c.Fixed64());
  }
  return !c.bad && c.done();
}

bool DecodeKey(std::string_view encoded, int64_t& time_of_day, std::string_view& bol_number,
               std::string_view& hs_code) {
  Cursor c{encoded};
  time_of_day = static_cast<int64_t>(c.Varint());
  bol_number = c.String();
  hs_code = c.String();
  return !c.bad && time_of_day < kMicrosPerDay;
}

std::string EncodeBlock(std::span<const std::string_view> rows) {
  size_t bytes = 12;
  for (std::string_view row : rows) bytes += 3 + row.size();
  std::string out;
  out.reserve(bytes);
  PutVarint(out, kBlockFormat);
  PutVarint(out, rows.size());
  for (std::string_view row : rows) PutString(out, row);
  return out;
}

Status DecodeBlock(std::string_view blob, std::vector<std::string_view>& rows) {
  Cursor c{blob};
  const uint64_t format = c.Varint();
  if (c.bad || format != kBlockFormat) {
    return Status::Internal("a shipment block has format " + std::to_string(format) +
                            " where this leadq reads format " + std::to_string(kBlockFormat));
  }
  const uint64_t count = c.Varint();
  if (!c.bad && count <= blob.size()) {
    rows.reserve(rows.size() + count);
    for (uint64_t i = 0; i < count && !c.bad; ++i) rows.push_back(c.String());
  } else {
    c.bad = true;
  }
  if (c.bad || !c.done()) {
    return Status::Internal("a shipment block is damaged at byte " + std::to_string(c.pos) +
                            " of " + std::to_string(blob.size()));
  }
  return Status::Ok();
}

uint64_t ShipmentKeyHash(std::string_view bol_number, std::string_view hs_code) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 0x100000001b3ULL;
  };
  for (char c : bol_number) mix(static_cast<unsigned char>(c));
  mix(0x1f);
  for (char c : hs_code) mix(static_cast<unsigned char>(c));
  return codec::Finalise64(h);
}

Status DecodeKeyBucket(std::string_view blob, std::vector<KeyEntry>& out) {
  Cursor c{blob};
  const uint64_t format = c.Varint();
  if (c.bad || format != kBucketFormat) {
    return Status::Internal("a shipment key bucket has format " + std::to_string(format) +
                            " where this leadq reads format " + std::to_string(kBucketFormat));
  }
  while (!c.done() && !c.bad) {
    KeyEntry e;
    e.hash = c.Fixed64();
    e.day = codec::UnZigZag(c.Varint());
    if (!c.bad) out.push_back(e);
  }
  if (c.bad) {
    return Status::Internal("a shipment key bucket is damaged at byte " + std::to_string(c.pos) +
                            " of " + std::to_string(blob.size()));
  }
  return Status::Ok();
}

std::string EncodeKeyBucket(std::span<const KeyEntry> entries) {
  std::string out;
  out.reserve(1 + entries.size() * 12);
  PutVarint(out, kBucketFormat);
  for (const KeyEntry& e : entries) {
    codec::PutFixed64(out, e.hash);
    PutVarint(out, codec::ZigZag(e.day));
  }
  return out;
}

}  // namespace leadq::store::shipblocks
