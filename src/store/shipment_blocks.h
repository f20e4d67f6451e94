// How the SQLite store keeps shipments (spec/SHIPMENTS.md): not one row per bill-of-lading line,
// but the lines of each arrival day packed into blocks, and their keys in hash buckets. Five
// million lines are then a few thousand rows to write and read back instead of five million rows
// of twenty columns plus a five-million-entry unique index (measured: 55 s to import 5M lines as
// rows, most of it SQLite's).
//
// A block is one row of `shipment_blocks`, id = day * 65,536 + segment: up to kSegmentRows lines
// that arrive on one day (days since the epoch, UTC), in scan order (arrival, bol_number,
// hs_code). A day's segments are consecutive slices of that order, so reading the blocks by id
// reads every line in scan order. Writing a day rewrites its segments.
//
// A key bucket is one row of `shipment_keys` (bucket): the entries (ShipmentKeyHash of the
// line's bol_number and hs_code, day) of every stored line whose hash falls in the bucket,
// sorted by hash. A hash match is a candidate only; the key itself is compared in the day's
// blocks.
//
// Both encodings are stored on disk: they change only with a new format number, and
// ShipmentKeyHash must never change.
//
// Example:
//   std::string row;
//   EncodeRow(row, fields);          // one line, as ShipmentBatch keeps it
//   std::string blob = EncodeBlock(rows_of_one_segment);
//   std::vector<std::string_view> rows;
//   LEADQ_TRY(DecodeBlock(blob, rows));
//   ShipmentFields f;
//   bool ok = DecodeRow(rows[0], day, f);
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace leadq::store::shipblocks {

// The most lines one segment holds (a segment of generated customs lines is about 200 KB).
inline constexpr size_t kSegmentRows = 1024;
// The most segments of one day (the low 16 bits of a block's id).
inline constexpr int64_t kDaySegments = 65536;
// The number of key buckets (the top 16 bits of the hash).
inline constexpr uint32_t kKeyBuckets = 65536;

// The text members after the key, in ShipmentRow's order: consignee_name, shipper_name,
// consignee_address, consignee_city, consignee_country, shipper_country, notify_party,
// country_of_origin, port_of_lading, port_of_unlading, description, carrier.
inline constexpr size_t kTexts = 12;
// The numbers: weight_kg, containers, teu, quantity, value_usd.
inline constexpr size_t kNumbers = 5;

// One line, borrowed.
struct ShipmentFields {
  TimePoint arrival = 0;
  std::string_view bol_number, hs_code;
  std::array<std::string_view, kTexts> texts{};
  std::array<std::optional<double>, kNumbers> numbers{};
};

// The day a time falls on (days since the epoch, rounded down).
inline int64_t DayOf(TimePoint t) {
  int64_t day = t / kMicrosPerDay;
  return (t % kMicrosPerDay < 0) ? day - 1 : day;
}

// Appends the encoding of one line to `out`. The day is not part of it (a block's id holds it);
// the time within the day is. Equal lines of one day encode to equal bytes (a number -0 is
// written as 0).
void EncodeRow(std::string& out, const ShipmentFields& row);
// Reads a line encoded by EncodeRow, on `day`, into `row` (views into `encoded`). False when the
// bytes do not decode.
bool DecodeRow(std::string_view encoded, int64_t day, ShipmentFields& row);
// The time within the day, bol_number and hs_code of an encoded line, read without the rest.
// False when the bytes do not decode.
bool DecodeKey(std::string_view encoded, int64_t& time_of_day, std::string_view& bol_number,
               std::string_view& hs_code);

// The blob of one segment: encoded lines in scan order.
std::string EncodeBlock(std::span<const std::string_view> rows);
// Appends the lines of a blob to `rows` (views into `blob`); Internal when it does not decode.
Status DecodeBlock(std::string_view blob, std::vector<std::string_view>& rows);

// The stored hash of a line's key (FNV-1a of bol_number, a 0x1f byte and hs_code, then a 64-bit
// finaliser); never changes.
uint64_t ShipmentKeyHash(std::string_view bol_number, std::string_view hs_code);
inline uint32_t BucketOf(uint64_t hash) { return static_cast<uint32_t>(hash >> 48); }

struct KeyEntry {
  uint64_t hash = 0;
  int64_t day = 0;
  auto operator<=>(const KeyEntry&) const = default;
};
// Appends the entries of a bucket blob to `out`; Internal when it does not decode.
Status DecodeKeyBucket(std::string_view blob, std::vector<KeyEntry>& out);
// Encodes entries (sorted by the caller).
std::string EncodeKeyBucket(std::span<const KeyEntry> entries);

}  // namespace leadq::store::shipblocks
