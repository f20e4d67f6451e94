// How the SQLite store keeps events: not one row per event, but each lead's events packed into
// blocks, and the event_ids of all leads in hash buckets. Ten million events are then about a
// million rows to write and read back instead of ten million rows plus a ten-million-entry unique
// index (each row costs SQLite about a microsecond however it is ordered).
//
// A block is one row of `event_blocks` (lead_id, segment): up to kSegmentEvents events of one
// lead, ordered by occurred_at then seq. New events of a lead go into its last segment while it
// has room, then into new ones, so a lead with a long history is never rewritten whole. A
// reader merges a lead's segments (they may overlap in time).
//
// An id bucket is one row of `event_ids` (bucket): the entries (hash of the event_id, lead_id)
// of every stored event that has an id and whose hash falls in the bucket, sorted by hash. A hash
// match is a candidate only; the event_id itself is compared in the lead's blocks.
//
// Both encodings are stored on disk: they change only with a new format number (kBlockFormat,
// and EventIdHash must never change).
//
// Example:
//   BlockWriter w;
//   w.Add({.seq = 7, .occurred_at = t, .event_id = "E1", .type = "page_view"}, props);
//   std::string blob = w.Finish();
//   std::vector<StoredEvent> events; std::vector<StoredProp> props;
//   LEADQ_TRY(DecodeBlock(blob, events, props));
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace leadq::store::blocks {

// The most events one segment holds.
inline constexpr size_t kSegmentEvents = 256;
// The number of event_id buckets (the top 16 bits of the hash).
inline constexpr uint32_t kIdBuckets = 65536;

// A free-form property of a stored event: the key's position in field_columns, and its value.
struct StoredProp {
  uint32_t key = 0;
  std::string_view value;
};

// One event as a block holds it. The views point into the decoded blob; `props` is a range of
// the props array DecodeBlock fills.
struct StoredEvent {
  int64_t seq = 0;
  TimePoint occurred_at = 0;
  std::string_view event_id;  // empty: identified by lead, type and time
  std::string_view type;
  uint32_t props_begin = 0;
  uint32_t props_end = 0;
};

// Encodes the events of one segment in the order they are added (the caller sorts them).
class BlockWriter {
 public:
  void Add(const StoredEvent& event, std::span<const StoredProp> props);
  size_t count() const { return count_; }
  // The blob; the writer is empty again afterwards.
  std::string Finish();

 private:
  std::string out_;
  size_t count_ = 0;
  TimePoint last_ = 0;
};

// Appends the events of `blob` to `events` and their properties to `props` (views into `blob`).
// A blob that does not decode is an Internal error naming what is wrong.
Status DecodeBlock(std::string_view blob, std::vector<StoredEvent>& events,
                   std::vector<StoredProp>& props);

// A new event staged for writing: its row in the batch and what its block will hold, in one
// run of bytes, so that the events of a lead, staged next to each other, are read in sequence
// (an import's rows of one lead lie anywhere in the file). The size StageEvent writes:
size_t StagedSize(std::string_view event_id, std::string_view type,
                  std::span<const StoredProp> props);
// Writes the staged event at `out` and returns the end of what it wrote.
char* StageEvent(char* out, uint32_t row, TimePoint occurred_at, std::string_view event_id,
                 std::string_view type, std::span<const StoredProp> props);
// Reads a staged event at `p` (views into the staged bytes; props appended to `props`, seq left
// 0) and returns the end of it.
const char* ReadStaged(const char* p, uint32_t& row, StoredEvent& event,
                       std::vector<StoredProp>& props);

// The stored hash of an event_id (FNV-1a, then a 64-bit finaliser); never changes.
uint64_t EventIdHash(std::string_view event_id);
static_assert(kIdBuckets == uint32_t{1} << 16, "BucketOf takes the top 16 bits of the hash");
inline uint32_t BucketOf(uint64_t hash) { return static_cast<uint32_t>(hash >> 48); }

// One entry of an id bucket.
struct IdEntry {
  uint64_t hash = 0;
  std::string_view lead_id;
};
// Appends the entries of a bucket blob to `out` (views into `blob`); Internal when it does not
// decode.
Status DecodeIdBucket(std::string_view blob, std::vector<IdEntry>& out);
// Encodes entries (sorted by hash by the caller).
std::string EncodeIdBucket(std::span<const IdEntry> entries);

// The identity of an event without an id within its lead: its type trimmed and lower-cased,
// and its time. Two id-less events of one lead with equal keys are one event.
std::string TypeKey(std::string_view type);

}  // namespace leadq::store::blocks
