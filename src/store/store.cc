#include "store/store.h"

#include <array>
#include <unordered_map>

#include "core/memory.h"
#include "core/text.h"

namespace leadq::store {

std::string_view DealStatusName(DealStatus s) {
  switch (s) {
    case DealStatus::kOpen:
      return "open";
    case DealStatus::kWon:
      return "won";
    case DealStatus::kLost:
      return "lost";
  }
  return "open";  // unreachable: every enumerator is handled above
}

std::optional<DealStatus> ParseDealStatus(std::string_view s) {
  std::string_view t = Trim(s);
  for (DealStatus status : {DealStatus::kOpen, DealStatus::kWon, DealStatus::kLost}) {
    if (IEquals(t, DealStatusName(status))) return status;
  }
  return std::nullopt;
}

std::string_view MessageStatusName(MessageStatus s) {
  switch (s) {
    case MessageStatus::kPending:
      return "pending";
    case MessageStatus::kDelivered:
      return "delivered";
    case MessageStatus::kDead:
      return "dead";
  }
  return "pending";  // unreachable: every enumerator is handled above
}

void EventBatch::Add(const Event& event, std::span<const std::string_view> values) {
  events_.push_back(event);
  size_t n = std::min(values.size(), keys_.size());
  values_.insert(values_.end(), values.begin(), values.begin() + static_cast<ptrdiff_t>(n));
  values_.resize(events_.size() * keys_.size());
}

void EventBatch::Append(EventBatch&& other) {
  if (events_.empty() && keys_ == other.keys_) {
    std::swap(events_, other.events_);
    std::swap(values_, other.values_);
  } else {
    events_.insert(events_.end(), other.events_.begin(), other.events_.end());
    values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  }
  for (auto& chunk : other.chunks_) chunks_.push_back(std::move(chunk));
  other.chunks_.clear();
  other.events_.clear();
  other.values_.clear();
}

void EventBatch::Reserve(size_t events) {
  // Millions of rows: huge pages save a page fault per 4 KiB as they are filled.
  ReserveHuge(events_, events);
  ReserveHuge(values_, events * keys_.size());
}

std::string_view EventBatch::Keep(std::string_view s) {
  if (s.empty()) return {};
  constexpr size_t kChunk = size_t{1} << 20;
  if (chunks_.empty() || chunk_size_ - chunk_used_ < s.size()) {
    chunk_size_ = std::max(kChunk, s.size());
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(chunk_size_));
    chunk_used_ = 0;
  }
  char* at = chunks_.back().get() + chunk_used_;
  std::copy(s.begin(), s.end(), at);
  chunk_used_ += s.size();
  return {at, s.size()};
}

Result<EventBatch> EventBatch::Of(std::span<const EventRow> rows) {
  EventBatch batch;
  std::unordered_map<std::string_view, size_t> slot;
  for (const EventRow& row : rows) {
    for (const Field& f : row.props) {
      if (slot.try_emplace(f.key, batch.keys_.size()).second) batch.keys_.push_back(f.key);
    }
  }
  batch.Reserve(rows.size());
  std::vector<std::string_view> values(batch.keys_.size());
  for (const EventRow& row : rows) {
    std::fill(values.begin(), values.end(), std::string_view());
    for (const Field& f : row.props) {
      std::string_view& v = values[slot[f.key]];
      if (v.data() != nullptr) {
        return Status::Invalid("event field key '" + f.key + "' appears twice in one row");
      }
      v = f.value.empty() ? std::string_view("", 0) : std::string_view(f.value);
    }
    for (std::string_view& v : values) {
      if (v.data() != nullptr && v.empty()) v = {};
    }
    batch.Add({row.event_id, row.lead_id, row.type, row.occurred_at}, values);
  }
  return batch;
}

Status Transaction::InsertEvents(std::span<const EventRow> rows, WriteStats& stats) {
  LEADQ_TRY(EventBatch batch, EventBatch::Of(rows));
  return InsertEventBatch(batch, stats);
}

// The text members of a shipment after its key, in shipblocks::ShipmentFields::texts order, and
// its numbers in ShipmentFields::numbers order.
namespace {
constexpr std::array<std::string ShipmentRow::*, shipblocks::kTexts> kShipmentTexts = {
    &ShipmentRow::consignee_name,    &ShipmentRow::shipper_name,
    &ShipmentRow::consignee_address, &ShipmentRow::consignee_city,
    &ShipmentRow::consignee_country, &ShipmentRow::shipper_country,
    &ShipmentRow::notify_party,      &ShipmentRow::country_of_origin,
    &ShipmentRow::port_of_lading,    &ShipmentRow::port_of_unlading,
    &ShipmentRow::description,       &ShipmentRow::carrier,
};
constexpr std::array<std::optional<double> ShipmentRow::*, shipblocks::kNumbers> kShipmentNumbers =
    {&ShipmentRow::weight_kg, &ShipmentRow::containers, &ShipmentRow::teu, &ShipmentRow::quantity,
     &ShipmentRow::value_usd};
}  // namespace

shipblocks::ShipmentFields FieldsOf(const ShipmentRow& row) {
  shipblocks::ShipmentFields f;
  f.arrival = row.arrival;
  f.bol_number = row.bol_number;
  f.hs_code = row.hs_code;
  for (size_t i = 0; i < kShipmentTexts.size(); ++i) f.texts[i] = row.*kShipmentTexts[i];
  for (size_t i = 0; i < kShipmentNumbers.size(); ++i) f.numbers[i] = row.*kShipmentNumbers[i];
  return f;
}

void AssignFields(const shipblocks::ShipmentFields& fields, ShipmentRow& row) {
  row.arrival = fields.arrival;
  row.bol_number.assign(fields.bol_number);
  row.hs_code.assign(fields.hs_code);
  for (size_t i = 0; i < kShipmentTexts.size(); ++i) {
    (row.*kShipmentTexts[i]).assign(fields.texts[i]);
  }
  for (size_t i = 0; i < kShipmentNumbers.size(); ++i) {
    row.*kShipmentNumbers[i] = fields.numbers[i];
  }
}

void ShipmentBatch::Reserve(size_t rows, size_t bytes) {
  rows_.reserve(rows);
  bytes_.reserve(bytes);
}

void ShipmentBatch::Add(const shipblocks::ShipmentFields& row) {
  const size_t offset = bytes_.size();
  shipblocks::EncodeRow(bytes_, row);
  rows_.push_back({row.arrival, offset, bytes_.size() - offset});
}

Status Transaction::UpsertShipments(std::span<const ShipmentRow> rows, WriteStats& stats) {
  ShipmentBatch batch;
  batch.Reserve(rows.size(), rows.size() * 256);
  for (const ShipmentRow& row : rows) batch.Add(row);
  return UpsertShipmentBatch(batch, stats);
}

}  // namespace leadq::store
