#include "store/event_blocks.h"

#include <cstring>

#include "core/text.h"
#include "store/codec.h"

namespace leadq::store::blocks {

using codec::Cursor;
using codec::PutString;
using codec::PutVarint;
using codec::UnZigZag;
using codec::ZigZag;

namespace {

// Block format 1: varint 1, then per event: varint seq, zigzag varint (occurred_at minus the
// previous event's), string event_id, string type, varint property count, then per property
// varint key and string value. A string is a varint length and its bytes.
// Id bucket format 1: varint 1, then per entry 8 bytes of hash (little-endian) and a string lead.
constexpr uint64_t kBlockFormat = 1;
constexpr uint64_t kBucketFormat = 1;

}  // namespace

void BlockWriter::Add(const StoredEvent& event, std::span<const StoredProp> props) {
  if (out_.empty()) {
    PutVarint(out_, kBlockFormat);
    last_ = 0;
  }
  PutVarint(out_, static_cast<uint64_t>(event.seq));
  PutVarint(out_, ZigZag(event.occurred_at - last_));
  last_ = event.occurred_at;
  PutString(out_, event.event_id);
  PutString(out_, event.type);
  PutVarint(out_, props.size());
  for (const StoredProp& p : props) {
    PutVarint(out_, p.key);
    PutString(out_, p.value);
  }
  ++count_;
}

std::string BlockWriter::Finish() {
  std::string out = std::move(out_);
  out_.clear();
  count_ = 0;
  last_ = 0;
  return out;
}

Status DecodeBlock(std::string_view blob, std::vector<StoredEvent>& events,
                   std::vector<StoredProp>& props) {
  Cursor c{blob};
  uint64_t format = c.Varint();
  if (c.bad || format != kBlockFormat) {
    return Status::Internal("an event block has format " + std::to_string(format) +
                            " where this leadq reads format " + std::to_string(kBlockFormat));
  }
  TimePoint last = 0;
  while (!c.done()) {
    StoredEvent e;
    e.seq = static_cast<int64_t>(c.Varint());
    last += UnZigZag(c.Varint());
    e.occurred_at = last;
    e.event_id = c.String();
    e.type = c.String();
    uint64_t n = c.Varint();
    if (c.bad || n > blob.size()) break;
    e.props_begin = static_cast<uint32_t>(props.size());
    for (uint64_t i = 0; i < n && !c.bad; ++i) {
      StoredProp p;
      p.key = static_cast<uint32_t>(c.Varint());
      p.value = c.String();
      props.push_back(p);
    }
    e.props_end = static_cast<uint32_t>(props.size());
    if (c.bad) break;
    events.push_back(e);
  }
  if (c.bad) {
    return Status::Internal("an event block is damaged at byte " + std::to_string(c.pos) + " of " +
                            std::to_string(blob.size()));
  }
  return Status::Ok();
}

namespace {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* WriteVarint(char* out, uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}

char* WriteString(char* out, std::string_view s) {
  out = WriteVarint(out, s.size());
  if (!s.empty()) std::memcpy(out, s.data(), s.size());
  return out + s.size();
}

// Staged bytes are written by this process just before they are read: no bounds to check.
const char* ReadVarint(const char* p, uint64_t& v) {
  v = 0;
  for (int shift = 0;; shift += 7) {
    auto byte = static_cast<unsigned char>(*p++);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return p;
  }
}

const char* ReadString(const char* p, std::string_view& s) {
  uint64_t n = 0;
  p = ReadVarint(p, n);
  s = std::string_view(p, n);
  return p + n;
}

}  // namespace

size_t StagedSize(std::string_view event_id, std::string_view type,
                  std::span<const StoredProp> props) {
  size_t n = sizeof(uint32_t) + sizeof(TimePoint) + VarintSize(event_id.size()) + event_id.size() +
             VarintSize(type.size()) + type.size() + VarintSize(props.size());
  for (const StoredProp& p : props) {
    n += VarintSize(p.key) + VarintSize(p.value.size()) + p.value.size();
  }
  return n;
}

char* StageEvent(char* out, uint32_t row, TimePoint occurred_at, std::string_view event_id,
                 std::string_view type, std::span<const StoredProp> props) {
  std::memcpy(out, &row, sizeof row);
  out += sizeof row;
  std::memcpy(out, &occurred_at, sizeof occurred_at);
  out += sizeof occurred_at;
  out = WriteString(out, event_id);
  out = WriteString(out, type);
  out = WriteVarint(out, props.size());
  for (const StoredProp& p : props) {
    out = WriteVarint(out, p.key);
    out = WriteString(out, p.value);
  }
  return out;
}

const char* ReadStaged(const char* p, uint32_t& row, StoredEvent& event,
                       std::vector<StoredProp>& props) {
  std::memcpy(&row, p, sizeof row);
  p += sizeof row;
  event = StoredEvent();
  std::memcpy(&event.occurred_at, p, sizeof event.occurred_at);
  p += sizeof event.occurred_at;
  p = ReadString(p, event.event_id);
  p = ReadString(p, event.type);
  uint64_t n = 0;
  p = ReadVarint(p, n);
  event.props_begin = static_cast<uint32_t>(props.size());
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t key = 0;
    p = ReadVarint(p, key);
    StoredProp prop;
    prop.key = static_cast<uint32_t>(key);
    p = ReadString(p, prop.value);
    props.push_back(prop);
  }
  event.props_end = static_cast<uint32_t>(props.size());
  return p;
}

uint64_t EventIdHash(std::string_view event_id) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : event_id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return codec::Finalise64(h);
}

Status DecodeIdBucket(std::string_view blob, std::vector<IdEntry>& out) {
  Cursor c{blob};
  uint64_t format = c.Varint();
  if (c.bad || format != kBucketFormat) {
    return Status::Internal("an event_id bucket has format " + std::to_string(format) +
                            " where this leadq reads format " + std::to_string(kBucketFormat));
  }
  while (!c.done()) {
    IdEntry e;
    e.hash = c.Fixed64();
    e.lead_id = c.String();
    if (c.bad) break;
    out.push_back(e);
  }
  if (c.bad) {
    return Status::Internal("an event_id bucket is damaged at byte " + std::to_string(c.pos) +
                            " of " + std::to_string(blob.size()));
  }
  return Status::Ok();
}

std::string EncodeIdBucket(std::span<const IdEntry> entries) {
  std::string out;
  size_t bytes = 1;
  for (const IdEntry& e : entries) bytes += 9 + e.lead_id.size();
  out.reserve(bytes);
  PutVarint(out, kBucketFormat);
  for (const IdEntry& e : entries) {
    codec::PutFixed64(out, e.hash);
    PutString(out, e.lead_id);
  }
  return out;
}

std::string TypeKey(std::string_view type) { return AsciiLower(Trim(type)); }

}  // namespace leadq::store::blocks
