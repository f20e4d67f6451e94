// The HTTP API of a workspace (`leadq serve`): JSON over HTTP under /api/v1, bearer tokens with
// roles, the audit trail, the dashboard's static files, and the background work that makes the
// workspace run on its own (the response clock's tick and the webhook sender).
//
// One place decides who may do what: every route is declared once (routes.cc) with the roles
// that may call it and whether a seller may only call it on a lead it owns; Dispatch checks the
// token, the role and the ownership before any handler runs, so handlers never check access.
//
// Errors are application/problem+json (RFC 9457): {"type","title","status","detail"} plus
// "errors":[{"field","message"}] for field errors. A Status from the service maps to a code:
// kInvalidInput 422, kNotFound 404, kFailedPrecondition 409, anything else 500.
//
// Writes (every method but GET) are recorded in the audit trail with the token's name, the
// method, the path, the status and a one-line summary. Entries are queued and written by the
// background thread at most `audit_flush` later and on shutdown, so that a burst of event posts
// does not pay a second transaction each; a crash can lose the entries of that last interval
// (never the writes themselves, which commit before the answer is sent).
//
// Shutdown (Stop, or SIGINT/SIGTERM in `leadq serve`): the listening socket closes, requests
// being handled finish and are answered, then the background thread runs a last tick and
// delivery and flushes the audit queue.
//
// Thread-safety: Start, Stop and Wait are meant for one controlling thread; handlers run on the
// server's worker threads and share the workspace's Store, which is thread-safe.
//
// Example:
//   LEADQ_TRY(service::Workspace ws, service::OpenWorkspace("ws"));
//   ApiServer server(ws, {.host = "127.0.0.1", .port = 0});
//   LEADQ_TRY(int port, server.Start());
//   ... server.Stop(); server.Wait();
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "service/access.h"
#include "service/ingest.h"
#include "service/workspace.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace leadq::server {

struct ApiOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (Start returns it)
  // The dashboard's files (index.html, js/, style.css, node_modules/). Empty: no dashboard.
  std::filesystem::path web_dir;
  // TLS: both set, or neither.
  std::filesystem::path tls_cert, tls_key;
  size_t threads = 16;                     // worker threads (each serves one connection at a time)
  size_t max_body_bytes = 32 << 20;        // larger requests get 413
  std::chrono::seconds read_timeout{30};   // per request, for reading it
  std::chrono::seconds write_timeout{30};  // per answer, for writing it
  // The background work: Tick and webhook delivery every `tick_every`; off for tests that drive
  // the clock themselves.
  bool background = true;
  std::chrono::milliseconds tick_every{1000};
  // How often the tick is thorough (service::TickOptions; the first tick always is): ended
  // cadences and mqls waiting for an owner are counted in hours and days, not seconds.
  std::chrono::milliseconds thorough_every{60000};
  // How long a cached report's answer (Route::cached) is served; 0: never cached.
  std::chrono::milliseconds report_max_age{60000};
  std::chrono::milliseconds audit_flush{250};
  // The clock; the system clock when empty.
  std::function<TimePoint()> clock;
  // Where to say what the background work did (breaches, deliveries); empty: nowhere.
  std::function<void(const std::string&)> log;
};

// One field error of a request body or query.
struct FieldError {
  std::string field;
  std::string message;
};

// What a handler answers.
struct Reply {
  int status = 200;
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  std::string summary;  // for the audit trail of a write ("stage L1 accepted -> sql")
  // An answer that is not JSON (a CSV of predictions, an HTML report): sent as is with this
  // content type instead of `body`.
  std::string content_type;
  std::string text;
  std::vector<std::pair<std::string, std::string>> headers;  // more headers of the answer
};

// A problem answer with a chosen status and field errors, for a handler that needs more than a
// Status says: `return Problem(422, "to: no such stage \"sq\"", {{"to", "no such stage"}});`
Reply Problem(int status, std::string detail, std::vector<FieldError> errors = {});
// A Status as a problem answer: kInvalidInput 422, kNotFound 404, kFailedPrecondition 409,
// anything else 500.
Reply ProblemOf(const Status& status);

// What a handler gets.
struct Call {
  const httplib::Request& http;
  const service::TokenInfo& caller;  // for public routes: a token with id 0 and name "anonymous"
  std::map<std::string, std::string> params;  // path parameters: "{id}" -> "L1"
  TimePoint now = 0;
  service::Workspace& ws;
  service::ScoringCache& cache;
  service::EventCommitter& events;  // posted events go through it (group commit)

