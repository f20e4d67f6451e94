// The built-in qualification frameworks, BANT, MEDDIC and CHAMP, defined once: the loader checks
// gates against them and the engine evaluates answers against them. A model's [[framework]] with
// the same key replaces one of them (engine::FindFramework).

#include <vector>

#include "model/model.h"

namespace leadq::model {

const std::vector<Framework>& BuiltinFrameworks() {
  static const std::vector<Framework> kFrameworks = {
      Framework{
          .key = "bant",
          .name = "BANT",
          .description = "Budget, Authority, Need, Timing: whether the buyer can buy, and soon.",
          .criteria =
              {
                  {"budget", "Budget",
                   "The buyer has money set aside for this purchase, or a clear way to get it "
                   "approved."},
                  {"authority", "Authority",
                   "You are talking to the person who signs, or that person is involved and "
                   "known to you."},
                  {"need", "Need",
                   "The buyer has a problem we solve and has said so in their own words."},
                  {"timing", "Timing",
                   "The buyer has a date by which they intend to decide or buy."},
              },
          .pos = {},
      },
      Framework{
          .key = "meddic",
          .name = "MEDDIC",
          .description = "Metrics, Economic buyer, Decision criteria, Decision process, Identify "
                         "pain, Champion: for complex deals with several people buying.",
          .criteria =
              {
                  {"metrics", "Metrics",
                   "The buyer has put a number on the gain they expect: money, time or revenue."},
                  {"economic_buyer", "Economic buyer",
                   "You have met the person who controls the budget and can say yes alone."},
                  {"decision_criteria", "Decision criteria",
                   "You know the criteria the buyer will use to compare vendors."},
                  {"decision_process", "Decision process",
                   "You know the steps, people and dates between now and a signed contract."},
                  {"identify_pain", "Identify pain",
                   "The buyer has named a pain costly enough to act on, and what it costs them."},
                  {"champion", "Champion",
                   "Someone inside the buyer has the influence to matter and sells for you when "
                   "you are not in the room."},
              },
          .pos = {},
      },
      Framework{
          .key = "champ",
          .name = "CHAMP",
          .description = "Challenges, Authority, Money, Prioritization: BANT starting from the "
                         "buyer's problem.",
          .criteria =
              {
                  {"challenges", "Challenges",
                   "The buyer has described the challenges they need solved, and we solve them."},
                  {"authority", "Authority",
                   "You know who decides, and that person is part of the conversation."},
                  {"money", "Money",
                   "The buyer can fund the purchase: a budget exists or can be found."},
                  {"prioritization", "Prioritization",
                   "Solving this is a priority for the buyer now, ahead of their other "
                   "projects."},
              },
          .pos = {},
      },
  };
  return kFrameworks;
}

}  // namespace leadq::model
