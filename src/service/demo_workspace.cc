#include "service/demo_workspace.h"

#include <fstream>
#include <string_view>

#include "service/demo.h"
#include "service/handoff.h"
#include "service/import.h"
#include "service/lifecycle_ops.h"
#include "service/models.h"
#include "service/trade.h"
#include "service/trade_demo.h"
#include "service/workspace.h"

namespace leadq::service {

namespace {

Status WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  if (!file) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

// The sellers the demo model's pools name (b2b-saas.toml [handoff]), with a manager.
struct DemoOwner {
  const char* id;
  const char* name;
  const char* role;
  int64_t capacity;
  const char* hours;
  const char* zone;
  const char* manager;
};
constexpr DemoOwner kOwners[] = {
    {"sam", "Sam Ortiz", "AE", 60, "", "UTC", ""},
    {"erin", "Erin Walsh", "AE", 25, "mon-fri 08:00-18:00", "America/New_York", "sam"},
    {"eli", "Eli Cohen", "AE", 25, "mon-fri 08:00-18:00", "America/Chicago", "sam"},
    {"mia", "Mia Schneider", "SDR", 40, "mon-fri 08:00-17:00", "Europe/Berlin", "sam"},
    {"max", "Max Dubois", "SDR", 40, "mon-fri 08:00-17:00", "Europe/Paris", "sam"},
    {"ana", "Ana Lima", "SDR", 40, "mon-fri 09:00-17:00", "America/Sao_Paulo", "sam"},
    {"ben", "Ben Carter", "SDR", 40, "mon-fri 09:00-17:00", "America/Los_Angeles", "sam"},
};

}  // namespace

Result<DemoWorkspaceReport> SeedDemoWorkspace(const std::filesystem::path& dir,
                                              const DemoWorkspaceOptions& options) {
  DemoWorkspaceReport report;
  if (std::filesystem::exists(dir / "leadq.db")) return report;
  auto step = [](std::string_view what, const Status& s) -> Status {
    if (s.ok()) return s;
    return Status(s.code(),
                  "seeding the demo workspace, " + std::string(what) + ": " + s.message());
  };

  // The data files live beside the database, so a person can look at what was loaded.
  const std::filesystem::path data = dir / "demo-data";
  DemoOptions demo;
  demo.leads = options.leads;
  demo.seed = options.seed;
  demo.as_of = options.as_of;
  LEADQ_TRY(step("writing the data", WriteDemoData(demo, data)));

  // One model for both halves: the scoring model and the export section of the export model.
  const std::string_view trade = kTradeDemoModelToml;
  const size_t export_at = trade.find("\n[export]");
  if (export_at == std::string_view::npos) {
    return Status::Internal("the embedded export model has no [export] section");
  }
  std::string model(kDemoModelToml);
  model += "\n# ---- Export pre-qualification (from examples/models/export-auto-parts.toml) ----\n";
  model += trade.substr(export_at + 1);
  std::error_code ec;
  std::filesystem::create_directories(data / "tariffs", ec);
  LEADQ_TRY(step("writing the model", WriteFile(data / "model.toml", model)));
  LEADQ_TRY(
      step("writing tariffs", WriteFile(data / "tariffs" / "us-hts-8708.csv", kTradeDemoUsHts)));
  LEADQ_TRY(step("writing tariffs", WriteFile(data / "tariffs" / "duties.csv", kTradeDemoDuties)));

  LEADQ_TRY(Workspace ws, InitWorkspace(dir));
  for (const DemoOwner& o : kOwners) {
    store::Owner owner;
    owner.owner_id = o.id;
    owner.name = o.name;
    owner.email = std::string(o.id) + "@example.com";
    owner.role = o.role;
    owner.weekly_capacity = o.capacity;
    owner.working_hours = o.hours;
    owner.time_zone = o.zone;
    owner.manager = o.manager;
    LEADQ_TRY(step("adding owners", AddOwner(ws, owner, options.as_of).status()));
    report.owners.emplace_back(o.id);
  }
  LEADQ_TRY(step(
      "applying the model",
      ApplyModel(ws, data / "model.toml", "demo: b2b-saas with the export section (synthetic data)",
                 options.by, options.as_of)
          .status()));

  struct File {
    ImportKind kind;
    const char* name;
    uint64_t* count;
  };
  const File files[] = {{ImportKind::kAccounts, "accounts.csv", &report.accounts},
                        {ImportKind::kLeads, "leads.csv", &report.leads},
                        {ImportKind::kEvents, "events.csv", &report.events},
                        {ImportKind::kOutcomes, "deals.csv", &report.deals}};
  for (const File& f : files) {
    ImportRequest r;
    r.kind = f.kind;
    r.file = data / f.name;
    r.actor = options.by;
    r.now = options.as_of;
    LEADQ_TRY(ImportReport imported, ImportFile(ws, r));
    if (!imported.committed) {
      return Status::Internal(std::string("the demo's own ") + f.name +
                              " was rejected: " + imported.first_reasons);
    }
    *f.count = imported.stats.inserted + imported.stats.updated + imported.stats.unchanged;
  }

  Progress quiet("", false);
  LEADQ_TRY(RescoreReport rescored, Rescore(ws, options.as_of, quiet));
  for (const auto& [move, n] : rescored.moves) {
    if (move.size() > 4 && move.compare(move.size() - 4, 4, " mql") == 0) report.mqls += n;
  }

  // The export half: customs records and what the demo user knows about buyers' access.
  TradeDemoOptions trade_options;
  trade_options.as_of = options.as_of;
  TradeDemo shipments = GenerateTradeDemo(trade_options);
  LEADQ_TRY(step("writing shipments", WriteFile(data / "shipments.csv", shipments.shipments_csv)));
  TradeImportRequest import;
  import.file = data / "shipments.csv";
  import.now = options.as_of;
  LEADQ_TRY(TradeImportReport imported, ImportShipments(ws, import));
  if (!imported.committed) {
    return Status::Internal("the demo's own customs records were rejected: " +
                            imported.first_reasons);
  }
  report.shipments = shipments.rows;
  for (const TradeDemoAccess& a : shipments.access) {
    AccessRequest request;
    request.buyer = BuyerRef{a.spelling, a.country};
    request.access = a.access;
    request.note = a.note;
    request.by = options.by;
    request.now = options.as_of;
    LEADQ_TRY(step("recording access", RecordAccess(ws, request).status()));
  }
  report.seeded = true;
  return report;
}

}  // namespace leadq::service
