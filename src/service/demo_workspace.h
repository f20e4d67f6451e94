// The workspace `leadq serve --demo` runs on: the demo data set (demo.h) and the export demo
// (trade_demo.h) loaded into a fresh workspace, scored and handed over, so that a person who
// opens the dashboard on a fresh machine sees a pipeline, queues, reports and a shortlist.
//
// The data is synthetic (it says so in the model's description and in the output of `leadq
// serve --demo`). Its "now" is the moment of seeding: events reach back months from it, deals
// are open, won and lost, and the response clocks of the new MQLs are running.
//
// Example:
//   LEADQ_TRY(DemoWorkspaceReport r, SeedDemoWorkspace("demo-workspace", {.as_of = now}));
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace leadq::service {

struct DemoWorkspaceOptions {
  size_t leads = 2000;
  uint64_t seed = 42;
  TimePoint as_of = 0;
  std::string by = "leadq-demo";
};

struct DemoWorkspaceReport {
  bool seeded = false;  // false: a workspace was already there and was left as it is
  uint64_t leads = 0, accounts = 0, events = 0, deals = 0, shipments = 0;
  uint64_t mqls = 0;                // leads in mql after the rescore
  std::vector<std::string> owners;  // the sellers added
};

// Seeds `dir` when it holds no workspace yet: init, the demo model with an [export] section
// (examples/models/b2b-saas.toml + the [export] part of export-auto-parts.toml, with its
// tariffs), owners for every pool of the model, accounts, leads, events, deals, customs
// records and access notes, then a rescore as of `as_of` (which assigns the MQLs). When `dir`
// already holds a workspace nothing is changed (seeded = false). Fails, leaving what was
// written, when a step fails; the message names the step.
Result<DemoWorkspaceReport> SeedDemoWorkspace(const std::filesystem::path& dir,
                                              const DemoWorkspaceOptions& options);

}  // namespace leadq::service
