// The HTTP API through a real socket: a demo workspace served on a free loopback port, driven
// with cpp-httplib's client. Covers the role matrix (role x route x own/other lead) against a
// table written here by hand, the OpenAPI document against the route table both ways, event
// ingestion that makes an MQL (owner, clock, webhook delivered to a local receiver), idempotent
// ingestion under concurrent duplicate posts, problem+json errors and limits.
#include "server/api.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "service/access.h"
#include "service/demo_workspace.h"
#include "service/workspace.h"

namespace leadq::server {
namespace {

using json = nlohmann::json;
using service::Role;

const TimePoint kNow = *ParseTimestamp("2026-03-02T15:00:00Z");

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("leadq-api-test-" + std::to_string(::getpid())));
    std::filesystem::remove_all(*dir_);
    Result<service::DemoWorkspaceReport> seeded =
        service::SeedDemoWorkspace(*dir_, {.leads = 300, .as_of = kNow});
    ASSERT_TRUE(seeded.ok()) << seeded.status().message();
    Result<service::Workspace> ws = service::OpenWorkspace(*dir_);
    ASSERT_TRUE(ws.ok()) << ws.status().message();
    ws_ = new service::Workspace(std::move(*ws));
    auto token = [](const char* name, Role role, const char* owner) {
      Result<service::NewToken> t = service::CreateToken(*ws_, name, role, owner, kNow);
      EXPECT_TRUE(t.ok()) << t.status().message();
      return t.ok() ? t->secret : std::string();
    };
    tokens_ = new std::map<std::string, std::string>{
        {"admin", token("t-admin", Role::kAdmin, "")},
        {"ops", token("t-ops", Role::kOps, "")},
        {"ingest", token("t-ingest", Role::kIngest, "")},
    };
    ApiOptions options;
    options.port = 0;
    options.background = false;  // the tests run the background work themselves
    options.clock = [] { return kNow; };
    options.max_body_bytes = 4 << 20;
    server_ = new ApiServer(*ws_, options);
    Result<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
  }
  static void TearDownTestSuite() {
    server_->Stop();
    server_->Wait();
    delete server_;
    delete ws_;
    delete tokens_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(std::chrono::seconds(60));
    return c;
  }
  static httplib::Headers Auth(const std::string& role) {
    return {{"Authorization", "Bearer " + tokens_->at(role)}};
  }
  static json Get(const std::string& path, const std::string& role, int expect = 200) {
    httplib::Client c = Client();
    httplib::Result r = c.Get(path.c_str(), Auth(role));
    EXPECT_TRUE(r) << path;
    if (!r) return nullptr;
    EXPECT_EQ(r->status, expect) << "GET " << path << " as " << role << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  static json Post(const std::string& path, const std::string& role, const json& body,
                   int expect = 200) {
    httplib::Client c = Client();
    httplib::Result r = c.Post(path.c_str(), Auth(role), body.dump(), "application/json");
    EXPECT_TRUE(r) << path;
    if (!r) return nullptr;
    EXPECT_EQ(r->status, expect) << "POST " << path << " as " << role << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }

  // A body that is not JSON (a CSV, a model's TOML); the answer as it came.
  static httplib::Result PostText(const std::string& path, const std::string& role,
                                  const std::string& body, const std::string& content_type) {
    httplib::Client c = Client();
    return c.Post(path.c_str(), Auth(role), body, content_type.c_str());
  }
  static httplib::Result PostParts(const std::string& path, const std::string& role,
                                   const httplib::MultipartFormDataItems& parts) {
    httplib::Client c = Client();
    return c.Post(path.c_str(), Auth(role), parts);
  }

  // Adds a seller token for `owner` (once).
  static void Seller(const std::string& owner) {
    if (tokens_->count("seller:" + owner)) return;
    Result<service::NewToken> t =
        service::CreateToken(*ws_, "t-seller-" + owner, Role::kSeller, owner, kNow);
    ASSERT_TRUE(t.ok()) << t.status().message();
    (*tokens_)["seller:" + owner] = t->secret;
  }

  static std::filesystem::path* dir_;
  static service::Workspace* ws_;
  static std::map<std::string, std::string>* tokens_;
  static ApiServer* server_;
  static int port_;
};

std::filesystem::path* ApiTest::dir_ = nullptr;
service::Workspace* ApiTest::ws_ = nullptr;
std::map<std::string, std::string>* ApiTest::tokens_ = nullptr;
ApiServer* ApiTest::server_ = nullptr;
int ApiTest::port_ = 0;

