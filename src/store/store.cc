#include "store/store.h"

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

}  // namespace leadq::store