  // A query parameter, "" when absent.
  std::string Query(const std::string& name) const;
  // The body parsed as JSON (null when the request had none, or it is NDJSON or a file).
  const nlohmann::json& Body() const { return body; }
  // A file sent to a route that takes files (Route::files): the part called `part` of a
  // multipart/form-data body, or, when `part` is the route's first file and the body is not
  // multipart, the whole body. nullopt when it was not sent. `filename` is the name the client
  // gave the part ("" when none).
  struct File {
    std::string content;
    std::string filename;
  };
  std::optional<File> Upload(const std::string& part) const;
  // Who acts, for logs and transitions: the token's owner when it has one, else its name.
  std::string Actor() const;

  nlohmann::json body;     // set by Dispatch for requests with a JSON body
  std::string first_file;  // set by Dispatch: the route's first file part (Route::files)
};

using Handler = std::function<Result<Reply>(Call&)>;

enum class Access {
  kPublic,  // no token
  kRoles,   // one of `roles`
};

struct Route {
  std::string method;                // "GET", "POST", "PATCH", "DELETE"
  std::string path;                  // OpenAPI template: "/api/v1/leads/{id}"
  std::vector<service::Role> roles;  // empty with kPublic
  bool own_lead = false;  // a seller may call it only on a lead it owns ({id} is the lead)
  Handler handler;
  Access access = Access::kRoles;
  // A report over the whole workspace that changes with outcomes and the log, not from second
  // to second: with background work on, its answer is kept for ApiOptions::report_max_age
  // (the `Age` header says how old it is) and refreshed by the background thread while people
  // keep asking for it. The answer must not depend on who asks.
  bool cached = false;
  // The route takes files rather than JSON: these parts of a multipart/form-data body, the
  // first of which may also come as the whole body with one of `file_types` (text/csv, ...).
  // Such a route still reads a JSON body when one is sent, and its query parameters.
  std::vector<std::string> files;
  std::vector<std::string> file_types;
};

// Every route of the API (routes.cc).
std::vector<Route> ApiRoutes();

// The OpenAPI document served at /api/v1/openapi.json (openapi.json, built into the binary).
std::string_view OpenApiDocument();

class ApiServer {
 public:
  ApiServer(service::Workspace& ws, ApiOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts serving on worker threads; returns the port. Fails when the address is
  // taken or the TLS files do not load.
  Result<int> Start();
  // Stops accepting, lets requests in flight finish; returns at once (Wait joins).
  void Stop();
  // Blocks until the server has stopped and the background work has had its last round.
  void Wait();

  const std::vector<Route>& routes() const { return routes_; }

  // Runs one round of the background work now (tick, delivery, audit flush); for tests.
  void RunBackgroundOnce();

 private:
  void Dispatch(const httplib::Request& req, httplib::Response& res);
  std::optional<service::TokenInfo> Authenticate(const std::string& secret);
  void QueueAudit(store::AuditEntry entry);
  void FlushAudit();
  void BackgroundLoop();
  TimePoint Now() const;

  service::Workspace& ws_;
  ApiOptions options_;
  std::vector<Route> routes_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<service::ScoringCache> cache_;
  std::unique_ptr<service::EventCommitter> events_;
  std::thread listener_, background_;
  // Answers of cached routes by path and query (Route::cached), guarded by reports_mu_.
  struct CachedAnswer {
    std::string body;
    std::chrono::steady_clock::time_point computed, requested;
    const Route* route = nullptr;
    std::string path;
    std::multimap<std::string, std::string> query;  // httplib::Params
    std::map<std::string, std::string> path_params;
  };
  void RefreshReports();
  std::mutex reports_mu_;
  std::map<std::string, CachedAnswer> reports_;
  std::chrono::steady_clock::time_point last_thorough_{};  // used by RunBackgroundOnce
  bool thorough_once_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listener_ended_{false};  // the listening loop returned
  std::mutex mu_;                            // guards the members below
  std::condition_variable wake_;
  bool listener_done_ = false;
  struct CachedToken {
    std::optional<service::TokenInfo> token;
    std::chrono::steady_clock::time_point until;
  };
  std::map<std::string, CachedToken> tokens_;  // by the SHA-256 of the secret
  std::vector<store::AuditEntry> audit_;
  std::vector<std::pair<int64_t, TimePoint>> uses_;
};

}  // namespace leadq::server
