#include "server/api.h"

#include <httplib.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "core/text.h"
#include "server/webhook_sender.h"
#include "service/handoff.h"
#include "service/views.h"
#include "store/hash.h"

namespace leadq::server {

namespace {

constexpr std::string_view kProblemJson = "application/problem+json";

std::string_view TitleOf(int status) {
  switch (status) {
    case 400:
      return "Bad request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not found";
    case 405:
      return "Method not allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload too large";
    case 415:
      return "Unsupported media type";
    case 422:
      return "Invalid request";
    case 503:
      return "Service unavailable";
    default:
      return status >= 500 ? "Internal error" : "Error";
  }
}

std::string SlugOf(int status) {
  std::string slug;
  for (char c : TitleOf(status)) slug += c == ' ' ? '-' : static_cast<char>(std::tolower(c));
  return slug;
}

void WriteProblem(httplib::Response& res, const Reply& reply) {
  res.status = reply.status;
  res.set_content(reply.body.dump(), std::string(kProblemJson));
}

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Whether `path` matches the template, with its parameters.
bool Match(const std::vector<std::string>& tmpl, const std::vector<std::string>& path,
           std::map<std::string, std::string>& params) {
  if (tmpl.size() != path.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    const std::string& t = tmpl[i];
    if (t.size() > 2 && t.front() == '{' && t.back() == '}') {
      found[t.substr(1, t.size() - 2)] = path[i];
    } else if (t != path[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

std::string RoleList(const std::vector<service::Role>& roles) {
  std::vector<std::string> names;
  for (service::Role r : roles) names.emplace_back(service::RoleName(r));
  return JoinStrings(names, ", ");
}

TimePoint SystemNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Reply Problem(int status, std::string detail, std::vector<FieldError> errors) {
  Reply reply;
  reply.status = status;
  reply.body = {{"type", "https://leadq.dev/problems/" + SlugOf(status)},
                {"title", std::string(TitleOf(status))},
                {"status", status},
                {"detail", detail}};
  if (!errors.empty()) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const FieldError& e : errors) list.push_back({{"field", e.field}, {"message", e.message}});
    reply.body["errors"] = std::move(list);
  }
  reply.summary = std::move(detail);
  return reply;
}

Reply ProblemOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidInput:
      return Problem(422, status.message());
    case StatusCode::kNotFound:
      return Problem(404, status.message());
    case StatusCode::kFailedPrecondition:
      return Problem(409, status.message());
    default:
      return Problem(500, status.message());
  }
}

std::string Call::Query(const std::string& name) const {
  return http.has_param(name.c_str()) ? http.get_param_value(name.c_str()) : std::string();
}

std::optional<Call::File> Call::Upload(const std::string& part) const {
  if (http.is_multipart_form_data()) {
    if (!http.has_file(part)) return std::nullopt;
    httplib::MultipartFormData data = http.get_file_value(part);
    return File{std::move(data.content), std::move(data.filename)};
  }
  if (part != first_file || http.body.empty() || !body.is_null()) return std::nullopt;
  return File{http.body, ""};
}

std::string Call::Actor() const { return caller.owner.empty() ? caller.name : caller.owner; }

ApiServer::ApiServer(service::Workspace& ws, ApiOptions options)
    : ws_(ws),
      options_(std::move(options)),
      routes_(ApiRoutes()),
      cache_(std::make_unique<service::ScoringCache>()),
      events_(std::make_unique<service::EventCommitter>(ws_, *cache_)) {}

ApiServer::~ApiServer() {
  Stop();
  Wait();
}

TimePoint ApiServer::Now() const { return options_.clock ? options_.clock() : SystemNow(); }

namespace {

// Removes the folders of requests that ended without removing them (a crash), an hour old or
// more (younger ones may belong to another server on the same workspace).
void RemoveStaleRequestFolders(const std::filesystem::path& tmp) {
  std::error_code ec;
  const auto cutoff = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& entry : std::filesystem::directory_iterator(tmp, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("request-", 0) != 0 || !entry.is_directory(ec)) continue;
    if (entry.last_write_time(ec) < cutoff && !ec) std::filesystem::remove_all(entry.path(), ec);
  }
}

}  // namespace

Result<int> ApiServer::Start() {
  RemoveStaleRequestFolders(ws_.dir / "tmp");
  if (options_.tls_cert.empty() != options_.tls_key.empty()) {
    return Status::Invalid("--tls-cert and --tls-key go together: give both or neither");
  }
  if (!options_.tls_cert.empty()) {
    for (const auto& path : {options_.tls_cert, options_.tls_key}) {
      if (!std::filesystem::exists(path)) {
        return Status::NotFound(path.string() + ": no such file");
      }
    }
    auto tls =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!tls->is_valid()) {
      return Status::Invalid(options_.tls_cert.string() + ", " + options_.tls_key.string() +
                             ": not a usable PEM certificate and private key");
    }
    http_ = std::move(tls);
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *http_;
  const size_t threads = std::max<size_t>(2, options_.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(options_.max_body_bytes);
  http.set_read_timeout(options_.read_timeout);
  http.set_write_timeout(options_.write_timeout);
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(10000);
  // httplib writes the headers and the body of an answer separately: with Nagle's algorithm
  // the body waits for the client's delayed ACK, 40 ms on Linux, on every kept-alive request.
  http.set_tcp_nodelay(true);
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            {"Content-Security-Policy",
                             "default-src 'self'; img-src 'self' data:; "
                             "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"}});
  if (!options_.web_dir.empty()) {
    if (!std::filesystem::is_directory(options_.web_dir)) {
      return Status::NotFound(options_.web_dir.string() + ": no dashboard directory there");
    }
    const std::filesystem::path vendor = options_.web_dir / "node_modules" / "chart.js" / "dist";
    if (std::filesystem::is_directory(vendor)) {
      http.set_mount_point("/vendor/chart.js", vendor.string());
    }
    http.set_mount_point("/", options_.web_dir.string());
    // Only the dashboard is public: not its npm packages or their manifests.
    http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      if (req.path.rfind("/node_modules", 0) == 0 || req.path.rfind("/package", 0) == 0) {
        WriteProblem(res, Problem(404, "nothing at " + req.path));
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  }
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    Dispatch(req, res);
  };
  const char* api = R"(/api/.*)";
  http.Get(api, dispatch);
  http.Post(api, dispatch);
  http.Put(api, dispatch);
  http.Patch(api, dispatch);
  http.Delete(api, dispatch);
  http.Options(api, dispatch);
  http.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string detail = res.status == 413   ? "the request is larger than the server accepts"
                             : res.status == 404 ? "nothing at " + req.path
                                                 : std::string(TitleOf(res.status));
        WriteProblem(res, Problem(res.status, detail));
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unexpected failure";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        WriteProblem(res, Problem(500, "internal error: " + what));
      });

  const int port = options_.port == 0
                       ? http.bind_to_any_port(options_.host)
                       : (http.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port < 0) {
    return Status::IoError("cannot listen on " + options_.host + ":" +
                           std::to_string(options_.port) + " (taken, or not an address here)");
  }
  listener_ = std::thread([this] {
    http_->listen_after_bind();
    listener_ended_ = true;
  });
  // cpp-httplib's stop() does nothing until the listening loop has begun: wait for it, so that a
  // Stop right after Start (a signal at start-up) is not lost and Wait does not wait forever.
  while (!http_->is_running() && !listener_ended_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (options_.background) {
    // The background thread checkpoints the write-ahead log, so that no request does.
    ws_.store->DeferMaintenance(true);
    background_ = std::thread([this] { BackgroundLoop(); });
  }
  return port;
}

void ApiServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (http_) http_->stop();
  wake_.notify_all();
}

void ApiServer::Wait() {
  if (listener_.joinable()) listener_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    listener_done_ = true;
  }
  wake_.notify_all();
  if (background_.joinable()) background_.join();
  FlushAudit();
}

std::optional<service::TokenInfo> ApiServer::Authenticate(const std::string& secret) {
  const std::string key = store::Sha256Hex(secret);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tokens_.find(key);
    if (it != tokens_.end() && it->second.until > now) return it->second.token;
  }
  Result<std::optional<service::TokenInfo>> found = service::Authenticate(*ws_.store, secret);
  if (!found.ok()) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  if (tokens_.size() > 10000) tokens_.clear();
  // A revocation made by another process reaches this one within two seconds.
  tokens_[key] = {*found, now + std::chrono::seconds(2)};
  return *found;
}

void ApiServer::Dispatch(const httplib::Request& req, httplib::Response& res) {
  const TimePoint now = Now();
  const std::vector<std::string> path = Segments(req.path);
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  bool path_known = false;
  for (const Route& r : routes_) {
    std::map<std::string, std::string> p;
    if (!Match(Segments(r.path), path, p)) continue;
    path_known = true;
    if (r.method == req.method) {
      route = &r;
      params = std::move(p);
      break;
    }
  }
  if (req.method == "OPTIONS" && path_known) {
    std::vector<std::string> allowed;
    for (const Route& r : routes_) {
      std::map<std::string, std::string> p;
      if (Match(Segments(r.path), path, p)) allowed.push_back(r.method);
    }
    res.status = 204;
    res.set_header("Allow", JoinStrings(allowed, ", "));
    return;
  }
  if (route == nullptr) {
    Reply reply = path_known
                      ? Problem(405, req.method + " is not a method of " + req.path)
                      : Problem(404, "no API route " + req.path + " (see /api/v1/openapi.json)");
    WriteProblem(res, reply);
    return;
  }

  service::TokenInfo anonymous;
  anonymous.name = "anonymous";
  std::optional<service::TokenInfo> caller;
  if (route->access != Access::kPublic) {
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
      res.set_header("WWW-Authenticate", "Bearer");
      WriteProblem(res, Problem(401,
                                "send an API token: Authorization: Bearer <token> "
                                "(leadq token create makes one)"));
      return;
    }
    caller = Authenticate(std::string(Trim(header.substr(kBearer.size()))));
    if (!caller) {
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      WriteProblem(res, Problem(401, "the API token is unknown or revoked"));
      return;
    }
    if (std::find(route->roles.begin(), route->roles.end(), caller->role) == route->roles.end()) {
      WriteProblem(res, Problem(403, req.method + " " + route->path + " is for " +
                                         RoleList(route->roles) + "; the token \"" + caller->name +
                                         "\" is " + std::string(service::RoleName(caller->role))));
      return;
    }
    if (route->own_lead && caller->role == service::Role::kSeller) {
      const std::string& lead = params["id"];
      Result<std::string> owner = service::LeadOwnerOf(ws_, lead);
      if (!owner.ok()) {
        WriteProblem(res, ProblemOf(owner.status()));
        return;
      }
      if (caller->owner.empty() || *owner != caller->owner) {
        WriteProblem(res, Problem(403, "lead " + lead + " is not assigned to " +
                                           (caller->owner.empty() ? caller->name : caller->owner) +
                                           ": a seller acts only on its own leads"));
        return;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    uses_.emplace_back(caller->id, now);
  }

  Call call{req, caller ? *caller : anonymous, std::move(params), now, ws_, *cache_, *events_, {},
            {}};
  if (!route->files.empty()) call.first_file = route->files.front();
  const std::string content_type = req.get_header_value("Content-Type");
  const bool ndjson = content_type.rfind("application/x-ndjson", 0) == 0;
  const bool json_body = content_type.empty() || content_type.rfind("application/json", 0) == 0;
  bool file_body = false;
  if (!route->files.empty() && !json_body) {
    file_body = req.is_multipart_form_data();
    for (const std::string& type : route->file_types) {
      if (content_type.rfind(type, 0) == 0) file_body = true;
    }
    if (!file_body) {
      std::string accepted = "multipart/form-data (parts " + JoinStrings(route->files, ", ") + ")";
      for (const std::string& type : route->file_types) accepted += ", " + type;
      WriteProblem(res,
                   Problem(415, "send " + accepted + " or application/json, not " + content_type));
      return;
    }
  }
  if (!req.body.empty() && !ndjson && !file_body) {
    if (!json_body) {
      WriteProblem(res, Problem(415,
                                "send application/json (or application/x-ndjson for "
                                "event streams), not " +
                                    content_type));
      return;
    }
    try {
      call.body = nlohmann::json::parse(req.body);
    } catch (const nlohmann::json::parse_error& e) {
      WriteProblem(res, Problem(422, "the body is not JSON: " + std::string(e.what()) + " (byte " +
                                         std::to_string(e.byte) + ")"));
      return;
    }
  }

  // A cached report: the kept answer while it is young enough.
  std::string cache_key;
  const auto steady = std::chrono::steady_clock::now();
  if (route->cached && options_.background && options_.report_max_age.count() > 0) {
    cache_key = req.path;
    for (const auto& [k, v] : req.params) cache_key += "\n" + k + "=" + v;  // multimap: sorted
    std::lock_guard<std::mutex> lock(reports_mu_);
    auto it = reports_.find(cache_key);
    if (it != reports_.end()) {
      it->second.requested = steady;
      const auto age = steady - it->second.computed;
      if (age < options_.report_max_age) {
        res.status = 200;
        res.set_header(
            "Age", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(age).count()));
        res.set_content(it->second.body, "application/json");
        return;
      }
    }
  }

  Result<Reply> result = route->handler(call);
  Reply reply = result.ok() ? std::move(*result) : ProblemOf(result.status());
  res.status = reply.status;
  for (const auto& [name, value] : reply.headers) res.set_header(name, value);
  if (reply.status >= 400) {
    WriteProblem(res, reply);
  } else if (!reply.content_type.empty()) {
    res.set_content(std::move(reply.text), reply.content_type);
  } else if (reply.status != 204) {
    std::string body = reply.body.dump();
    if (!cache_key.empty() && reply.status == 200) {
      CachedAnswer kept;
      kept.body = body;
      kept.computed = kept.requested = steady;
      kept.route = route;
      kept.path = req.path;
      kept.query = req.params;
      kept.path_params = call.params;
      res.set_header("Age", "0");
      std::lock_guard<std::mutex> lock(reports_mu_);
      reports_[cache_key] = std::move(kept);
    }
    res.set_content(std::move(body), "application/json");
  }
  if (req.method != "GET") {
    if (reply.status < 400 && route->path.rfind("/api/v1/tokens", 0) == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      tokens_.clear();  // a revoked token stops working at once in this process
    }
    store::AuditEntry entry;
    entry.at = now;
    entry.token = call.caller.name;
    entry.method = req.method;
    entry.path = req.path;
    entry.status = reply.status;
    entry.summary = reply.summary;
    QueueAudit(std::move(entry));
  }
}

