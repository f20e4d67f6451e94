#include "store/store.h"

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

}  // namespace leadq::store
