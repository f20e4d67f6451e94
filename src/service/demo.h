// The demo data set: a qualification model and made-up accounts, leads and events that exercise
// it, so that a new user can run `leadq score` (and everything after it) in one minute.
//
// The model is examples/models/b2b-saas.toml with its list file examples/models/free-mail.txt,
// both compiled into the binary (see demo_assets.cmake). The data is synthetic but shaped like a
// real CRM export: an ideal-customer mix with plenty of accounts outside it, personal and
// mistyped e-mail addresses, students and job seekers, competitors' employees looking around,
// duplicate records, withdrawn consent, hard bounces, and a hidden buying propensity per lead
// that decides how much it does and how recently. Scored with the model as of `as_of`, a few
// percent of leads come out as MQLs, some are disqualified, and every grade cell is populated.
//
// Example:
//   DemoOptions options;
//   options.as_of = *ParseTimestamp("2026-03-01T00:00:00Z");
//   LEADQ_TRY(WriteDemoData(options, "demo"));
//   // leadq score --model demo/model.toml --leads demo/leads.csv --accounts demo/accounts.csv
//   //             --events demo/events.csv --as-of 2026-03-01
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace leadq::service {

// examples/models/b2b-saas.toml and examples/models/free-mail.txt, byte for byte, as they were
// when the binary was built. Defined in the generated demo_assets.cc.
extern const std::string_view kDemoModelToml;
extern const std::string_view kDemoFreeMail;
// examples/models/export-auto-parts.toml and its tariff files (tariffs/us-hts-8708.csv,
// tariffs/duties.csv), for `leadq trade demo`.
extern const std::string_view kTradeDemoModelToml;
extern const std::string_view kTradeDemoUsHts;
extern const std::string_view kTradeDemoDuties;

struct DemoOptions {
  // How many leads to write; about a quarter as many accounts are written.
  size_t leads = 2000;
  // The only source of randomness: the same seed (and the same other options) gives
  // byte-identical files on every machine.
  uint64_t seed = 42;
  // The "now" of the data set: every lead is created and every event occurs before it (events
  // reach back about eight months). Score the data with the same --as-of.
  TimePoint as_of = 0;
};

// Writes, in `dir` (created when missing, parents included):
//   model.toml     the embedded model (kDemoModelToml)
//   free-mail.txt  its list file (kDemoFreeMail)
//   accounts.csv   account_id,name,domain,industry,employees,country,region,annual_revenue,
//                  tech_stack
//   leads.csv      lead_id,account_id,first_name,last_name,email,job_title,department,country,
//                  channel,source,consent,do_not_contact,unsubscribed,duplicate_of,created_at
//   events.csv     event_id,lead_id,type,occurred_at,page,asset,campaign: sorted by time, with
//                  a few exact duplicate rows that share an event_id, as a retried webhook would
//                  deliver them; `page` is the path of a page view or form, `asset` the title of
//                  a download or webinar, `campaign` the e-mail, webinar or trade-show campaign
//   deals.csv      deal_id,lead_id,account_id,owner,status,created_at,closed_at,value,
//                  lost_reason: the deals the leads opened (open, won or lost), for
//                  `leadq import outcomes`; they follow the hidden propensity, not the score
// Existing files of those names are replaced. Fails with an I/O Status naming the path when the
// directory cannot be created or a file cannot be written; files written before the failure
// are left in place. Memory grows with the number of events (about 24 bytes each, some ten per
// lead). Thread-safe: it touches no shared state.
Status WriteDemoData(const DemoOptions& options, const std::filesystem::path& dir);

}  // namespace leadq::service