void ApiServer::QueueAudit(store::AuditEntry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  audit_.push_back(std::move(entry));
  if (!options_.background && audit_.size() > 10000) wake_.notify_all();
}

void ApiServer::FlushAudit() {
  std::vector<store::AuditEntry> audit;
  std::vector<std::pair<int64_t, TimePoint>> uses;
  {
    std::lock_guard<std::mutex> lock(mu_);
    audit.swap(audit_);
    uses.swap(uses_);
  }
  if (!audit.empty()) {
    Status s = service::AppendAudit(*ws_.store, audit);
    if (!s.ok() && options_.log) options_.log("audit trail: " + s.message());
  }
  if (!uses.empty()) {
    // Only the latest use of each token matters.
    std::map<int64_t, TimePoint> latest;
    for (const auto& [id, at] : uses) latest[id] = std::max(latest[id], at);
    Status s = service::RecordUse(*ws_.store, {latest.begin(), latest.end()});
    if (!s.ok() && options_.log) options_.log("token use: " + s.message());
  }
}

// Recomputes the cached reports that people asked for in the last ten minutes (older than half
// their age limit, so that the next request finds them young), and forgets the others. Runs
// on the background thread; the reports are computed outside the lock.
void ApiServer::RefreshReports() {
  constexpr auto kForgetAfter = std::chrono::minutes(10);
  std::vector<std::pair<std::string, CachedAnswer>> due;
  const auto steady = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(reports_mu_);
    for (auto it = reports_.begin(); it != reports_.end();) {
      if (steady - it->second.requested > kForgetAfter) {
        it = reports_.erase(it);
        continue;
      }
      if (steady - it->second.computed >= options_.report_max_age / 2) {
        CachedAnswer job;  // what to ask again; the kept body stays where it is
        job.route = it->second.route;
        job.path = it->second.path;
        job.query = it->second.query;
        job.path_params = it->second.path_params;
        due.emplace_back(it->first, std::move(job));
      }
      ++it;
    }
  }
  service::TokenInfo background;
  background.name = "report-cache";
  background.role = service::Role::kAdmin;
  for (auto& [key, kept] : due) {
    if (stopping_.load()) return;
    httplib::Request req;
    req.method = "GET";
    req.path = kept.path;
    req.params = kept.query;
    Call call{req, background, kept.path_params, Now(), ws_, *cache_, *events_, {}, {}};
    const auto started = std::chrono::steady_clock::now();
    Result<Reply> result = kept.route->handler(call);
    if (!result.ok() || result->status != 200) continue;  // the next request computes it
    std::lock_guard<std::mutex> lock(reports_mu_);
    auto it = reports_.find(key);
    if (it == reports_.end()) continue;
    it->second.body = result->body.dump();
    it->second.computed = started;
  }
}