TEST_F(ApiTest, HealthIsPublicAndEverythingElseNeedsAToken) {
  httplib::Client c = Client();
  httplib::Result health = c.Get("/api/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body)["status"], "ok");

  httplib::Result none = c.Get("/api/v1/leads");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("Content-Type"), "application/problem+json");
  json problem = json::parse(none->body);
  EXPECT_EQ(problem["status"], 401);
  EXPECT_NE(problem["detail"].get<std::string>().find("Bearer"), std::string::npos);

  httplib::Result bad = c.Get("/api/v1/leads", {{"Authorization", "Bearer lq_nope"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);

  json me = Get("/api/v1/me", "ops");
  EXPECT_EQ(me["role"], "ops");
  EXPECT_EQ(me["name"], "t-ops");
}

TEST_F(ApiTest, UnknownRoutesMethodsAndBodiesAreProblems) {
  httplib::Client c = Client();
  httplib::Result r = c.Get("/api/v1/nothing-here", Auth("admin"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = c.Put("/api/v1/leads", Auth("admin"), "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  r = c.Post("/api/v1/events", Auth("admin"), "{\"lead_id\": ", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(r->body.find("not JSON"), std::string::npos) << r->body;
  r = c.Post("/api/v1/events", Auth("admin"), "lead=1", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  // Larger than the server's limit (4 MiB in this test): 413, as a problem.
  std::string huge = "{\"events\": [\"" + std::string(5 << 20, 'x') + "\"]}";
  r = c.Post("/api/v1/events", Auth("admin"), huge, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  // Field errors name each field.
  json lead = Get("/api/v1/leads?limit=1", "admin");
  ASSERT_FALSE(lead["items"].empty());
  std::string id = lead["items"][0]["lead_id"];
  json p = Post("/api/v1/leads/" + id + "/answers", "admin", {{"evidence", "x"}}, 422);
  std::set<std::string> fields;
  for (const json& e : p["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_TRUE(fields.count("framework"));
  EXPECT_TRUE(fields.count("answers"));
  Get("/api/v1/leads?limit=9999", "admin", 422);
  Get("/api/v1/leads/NO-SUCH-LEAD", "admin", 404);
}

// The access table, written here from the issue (not read from the server): who may call each
// route, and whether a seller may call it only on its own lead.
struct Expected {
  std::set<std::string> roles;
  bool own = false;
};
const std::map<std::string, Expected>& AccessTable() {
  static const std::map<std::string, Expected> table = {
      {"GET /api/v1/me", {{"admin", "ops", "seller", "ingest"}}},
      {"GET /api/v1/status", {{"admin", "ops"}}},
      {"GET /api/v1/leads", {{"admin", "ops", "seller"}}},
      {"POST /api/v1/leads", {{"admin", "ops", "ingest"}}},
      {"GET /api/v1/leads/{id}", {{"admin", "ops", "seller"}, true}},
      {"PATCH /api/v1/leads/{id}", {{"admin", "ops"}}},
      {"GET /api/v1/leads/{id}/explain", {{"admin", "ops", "seller"}, true}},
      {"GET /api/v1/leads/{id}/handoff", {{"admin", "ops", "seller"}, true}},
      {"POST /api/v1/leads/{id}/stage", {{"admin", "ops", "seller"}, true}},
      {"POST /api/v1/leads/{id}/answers", {{"admin", "ops", "seller"}, true}},
      {"POST /api/v1/leads/{id}/touches", {{"admin", "ops", "seller"}, true}},
      {"POST /api/v1/leads/{id}/assign", {{"admin", "ops"}}},
      {"GET /api/v1/accounts", {{"admin", "ops"}}},
      {"POST /api/v1/accounts", {{"admin", "ops"}}},
      {"GET /api/v1/accounts/{id}", {{"admin", "ops"}}},
      {"POST /api/v1/events", {{"admin", "ops", "ingest"}}},
      {"POST /api/v1/rescore", {{"admin", "ops"}}},
      {"GET /api/v1/queue", {{"admin", "ops", "seller"}}},
      {"GET /api/v1/sla", {{"admin", "ops"}}},
      {"GET /api/v1/owners", {{"admin", "ops", "seller"}}},
      {"POST /api/v1/owners", {{"admin", "ops"}}},
      {"PATCH /api/v1/owners/{id}", {{"admin", "ops"}}},
      {"POST /api/v1/tick", {{"admin", "ops"}}},
      {"GET /api/v1/pipeline", {{"admin", "ops"}}},
      {"GET /api/v1/reports/funnel", {{"admin", "ops"}}},
      {"GET /api/v1/reports/calibration", {{"admin", "ops"}}},
      {"GET /api/v1/reports/thresholds", {{"admin", "ops"}}},
      {"GET /api/v1/models", {{"admin", "ops", "seller"}}},
      {"GET /api/v1/models/diff", {{"admin", "ops", "seller"}}},
      {"GET /api/v1/models/{version}", {{"admin", "ops", "seller"}}},
      {"POST /api/v1/models", {{"admin"}}},
      {"POST /api/v1/models/{version}/rollback", {{"admin"}}},
      {"GET /api/v1/trade/shortlist", {{"admin", "ops"}}},
      {"GET /api/v1/trade/landed-cost", {{"admin", "ops"}}},
      {"GET /api/v1/webhooks", {{"admin", "ops"}}},
      {"POST /api/v1/webhooks", {{"admin", "ops"}}},
      {"DELETE /api/v1/webhooks/{id}", {{"admin", "ops"}}},
      {"GET /api/v1/tokens", {{"admin"}}},
      {"POST /api/v1/tokens", {{"admin"}}},
      {"DELETE /api/v1/tokens/{id}", {{"admin"}}},
      {"GET /api/v1/audit", {{"admin"}}},
      {"POST /api/v1/import/leads", {{"admin", "ops", "ingest"}}},
      {"POST /api/v1/import/accounts", {{"admin", "ops"}}},
      {"POST /api/v1/import/events", {{"admin", "ops", "ingest"}}},
      {"POST /api/v1/import/outcomes", {{"admin", "ops"}}},
      {"POST /api/v1/trade/import", {{"admin", "ops"}}},
      {"GET /api/v1/trade/buyers", {{"admin", "ops"}}},
      {"POST /api/v1/trade/merge", {{"admin", "ops"}}},
      {"POST /api/v1/trade/split", {{"admin", "ops"}}},
      {"POST /api/v1/trade/access", {{"admin", "ops"}}},
      {"POST /api/v1/trade/promote", {{"admin", "ops"}}},
      {"POST /api/v1/webhooks/{id}/test", {{"admin", "ops"}}},
      {"POST /api/v1/models/check", {{"admin", "ops"}}},
      {"POST /api/v1/models/backtest", {{"admin", "ops"}}},
      {"POST /api/v1/models/suggest-weights", {{"admin", "ops"}}},
      {"GET /api/v1/reports/html", {{"admin", "ops"}}},
      {"POST /api/v1/learn", {{"admin", "ops"}}},
      {"POST /api/v1/predict", {{"admin", "ops"}}},
      {"POST /api/v1/score", {{"admin", "ops"}}},
  };
  return table;
}

TEST_F(ApiTest, RoleMatrixOfEveryRouteWithOwnAndOtherLeads) {
  // Two sellers with a lead each: the owners of two handed-over leads.
  json handed = Get("/api/v1/leads?stage=mql&limit=500", "admin");
  std::string own_lead, own_owner, other_lead, other_owner;
  for (const json& l : handed["items"]) {
    if (l["owner"].is_null() || l["owner"] == "") continue;
    if (own_lead.empty()) {
      own_lead = l["lead_id"];
      own_owner = l["owner"];
    } else if (l["owner"] != own_owner) {
      other_lead = l["lead_id"];
      other_owner = l["owner"];
      break;
    }
  }
  ASSERT_FALSE(other_lead.empty()) << "the demo needs MQLs handed to two owners";
  Seller(own_owner);
  (*tokens_)["seller"] = tokens_->at("seller:" + own_owner);

  std::set<std::string> seen;
  for (const Route& route : server_->routes()) {
    if (route.access == Access::kPublic) continue;
    const std::string key = route.method + " " + route.path;
    seen.insert(key);
    auto expected = AccessTable().find(key);
    ASSERT_NE(expected, AccessTable().end()) << key << " is served but not in the access table";
    for (const char* role : {"admin", "ops", "seller", "ingest"}) {
      for (bool own : {true, false}) {
        std::string path = route.path;
        auto fill = [&](const std::string& param, const std::string& value) {
          size_t at = path.find(param);
          if (at != std::string::npos) path.replace(at, param.size(), value);
        };
        const bool lead_route = path.find("/leads/{id}") != std::string::npos;
        if (!lead_route && !own) continue;  // nothing to own
        fill("/leads/{id}", "/leads/" + (own ? own_lead : other_lead));
        fill("{id}", "no-such-thing");
        fill("{version}", "1");
        httplib::Client c = Client();
        httplib::Result r =
            route.method == "GET"     ? c.Get(path.c_str(), Auth(role))
            : route.method == "POST"  ? c.Post(path.c_str(), Auth(role), "{}", "application/json")
            : route.method == "PATCH" ? c.Patch(path.c_str(), Auth(role), "{}", "application/json")
                                      : c.Delete(path.c_str(), Auth(role));
        // Bodies are empty objects (422 where a field is required), so the answer shows the
        // access decision without changing the workspace.
        ASSERT_TRUE(r) << key;
        const bool may = expected->second.roles.count(role) &&
                         !(expected->second.own && std::string(role) == "seller" && !own);
        if (may) {
          EXPECT_NE(r->status, 401) << key << " as " << role << ": " << r->body;
          EXPECT_NE(r->status, 403)
              << key << " as " << role << (own ? " (own)" : " (other)") << ": " << r->body;
        } else {
          EXPECT_EQ(r->status, 403)
              << key << " as " << role << (own ? " (own)" : " (other)") << ": " << r->body;
        }
      }
    }
  }
  for (const auto& [key, _] : AccessTable()) {
    EXPECT_TRUE(seen.count(key)) << key << " is in the access table but not served";
  }

  // A seller's list holds only its own leads, whatever it asks for.
  json mine = Get("/api/v1/leads?owner=" + other_owner + "&limit=500", "seller");
  ASSERT_FALSE(mine["items"].empty());
  for (const json& l : mine["items"]) EXPECT_EQ(l["owner"], own_owner);
  Get("/api/v1/queue?owner=" + other_owner, "seller", 403);
  json queue = Get("/api/v1/queue", "seller");
  EXPECT_EQ(queue["owner"], own_owner);
  ASSERT_FALSE(queue["items"].empty());
  for (const json& it : queue["items"]) {
    EXPECT_TRUE(it["name"].is_string()) << it.dump();
    EXPECT_FALSE(it["next_step"].get<std::string>().empty()) << it.dump();
    ASSERT_TRUE(it["overdue"].is_boolean()) << it.dump();
    if (it["due_at"].is_null()) {
      EXPECT_TRUE(it["minutes_left"].is_null());
      EXPECT_FALSE(it["overdue"].get<bool>());
    } else {
      ASSERT_TRUE(it["minutes_left"].is_number_integer()) << it.dump();
      EXPECT_EQ(it["overdue"].get<bool>(), it["minutes_left"].get<int64_t>() <= 0) << it.dump();
    }
  }
}

TEST_F(ApiTest, OpenApiDocumentMatchesTheRoutesBothWays) {
  httplib::Client c = Client();
  httplib::Result r = c.Get("/api/v1/openapi.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json doc = json::parse(r->body);
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> documented;
  std::map<std::string, std::set<std::string>> roles;
  std::map<std::string, bool> own;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters") continue;
      std::string upper;
      for (char ch : method) upper += static_cast<char>(std::toupper(ch));
      const std::string key = upper + " " + path;
      documented.insert(key);
      if (op.contains("x-roles")) {
        for (const json& role : op["x-roles"]) roles[key].insert(role.get<std::string>());
      }
      own[key] = op.value("x-own-lead", false);
    }
  }
  std::set<std::string> served;
  for (const Route& route : server_->routes()) {
    const std::string key = route.method + " " + route.path;
    served.insert(key);
    EXPECT_TRUE(documented.count(key)) << key << " is served but not documented";
    std::set<std::string> route_roles;
    for (Role role : route.roles) route_roles.insert(std::string(service::RoleName(role)));
    if (route.access == Access::kRoles) {
      EXPECT_EQ(roles[key], route_roles) << key << ": x-roles differ from the route's roles";
      EXPECT_EQ(own[key], route.own_lead) << key << ": x-own-lead differs";
    }
  }
  for (const std::string& key : documented) {
    EXPECT_TRUE(served.count(key)) << key << " is documented but not served";
  }
}

TEST_F(ApiTest, AnEventThatMakesAnMqlAssignsStartsTheClockAndDeliversTheWebhook) {
  // A new lead of a good-fit account, with no intent yet.
  json fresh = Get("/api/v1/leads?stage=new&limit=500", "admin");
  std::string lead;
  for (const json& l : fresh["items"]) {
    if (!l["score"].is_null() &&
        (l["score"]["fit_grade"] == "A" || l["score"]["fit_grade"] == "B")) {
      lead = l["lead_id"];
      break;
    }
  }
  ASSERT_FALSE(lead.empty()) << "the demo needs a new lead with fit A or B";
  // A local CRM: records what it receives.
  httplib::Server crm;
  std::mutex crm_mu;
  std::vector<json> received;
  crm.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(crm_mu);
    received.push_back(json::parse(req.body, nullptr, false));
    res.status = 204;
  });
  const int crm_port = crm.bind_to_any_port("127.0.0.1");
  std::thread crm_thread([&] { crm.listen_after_bind(); });
  json hook = Post("/api/v1/webhooks", "ops",
                   {{"url", "http://127.0.0.1:" + std::to_string(crm_port) + "/hook"},
                    {"secret", "s3cret"},
                    {"kinds", {"transition", "assignment"}}},
                   201);
  ASSERT_TRUE(hook.contains("id"));

  json body = {{"events",
                {{{"event_id", "api-test-1"},
                  {"lead_id", lead},
                  {"type", "demo_request"},
                  {"occurred_at", "2026-03-02T14:55:00Z"}},
                 {{"event_id", "api-test-2"},
                  {"lead_id", lead},
                  {"type", "trial_signup"},
                  {"occurred_at", "2026-03-02T14:56:00Z"},
                  {"props", {{"page", "/trial"}}}},
                 {{"lead_id", "NO-SUCH-LEAD"}, {"type", "page_view"}}}}};
  json report = Post("/api/v1/events", "ingest", body);
  EXPECT_EQ(report["accepted"], 2);
  ASSERT_EQ(report["rejected"].size(), 1u);
  EXPECT_EQ(report["rejected"][0]["index"], 2);
  ASSERT_EQ(report["changes"].size(), 1u);
  const json& change = report["changes"][0];
  EXPECT_EQ(change["lead_id"], lead);
  EXPECT_EQ(change["stage_from"], "new");
  EXPECT_EQ(change["stage_to"], "mql");
  EXPECT_FALSE(change["owner"].get<std::string>().empty());
  EXPECT_TRUE(change["due_at"].is_string());
  EXPECT_GE(change["webhooks_queued"].get<int>(), 1);

  // The same post again changes nothing.
  json again = Post("/api/v1/events", "ingest", body);
  EXPECT_EQ(again["accepted"], 0);
  EXPECT_EQ(again["duplicates"], 2);
  for (const json& ch : again["changes"])
    EXPECT_TRUE(ch["stage_to"] == "" || ch["stage_to"].is_null());

  server_->RunBackgroundOnce();  // the sender delivers the outbox
  crm.stop();
  crm_thread.join();
  bool transition = false;
  for (const json& m : received) {
    if (m.dump().find(lead) != std::string::npos) transition = true;
  }
  EXPECT_TRUE(transition) << "no webhook for " << lead << " reached the receiver";

  // The write is in the audit trail with the token's name.
  server_->RunBackgroundOnce();
  json audit = Get("/api/v1/audit?limit=50", "admin");
  bool found = false;
  for (const json& e : audit["items"]) {
    if (e["token"] == "t-ingest" && e["path"] == "/api/v1/events") found = true;
  }
  EXPECT_TRUE(found) << audit.dump(1);
}

TEST_F(ApiTest, ConcurrentDuplicatePostsStoreEachEventOnce) {
  json leads = Get("/api/v1/leads?limit=20&sort=lead_id", "admin");
  ASSERT_GE(leads["items"].size(), 5u);
  json events = json::array();
  for (int i = 0; i < 60; ++i) {
    events.push_back({{"event_id", "dup-" + std::to_string(i)},
                      {"lead_id", leads["items"][i % 5]["lead_id"]},
                      {"type", "page_view"},
                      {"occurred_at", "2026-03-01T10:00:00Z"},
                      {"props", {{"page", "/docs/api"}}}});
  }
  const std::string body = json{{"events", events}}.dump();
  const uint64_t before = Get("/api/v1/status", "admin")["events"];
  std::atomic<int> accepted{0}, duplicates{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      httplib::Client c = Client();
      httplib::Result r = c.Post("/api/v1/events", Auth("ingest"), body, "application/json");
      if (!r || r->status != 200) {
        ++failures;
        return;
      }
      json j = json::parse(r->body);
      accepted += j["accepted"].get<int>();
      duplicates += j["duplicates"].get<int>();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(accepted.load(), 60);
  EXPECT_EQ(duplicates.load(), 5 * 60);
  const uint64_t after = Get("/api/v1/status", "admin")["events"];
  EXPECT_EQ(after - before, 60u);
}

TEST_F(ApiTest, NdjsonStreamsReportBadLinesAndKeepTheRest) {
  json leads = Get("/api/v1/leads?limit=1&sort=lead_id", "admin");
  const std::string lead = leads["items"][0]["lead_id"];
  std::string stream = "{\"event_id\":\"nd-1\",\"lead_id\":\"" + lead +
                       "\",\"type\":\"email_click\",\"occurred_at\":\"2026-03-01T09:00:00Z\"}\n"
                       "\n"
                       "not json\n"
                       "{\"event_id\":\"nd-2\",\"lead_id\":\"" +
                       lead +
                       "\",\"type\":\"email_click\",\"occurred_at\":\"yesterday\"}\n"
                       "{\"event_id\":\"nd-3\",\"lead_id\":\"" +
                       lead + "\",\"type\":\"email_click\"}\n";
  httplib::Client c = Client();
  httplib::Result r = c.Post("/api/v1/events", Auth("ingest"), stream, "application/x-ndjson");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json report = json::parse(r->body);
  EXPECT_EQ(report["accepted"], 2);
  ASSERT_EQ(report["rejected"].size(), 2u);
  EXPECT_NE(report["rejected"][0]["message"].get<std::string>().find("line 3"), std::string::npos);
  EXPECT_NE(report["rejected"][1]["message"].get<std::string>().find("occurred_at"),
            std::string::npos);
}

TEST_F(ApiTest, PagesOfLeadsAndThePipeline) {
  json page1 = Get("/api/v1/leads?limit=10&offset=0&sort=lead_id", "ops");
  json page2 = Get("/api/v1/leads?limit=10&offset=10&sort=lead_id", "ops");
  EXPECT_GE(page1["total"].get<int>(), 300);
  ASSERT_EQ(page1["items"].size(), 10u);
  ASSERT_EQ(page2["items"].size(), 10u);
  EXPECT_LT(page1["items"][9]["lead_id"].get<std::string>(),
            page2["items"][0]["lead_id"].get<std::string>());
  json pipeline = Get("/api/v1/pipeline", "ops");
  ASSERT_TRUE(pipeline.contains("grid"));
  uint64_t cells = 0;
  for (const json& row : pipeline["grid"]["counts"]) {
    for (const json& n : row) cells += n.get<uint64_t>();
  }
  EXPECT_EQ(cells, page1["total"].get<uint64_t>());
  json models = Get("/api/v1/models", "ops");
  EXPECT_EQ(models["active"], 1);
  json shortlist = Get("/api/v1/trade/shortlist?top=5", "ops");
  EXPECT_TRUE(shortlist.is_object() || shortlist.is_array());
}

// ---- the routes that take or give files

TEST_F(ApiTest, CsvImportsAreAllOrNothingWithTheirRejectsAndNameTheClientsFile) {
  const std::string good =
      "lead_id,account_id,email,title\n"
      "IMP-1,,ana@example.org,CTO\n"
      "IMP-2,,ben@example.org,Buyer\n";
  httplib::Result r = PostText("/api/v1/import/leads", "ingest", good, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json done = json::parse(r->body);
  EXPECT_EQ(done["rows"], 2);
  EXPECT_EQ(done["inserted"], 2);
  EXPECT_EQ(done["rejected"], 0);
  Get("/api/v1/leads/IMP-1", "admin");
  // The same file again changes nothing.
  r = PostText("/api/v1/import/leads", "ingest", good, "text/csv");
  ASSERT_TRUE(r);
  json again = json::parse(r->body);
  EXPECT_EQ(again["inserted"], 0);
  EXPECT_EQ(again["unchanged"], 2);

  // A row without an id: nothing of the file is imported, the row is listed with its line, and
  // messages name the file as the client named it.
  const std::string bad =
      "lead_id,email\n"
      "IMP-3,cy@example.org\n"
      ",nobody@example.org\n";
  r = PostParts("/api/v1/import/leads", "ops", {{"file", bad, "my leads.csv", "text/csv"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 422) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  json problem = json::parse(r->body);
  EXPECT_NE(problem["detail"].get<std::string>().find("my_leads.csv"), std::string::npos)
      << problem["detail"];
  EXPECT_EQ(r->body.find("/tmp/request-"), std::string::npos) << r->body;
  ASSERT_EQ(problem["rejects"].size(), 1u);
  EXPECT_EQ(problem["rejects"][0]["line"], 3);
  EXPECT_EQ(problem["rejects"][0]["row"]["email"], "nobody@example.org");
  Get("/api/v1/leads/IMP-3", "admin", 404);
  // partial=true imports the usable row and still lists the other.
  r = PostText("/api/v1/import/leads?partial=true", "ops", bad, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json partial = json::parse(r->body);
  EXPECT_EQ(partial["inserted"], 1);
  EXPECT_EQ(partial["rejected"], 1);
  EXPECT_EQ(partial["rejects"].size(), 1u);
  Get("/api/v1/leads/IMP-3", "admin");

  // Events by CSV dedupe like events by JSON; a HubSpot export maps by preset.
  const std::string events =
      "event_id,lead_id,type,occurred_at\n"
      "imp-e1,IMP-1,page_view,2026-03-01T10:00:00Z\n";
  r = PostText("/api/v1/import/events", "ingest", events, "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body)["inserted"], 1) << r->body;
  r = PostText("/api/v1/import/events", "ingest", events, "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body)["duplicates"], 1) << r->body;
  r = PostText("/api/v1/import/leads?map=hubspot", "ops",
               "Record ID,Email,Job Title\nHS-1,hs@example.org,CFO\n", "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  json hs = Get("/api/v1/leads/HS-1", "admin");
  EXPECT_EQ(hs.dump().find("CFO") != std::string::npos, true) << hs.dump();

  // What is wrong with a request is said: a preset that does not exist, no file at all, a body
  // of the wrong type, an ingest token importing accounts.
  r = PostText("/api/v1/import/leads?map=pipedrive", "ops", good, "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(r->body.find("not a preset"), std::string::npos) << r->body;
  Post("/api/v1/import/leads", "ops", json::object(), 422);
  r = PostText("/api/v1/import/leads", "ops", good, "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  r = PostText("/api/v1/import/accounts", "ingest", "account_id\nA-1\n", "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  // The request's files are gone.
  std::error_code ec;
  size_t left = 0;
  for (const auto& e : std::filesystem::directory_iterator(*dir_ / "tmp", ec)) {
    (void)e;
    ++left;
  }
  EXPECT_EQ(left, 0u);
}

TEST_F(ApiTest, ModelsAreCheckedBacktestedAndWeightsSuggestedWithoutApplyingThem) {
  json models = Get("/api/v1/models", "ops");
  const int64_t active = models["active"];
  json current = Get("/api/v1/models/" + std::to_string(active), "ops");
  const std::string content = current["content"];
  // Valid: the summary (the grade matrix among it).
  json check = Post("/api/v1/models/check", "ops", {{"content", content}});
  EXPECT_EQ(check["valid"], true);
  EXPECT_NE(check["summary"].get<std::string>().find("Fit (max"), std::string::npos) << check;
  // The TOML as the body works the same.
  httplib::Result r = PostText("/api/v1/models/check", "ops", content, "application/toml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  // Invalid: every error with its line and column, named as the client knows the text.
  r = PostText("/api/v1/models/check", "ops", content + "\n[nonsense]\nx = 1\n",
               "application/toml");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 422) << r->body;
  json problem = json::parse(r->body);
  ASSERT_FALSE(problem["errors"].empty());
  EXPECT_EQ(problem["errors"][0]["message"].get<std::string>().rfind("model.toml:", 0), 0u)
      << problem.dump();
  EXPECT_EQ(r->body.find(dir_->string()), std::string::npos) << r->body;

  // A backtest of a stricter model: a report, and nothing applied.
  json backtest = Post("/api/v1/models/backtest", "ops", {{"content", content}});
  EXPECT_TRUE(backtest.contains("text")) << backtest.dump();
  EXPECT_EQ(backtest["proposed"], "model.toml");
  // Suggested weights: a model text that checks, or a clear reason why there is none.
  httplib::Client c = Client();
  r = c.Post("/api/v1/models/suggest-weights?min_leads=5", Auth("ops"), "", "application/json");
  ASSERT_TRUE(r);
  if (r->status == 200) {
    json suggested = json::parse(r->body);
    EXPECT_TRUE(suggested["model"].is_string());
    Post("/api/v1/models/check", "ops", {{"content", suggested["model"]}});
    EXPECT_EQ(r->body.find(dir_->string()), std::string::npos);
  } else {
    EXPECT_EQ(r->status, 409) << r->body;
  }
  EXPECT_EQ(Get("/api/v1/models", "ops")["active"], active);
}

TEST_F(ApiTest, LearnAndPredictOverHttp) {
  // 400 past leads: converted when visits are many, more often from referrals.
  std::string data = "id,visits,source,converted\n";
  uint64_t x = 12345;
  auto next = [&] {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return (x >> 33) % 1000;
  };
  for (int i = 0; i < 400; ++i) {
    const uint64_t visits = next() % 40;
    const char* source = (next() % 3 == 0) ? "referral" : (next() % 2 ? "ads" : "organic");
    const bool won = visits + (source[0] == 'r' ? 10 : 0) + next() % 15 > 30;
    data += "L" + std::to_string(i) + "," + std::to_string(visits) + "," + source + "," +
            (won ? "yes" : "no") + "\n";
  }
  httplib::Result r = PostText("/api/v1/learn?target=converted&id=id&method=logistic&folds=3",
                               "ops", data, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json learned = json::parse(r->body);
  EXPECT_NE(learned["summary"].get<std::string>().find("AUC"), std::string::npos);
  ASSERT_TRUE(learned["model"].is_object());

  const std::string rows = "id,visits\nN1,35\nN2,2\n";  // no source column
  r = PostParts("/api/v1/predict", "ops",
                {{"model", learned["model"].dump(), "model.json", "application/json"},
                 {"data", rows, "new.csv", "text/csv"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(r->get_header_value("Leadq-Missing-Columns"), "source");
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(r->body);
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << r->body;
  EXPECT_EQ(lines[0], "id,probability");
  EXPECT_EQ(lines[1].rfind("N1,", 0), 0u);
  const double p1 = std::stod(lines[1].substr(3)), p2 = std::stod(lines[2].substr(3));
  EXPECT_GT(p1, p2) << "more visits, likelier to convert";

  // No target: said; a target that is not a column: said with the file's name.
  r = PostText("/api/v1/learn", "ops", data, "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  r = PostParts("/api/v1/learn?target=nope", "ops", {{"data", data, "past.csv", "text/csv"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(r->body.find("past.csv"), std::string::npos) << r->body;
  r = PostText("/api/v1/predict", "ops", rows, "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
}

TEST_F(ApiTest, ScoringPostedFilesAnswersTheCliContract) {
  auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string dir = std::string(LEADQ_SOURCE_DIR) + "/examples/models/";
  const std::string model = read(dir + "b2b-saas.toml");
  const std::string free_mail = read(dir + "free-mail.txt");
  ASSERT_FALSE(model.empty());
  const std::string leads =
      "lead_id,email,job_title\nX1,ana@gmail.com,CTO\nX2,ben@corp.example,Intern\n";
  httplib::Result r = PostParts("/api/v1/score?as_of=2026-03-01T00:00:00Z", "ops",
                                {{"model", model, "b2b-saas.toml", "application/toml"},
                                 {"leads", leads, "leads.csv", "text/csv"},
                                 {"free", free_mail, "free-mail.txt", "text/plain"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/csv", 0), 0u);
  std::istringstream in(r->body);
  std::string header, row1, row2, extra;
  std::getline(in, header);
  std::getline(in, row1);
  std::getline(in, row2);
  EXPECT_EQ(header.rfind("lead_id,", 0), 0u) << header;
  EXPECT_EQ(row1.rfind("X1,", 0), 0u) << row1;
  EXPECT_EQ(row2.rfind("X2,", 0), 0u) << row2;
  EXPECT_FALSE(std::getline(in, extra) && !extra.empty()) << extra;
  EXPECT_NE(r->get_header_value("Leadq-Summary").find("2 leads"), std::string::npos)
      << r->get_header_value("Leadq-Summary");
  // The JSON form carries the explanations.
  r = PostParts("/api/v1/score?as_of=2026-03-01T00:00:00Z&format=json", "ops",
                {{"model", model, "b2b-saas.toml", ""},
                 {"leads", leads, "leads.csv", ""},
                 {"free", free_mail, "free-mail.txt", ""}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(json::parse(r->body, nullptr, false).is_object() ||
              json::parse(r->body, nullptr, false).is_array());
  // The list file missing: the model's error, named as the client named the files.
  r = PostParts("/api/v1/score?as_of=2026-03-01T00:00:00Z", "ops",
                {{"model", model, "b2b-saas.toml", ""}, {"leads", leads, "leads.csv", ""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(r->body.find("b2b-saas.toml:"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("request-"), std::string::npos) << r->body;
  // No as_of; not multipart.
  r = PostParts("/api/v1/score", "ops", {{"model", model, "m.toml", ""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  r = PostText("/api/v1/score?as_of=2026-03-01", "ops", leads, "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
}

TEST_F(ApiTest, AServerStartingRemovesRequestFoldersLeftByACrash) {
  const std::filesystem::path tmp = *dir_ / "tmp";
  std::filesystem::create_directories(tmp / "request-old1");
  std::filesystem::create_directories(tmp / "request-young");
  std::filesystem::create_directories(tmp / "kept-by-someone");
  std::filesystem::last_write_time(
      tmp / "request-old1", std::filesystem::file_time_type::clock::now() - std::chrono::hours(2));
  {
    ApiOptions options;
    options.port = 0;
    options.background = false;
    ApiServer second(*ws_, options);
    ASSERT_TRUE(second.Start().ok());
    second.Stop();
    second.Wait();
  }
  EXPECT_FALSE(std::filesystem::exists(tmp / "request-old1"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "request-young")) << "maybe another server's";
  EXPECT_TRUE(std::filesystem::exists(tmp / "kept-by-someone"));
  std::filesystem::remove_all(tmp / "request-young");
  std::filesystem::remove_all(tmp / "kept-by-someone");
}

TEST_F(ApiTest, ShipmentsBuyersMergesAccessAndPromotion) {
  const std::string shipments =
      "bol_number,arrival_date,consignee_name,consignee_country,hs_code,shipper_name,"
      "shipper_country,weight_kg\n"
      "API-BOL-1,2026-02-01,Zebra Brake Works LLC,US,870830,Stahlwerk GmbH,DE,1200\n"
      "API-BOL-2,not a date,Zebra Brake Works LLC,US,870830,Stahlwerk GmbH,DE,900\n"
      "API-BOL-3,2026-02-15,ZEBRA BRAKEWORKS,US,870830,Stahlwerk GmbH,DE,800\n";
  httplib::Result r = PostText("/api/v1/trade/import", "ops", shipments, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 422) << r->body;
  json problem = json::parse(r->body);
  ASSERT_EQ(problem["rejects"].size(), 1u);
  EXPECT_EQ(problem["rejects"][0]["line"], 3);
  r = PostText("/api/v1/trade/import?partial=1", "ops", shipments, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["inserted"], 2);

  json found = Get("/api/v1/trade/buyers?country=US&q=zebra", "ops");
  ASSERT_GE(found["total"].get<int>(), 1) << found.dump();
  // Force the two spellings together, and see one buyer with both.
  Post("/api/v1/trade/merge", "ops",
       {{"a", "Zebra Brake Works LLC"},
        {"b", "ZEBRA BRAKEWORKS"},
        {"country", "US"},
        {"note", "same address"}},
       201);
  found = Get("/api/v1/trade/buyers?country=US&q=zebra", "ops");
  ASSERT_EQ(found["total"], 1) << found.dump();
  const json buyer = found["items"][0];
  EXPECT_EQ(buyer["shipments"], 2);
  // A spelling that occurs nowhere: 404 with the closest ones.
  Post("/api/v1/trade/split", "ops",
       {{"a", "Zebra Brake Works LLC"}, {"b", "No Such Importer"}, {"country", "US"}}, 404);
  Post("/api/v1/trade/merge", "ops", {{"a", "x"}}, 422);

  json access = Post("/api/v1/trade/access", "ops",
                     {{"buyer", buyer["id"]}, {"access", true}, {"note", "met at a fair"}});
  EXPECT_EQ(access["buyer"]["id"], buyer["id"]);
  json promoted = Post("/api/v1/trade/promote", "ops", {{"buyer", buyer["id"]}}, 201);
  EXPECT_EQ(promoted["created"], true);
  Get("/api/v1/accounts/" + promoted["account_id"].get<std::string>(), "ops");
  promoted = Post("/api/v1/trade/promote", "ops", {{"buyer", buyer["id"]}}, 200);
  EXPECT_EQ(promoted["created"], false);
  Get("/api/v1/trade/buyers?limit=0", "ops", 422);
}

TEST_F(ApiTest, TheHtmlReportAndAWebhooksTestPing) {
  httplib::Client c = Client();
  httplib::Result r = c.Get("/api/v1/reports/html", Auth("ops"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 500);
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_NE(r->body.find("<html"), std::string::npos);
  Get("/api/v1/reports/html?capacity=-1", "ops", 422);

  httplib::Server crm;
  std::atomic<int> pings{0};
  crm.Post("/ping", [&](const httplib::Request&, httplib::Response& res) {
    ++pings;
    res.status = 204;
  });
  const int crm_port = crm.bind_to_any_port("127.0.0.1");
  std::thread crm_thread([&] { crm.listen_after_bind(); });
  json hook = Post("/api/v1/webhooks", "ops",
                   {{"url", "http://127.0.0.1:" + std::to_string(crm_port) + "/ping"},
                    {"secret", "s3cret"},
                    {"kinds", {"touch"}}},
                   201);
  const std::string id = std::to_string(hook["id"].get<int64_t>());
  json ping = Post("/api/v1/webhooks/" + id + "/test", "ops", json::object());
  EXPECT_EQ(ping["delivered"], true) << ping.dump();
  EXPECT_EQ(ping["http_status"], 204);
  EXPECT_EQ(pings.load(), 1);
  crm.stop();
  crm_thread.join();
  // The receiver gone: the ping says why, and the call itself succeeded.
  ping = Post("/api/v1/webhooks/" + id + "/test?timeout=2", "ops", json::object());
  EXPECT_EQ(ping["delivered"], false);
  EXPECT_FALSE(ping["error"].get<std::string>().empty());
  Post("/api/v1/webhooks/999999/test", "ops", json::object(), 404);
  Post("/api/v1/webhooks/" + id, "ops", json::object(), 405);
  httplib::Result removed = c.Delete(("/api/v1/webhooks/" + id).c_str(), Auth("ops"));
  ASSERT_TRUE(removed);
}

}  // namespace
}  // namespace leadq::server