void ApiServer::RunBackgroundOnce() {
  const TimePoint now = Now();
  const auto steady = std::chrono::steady_clock::now();
  service::TickOptions tick_options;
  tick_options.thorough = !thorough_once_ || steady - last_thorough_ >= options_.thorough_every;
  if (tick_options.thorough) {
    thorough_once_ = true;
    last_thorough_ = steady;
  }
  Result<service::TickReport> tick = service::Tick(ws_, now, tick_options);
  if (options_.log) {
    if (!tick.ok()) {
      if (tick.status().code() != StatusCode::kFailedPrecondition) {
        options_.log("tick: " + tick.status().message());
      }
    } else {
      for (const std::string& line : tick->lines) options_.log("tick: " + line);
    }
  }
  Result<DeliveryReport> sent = DeliverDue(*ws_.store, now, {});
  if (options_.log) {
    if (!sent.ok()) {
      options_.log("webhooks: " + sent.status().message());
    } else {
      for (const DeliveryFailure& f : sent->failures) {
        options_.log("webhook message " + std::to_string(f.seq) + " to " + f.url + ": " + f.error);
      }
    }
  }
  FlushAudit();
}

void ApiServer::BackgroundLoop() {
  auto next_tick = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, options_.audit_flush, [this] { return stopping_.load(); });
    }
    const bool stopping = stopping_.load();
    if (stopping || std::chrono::steady_clock::now() >= next_tick) {
      if (stopping) {
        // Requests in flight finish before the listener returns (Wait says when); the last
        // round comes after them.
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [this] { return listener_done_; });
      }
      RunBackgroundOnce();
      if (!stopping) RefreshReports();
      next_tick = std::chrono::steady_clock::now() + options_.tick_every;
    } else {
      FlushAudit();
    }
    if (stopping) ws_.store->DeferMaintenance(false);
    Status kept = ws_.store->Maintain();
    if (!kept.ok() && options_.log) options_.log("maintenance: " + kept.message());
    if (stopping) return;
  }
}

}  // namespace leadq::server

extern "C" {
extern const char leadq_openapi_begin[];
extern const char leadq_openapi_end[];
}

namespace leadq::server {
std::string_view OpenApiDocument() {
  return {leadq_openapi_begin, static_cast<size_t>(leadq_openapi_end - leadq_openapi_begin)};
}
}  // namespace leadq::server
