// The routes that take or give files, each calling the service function its CLI command calls:
// CSV imports (leads, accounts, events, outcomes, shipments), score, learn and predict, model
// check, backtest and suggest-weights, the HTML report, and the trade commands that go with
// shipments (buyers, merge, split, access, promote) and webhooks' test ping.
//
// The service functions read and write files; a request's files live in a folder of their own
// under <workspace>/tmp, named as the client named them, and removed when the answer is made.
// Messages never show that folder: "leads.csv:7: ..." as the CLI would say it.
#include <httplib.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "analytics/learn.h"
#include "core/csv.h"
#include "core/text.h"
#include "server/api.h"
#include "server/route_support.h"
#include "server/webhook_sender.h"
#include "service/evidence.h"
#include "service/handoff.h"
#include "service/import.h"
#include "service/model_summary.h"
#include "service/models.h"
#include "service/reports.h"
#include "service/scoring.h"
#include "service/trade.h"

namespace leadq::server {

namespace {

using service::Role;

constexpr size_t kMaxRejectsShown = 1000;

// A folder of its own for the files of one request, under <workspace>/tmp; removed with
// everything in it when the object goes. Movable, not copyable.
class RequestFolder {
 public:
  static Result<RequestFolder> Make(const service::Workspace& ws) {
    std::error_code ec;
    std::filesystem::create_directories(ws.dir / "tmp", ec);
    std::string pattern = (ws.dir / "tmp" / "request-XXXXXX").string();
    if (ec || ::mkdtemp(pattern.data()) == nullptr) {
      return Status::IoError("cannot make a folder for the request's files under " +
                             (ws.dir / "tmp").string());
    }
    RequestFolder folder;
    folder.path_ = pattern;
    return folder;
  }
  RequestFolder(RequestFolder&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  RequestFolder& operator=(RequestFolder&&) = delete;
  RequestFolder(const RequestFolder&) = delete;
  RequestFolder& operator=(const RequestFolder&) = delete;
  ~RequestFolder() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }

  const std::filesystem::path& path() const { return path_; }

  // Writes a file named `name` (the client's name for it, reduced to a safe base name; `fallback`
  // when there is none left).
  Result<std::filesystem::path> Write(const std::string& name, const std::string& fallback,
                                      std::string_view content) const {
    std::string safe;
    for (char c : std::filesystem::path(name).filename().string()) {
      const bool ok =
          std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
      safe += ok ? c : '_';
    }
    if (safe.empty() || safe.front() == '.' || safe == "rejects.csv") safe = fallback;
    std::filesystem::path file = path_ / safe;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return Status::IoError("cannot write the request's file " + safe);
    return file;
  }

  // The whole of a file the service wrote here.
  Result<std::string> Read(const std::filesystem::path& file) const {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::IoError("cannot read back " + Scrub(file.string()));
    return text.str();
  }

  // `text` without this folder in the paths it names.
  std::string Scrub(std::string text) const {
    const std::string prefix = path_.string() + "/";
    for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
      text.erase(at, prefix.size());
    }
    return text;
  }
  Status Scrub(const Status& s) const { return Status(s.code(), Scrub(s.message())); }

 private:
  RequestFolder() = default;
  std::filesystem::path path_;
};

// The file part `part` of the request, or a 422 that says how to send it.
Result<Call::File> RequiredUpload(const Call& call, const std::string& part,
                                  const std::string& how) {
  std::optional<Call::File> file = call.Upload(part);
  if (!file || file->content.empty()) {
    return Status::Invalid(part + ": is required: " + how);
  }
  return std::move(*file);
}

// A yes/no query parameter; `fallback` when absent.
bool QueryFlag(const Call& call, Fields& f, const std::string& name, bool fallback) {
  std::string text = AsciiLower(call.Query(name));
  if (text.empty()) return fallback;
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  f.Error(name, "\"" + call.Query(name) + "\" must be true or false");
  return fallback;
}

// The rows of a rejects file (line, reason, the row as it was) as JSON, at most
// kMaxRejectsShown of them.
ojson RejectsJson(const std::filesystem::path& file) {
  ojson out = ojson::array();
  Result<CsvFile> csv = CsvFile::Open(file);
  if (!csv.ok()) return out;
  CsvReader reader(csv->bytes(), csv->body_begin(), csv->bytes().size(), csv->body_line());
  const std::vector<CsvColumn>& columns = csv->columns();
  while (out.size() < kMaxRejectsShown && reader.Next()) {
    std::span<const std::string_view> cells = reader.fields();
    ojson row = ojson::object();
    for (size_t i = 2; i < cells.size() && i < columns.size(); ++i) {
      row[columns[i].header] = std::string(cells[i]);
    }
    int64_t line = 0;
    if (!cells.empty()) line = static_cast<int64_t>(ParseNumber(cells[0]).value_or(0));
    out.push_back({{"line", line},
                   {"reason", cells.size() > 1 ? std::string(cells[1]) : std::string()},
                   {"row", std::move(row)}});
  }
  return out;
}

// The answer to an import: 200 with what was written, or, when rows were rejected and nothing
// was imported, 422 with the rejected rows.
Reply ImportReply(const std::string& what, const std::string& filename, uint64_t rows,
                  uint64_t rejected, const store::WriteStats& stats, bool committed,
                  const std::filesystem::path& rejects_file) {
  ojson rejects = rejected > 0 ? RejectsJson(rejects_file) : ojson::array();
  const std::string counts = GroupThousands(rows) + " rows, " + GroupThousands(stats.inserted) +
                             " new, " + GroupThousands(stats.updated) + " updated, " +
                             GroupThousands(stats.unchanged) + " unchanged, " +
                             GroupThousands(stats.duplicates) + " already stored, " +
                             GroupThousands(rejected) + " rejected";
  if (!committed) {
    Reply problem =
        Problem(422, filename + ": " + GroupThousands(rejected) + " of " + GroupThousands(rows) +
                         " rows cannot be used, so nothing was imported "
                         "(partial=true imports the others)");
    problem.body["rejected"] = rejected;
    problem.body["rejects"] = std::move(rejects);
    return problem;
  }
  return Ok({{"file", filename},
             {"rows", rows},
             {"inserted", stats.inserted},
             {"updated", stats.updated},
             {"unchanged", stats.unchanged},
             {"duplicates", stats.duplicates},
             {"rejected", rejected},
             {"rejects", std::move(rejects)}},
            "import " + what + " " + filename + ": " + counts);
}

constexpr const char* kSendCsv =
    "send the CSV as the body (Content-Type: text/csv) or as the multipart part \"file\"";

// POST /import/{leads,accounts,events,outcomes}: `leadq import`.
Result<Reply> ImportRoute(Call& call, service::ImportKind kind) {
  Fields f(call, call.Body());
  service::ImportRequest r;
  r.kind = kind;
  r.partial = QueryFlag(call, f, "partial", false);
  r.map = call.Query("map");
  if (!r.map.empty() && AsciiLower(r.map) != "hubspot" && AsciiLower(r.map) != "salesforce") {
    f.Error("map", "\"" + r.map +
                       "\" is not a preset (hubspot, salesforce); send a mapping file as the "
                       "multipart part \"map\"");
  }
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(Call::File file, RequiredUpload(call, "file", kSendCsv));
  LEADQ_TRY(RequestFolder folder, RequestFolder::Make(call.ws));
  const std::string kind_name(service::ImportKindName(kind));
  LEADQ_TRY(r.file, folder.Write(file.filename, kind_name + ".csv", file.content));
  if (std::optional<Call::File> map = call.Upload("map")) {
    if (!r.map.empty()) return Problem(422, "map: send a preset name or a mapping file, not both");
    LEADQ_TRY(std::filesystem::path map_file,
              folder.Write(map->filename, "map.toml", map->content));
    r.map = map_file.string();
  }
  r.rejects = folder.path() / "rejects.csv";
  r.actor = call.Actor();
  r.now = call.now;
  Result<service::ImportReport> report = service::ImportFile(call.ws, r);
  if (!report.ok()) return ProblemOf(folder.Scrub(report.status()));
  return ImportReply(kind_name, r.file.filename().string(), report->rows, report->rejected,
                     report->stats, report->committed, *r.rejects);
}

// POST /trade/import: `leadq trade import`.
Result<Reply> TradeImportRoute(Call& call) {
  Fields f(call, call.Body());
  service::TradeImportRequest r;
  r.partial = QueryFlag(call, f, "partial", false);
  if (!call.Query("map").empty()) {
    f.Error("map",
            "customs records have no preset; send a mapping file as the multipart part "
            "\"map\"");
  }
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(Call::File file, RequiredUpload(call, "file", kSendCsv));
  LEADQ_TRY(RequestFolder folder, RequestFolder::Make(call.ws));
  LEADQ_TRY(r.file, folder.Write(file.filename, "shipments.csv", file.content));
  if (std::optional<Call::File> map = call.Upload("map")) {
    LEADQ_TRY(std::filesystem::path map_file,
              folder.Write(map->filename, "map.toml", map->content));
    r.map = map_file.string();
  }
  r.rejects = folder.path() / "rejects.csv";
  r.now = call.now;
  Result<service::TradeImportReport> report = service::ImportShipments(call.ws, r);
  if (!report.ok()) return ProblemOf(folder.Scrub(report.status()));
  Reply reply = ImportReply("shipments", r.file.filename().string(), report->rows, report->rejected,
                            report->stats, report->committed, *r.rejects);
  ojson warnings = ojson::array();
  for (const std::string& w : report->warnings) warnings.push_back(folder.Scrub(w));
  reply.body["warnings"] = std::move(warnings);
  return reply;
}

// ---- trade buyers

ojson BuyersJson(const std::vector<service::BuyerSummary>& buyers) {
  return ojson::parse(service::BuyersText(buyers, service::ListFormat::kJson));
}

Result<Reply> TradeBuyersRoute(Call& call) {
  Fields f(call, call.Body());
  service::BuyersQuery q;
  q.country = call.Query("country");
  q.hs_prefix = call.Query("hs");
  q.search = call.Query("q");
  const size_t limit = f.QueryCount("limit", 50, 1, 500);
  const size_t offset = f.QueryCount("offset", 0, 0, 100'000'000);
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(std::vector<service::BuyerSummary> buyers, service::ListBuyers(call.ws, q));
  const size_t total = buyers.size();
  const size_t begin = std::min(offset, total);
  const size_t end = std::min(total, begin + limit);
  std::vector<service::BuyerSummary> page(std::make_move_iterator(buyers.begin() + begin),
                                          std::make_move_iterator(buyers.begin() + end));
  return Ok({{"total", total}, {"offset", begin}, {"limit", limit}, {"items", BuyersJson(page)}});
}

ojson BuyerJson(const service::BuyerSummary& buyer) { return BuyersJson({buyer}).at(0); }

// POST /trade/merge and /trade/split: `leadq trade merge|split`.
Result<Reply> TradeRuleRoute(Call& call, bool merge) {
  Fields f(call, call.Body());
  service::TradeRuleRequest r;
  r.merge = merge;
  r.a = f.Str("a", true);
  r.b = f.Str("b", true);
  r.country = f.Str("country", true);
  std::string role = f.Str("role");
  if (!role.empty()) {
    if (role != "buyer" && role != "supplier") f.Error("role", "must be buyer or supplier");
    r.role = role;
  }
  r.note = f.Str("note");
  if (!f.ok()) return f.Problem();
  r.by = call.Actor();
  r.now = call.now;
  LEADQ_TRY(store::TradeRule rule, service::AddTradeRule(call.ws, r));
  return Ok({{"id", rule.id},
             {"kind", rule.kind},
             {"role", rule.role},
             {"country", rule.country},
             {"a", rule.a},
             {"b", rule.b},
             {"by", rule.by},
             {"note", rule.note},
             {"at", Iso(rule.at)}},
            "trade " + rule.kind + " " + rule.role + " " + rule.country + ": \"" + rule.a +
                "\" and \"" + rule.b + "\"",
            201);
}

// POST /trade/access: `leadq trade access`.
Result<Reply> TradeAccessRoute(Call& call) {
  Fields f(call, call.Body());
  service::AccessRequest r;
  r.buyer.text = f.Str("buyer", true);
  r.buyer.country = f.Str("country");
  r.access = f.Bool("access").value_or(true);
  r.note = f.Str("note");
  if (!f.ok()) return f.Problem();
  r.by = call.Actor();
  r.now = call.now;
  LEADQ_TRY(service::BuyerSummary buyer, service::RecordAccess(call.ws, r));
  return Ok({{"access", r.access}, {"note", r.note}, {"buyer", BuyerJson(buyer)}},
            "trade access " + buyer.id + ": " + (r.access ? "yes" : "no"));
}

// POST /trade/promote: `leadq trade promote`.
Result<Reply> TradePromoteRoute(Call& call) {
  Fields f(call, call.Body());
  service::PromoteRequest r;
  r.buyer.text = f.Str("buyer", true);
  r.buyer.country = f.Str("country");
  r.account_id = f.Str("account_id");
  if (!f.ok()) return f.Problem();
  r.by = call.Actor();
  r.now = call.now;
  LEADQ_TRY(service::PromoteResult p, service::PromoteBuyer(call.ws, r));
  return Ok({{"account_id", p.account_id}, {"created", p.created}, {"buyer", BuyerJson(p.buyer)}},
            "trade promote " + p.buyer.id + " -> account " + p.account_id, p.created ? 201 : 200);
}

// ---- webhooks

// POST /webhooks/{id}/test: `leadq webhook test`. The ping's outcome is the answer (200 even
// when the receiver failed: `delivered` says so).
Result<Reply> WebhookTestRoute(Call& call) {
  Fields f(call, call.Body());
  const size_t timeout = f.QueryCount("timeout", 10, 1, 60);
  LEADQ_TRY(int64_t id, VersionParam(call.params["id"], "id"));
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(store::Webhook hook, service::GetWebhook(call.ws, id));
  LEADQ_TRY(TestResult r, SendTestMessage(hook, call.now, static_cast<int64_t>(timeout)));
  return Ok({{"id", hook.id},
             {"url", hook.url},
             {"delivered", r.delivered},
             {"http_status", r.http_status},
             {"elapsed_ms", static_cast<double>(r.elapsed_us) / 1000.0},
             {"error", r.error},
             {"response_body", r.response_body}},
            "webhook test " + std::to_string(hook.id) + ": " +
                (r.delivered ? "HTTP " + std::to_string(r.http_status) : r.error));
}

// ---- models

// The model text of a request: {"content": "..."} as JSON, or the file part "model".
Result<std::string> ModelText(const Call& call) {
  if (call.Body().is_object()) {
    Fields f(call, call.Body());
    std::string content = f.Str("content", true);
    if (!f.ok()) return Status::Invalid(f.Problem().summary);
    return content;
  }
  LEADQ_TRY(Call::File file,
            RequiredUpload(call, "model",
                           "send {\"content\": \"<TOML>\"} as JSON, the TOML as the body "
                           "(Content-Type: application/toml) or the multipart part \"model\""));
  return std::move(file.content);
}

// POST /models/check: `leadq model check` on a posted model. 200 with the summary when it is
// valid; 422 with every error (each with its line and column) when it is not.
Result<Reply> ModelCheckRoute(Call& call) {
  LEADQ_TRY(std::string content, ModelText(call));
  Result<model::Model> m = service::ParseModelContent(call.ws, content);
  Result<std::string> summary =
      m.ok() ? service::CheckModel(*m, "model.toml") : Result<std::string>(m.status());
  if (!summary.ok()) {
    const std::string named = service::NamePostedModel(call.ws, summary.status().message());
    std::vector<FieldError> errors;
    for (std::string_view line : Split(named, '\n')) {
      if (!Trim(line).empty()) errors.push_back({"content", std::string(line)});
    }
    const size_t count = errors.size();
    return Problem(422,
                   "the model is not valid (" + std::to_string(count) +
                       (count == 1 ? " error" : " errors") + ")",
                   std::move(errors));
  }
  std::string text = service::NamePostedModel(call.ws, std::move(*summary));
  return Ok({{"valid", true}, {"name", m->name}, {"summary", std::move(text)}});
}

// POST /models/backtest: `leadq model backtest` with a posted model.
Result<Reply> BacktestRoute(Call& call) {
  Fields f(call, call.Body());
  service::BacktestRequest r;
  r.from = f.QueryTimeOpt("from");
  r.to = f.QueryTimeOpt("to");
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(std::string content, ModelText(call));
  r.content = std::move(content);
  LEADQ_TRY(service::BacktestReport report, service::Backtest(call.ws, r));
  ojson body = ojson::parse(service::BacktestJson(report));
  body["text"] = service::BacktestText(report);
  return Ok(std::move(body));
}

// POST /models/suggest-weights: `leadq suggest-weights`. Proposes; applies nothing (an admin
// posts the returned model to /models to apply it).
Result<Reply> SuggestRoute(Call& call) {
  Fields f(call, call.Body());
  service::SuggestRequest r;
  r.min_leads = f.QueryCount("min_leads", r.min_leads, 1, 1'000'000);
  r.folds = static_cast<int>(f.QueryCount("folds", static_cast<size_t>(r.folds), 2, 20));
  r.seed = f.QueryCount("seed", r.seed, 0, 1'000'000'000);
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(RequestFolder folder, RequestFolder::Make(call.ws));
  r.out = folder.path() / "suggested-model.toml";
  Result<service::SuggestReport> report = service::SuggestWeights(call.ws, r);
  if (!report.ok()) return ProblemOf(folder.Scrub(report.status()));
  ojson body = ojson::parse(folder.Scrub(service::SuggestJson(*report)));
  body.erase("out");
  body.erase("files_written");
  body["model"] = report->model_text;
  body["text"] = folder.Scrub(service::SuggestText(*report));
  return Ok(std::move(body));
}

// ---- reports

// GET /reports/html: `leadq report --html`, the whole report as one page.
Result<Reply> HtmlReportRoute(Call& call) {
  Fields f(call, call.Body());
  service::HtmlReportRequest r;
  r.thresholds.as_of = call.now;
  r.thresholds.capacity = f.QueryPositive("capacity", "leads a week");
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(RequestFolder folder, RequestFolder::Make(call.ws));
  r.out = folder.path() / "report.html";
  Status written = service::WriteHtmlReport(call.ws, r);
  if (!written.ok()) return ProblemOf(folder.Scrub(written));
  Reply reply;
  reply.content_type = "text/html; charset=utf-8";
  LEADQ_TRY(reply.text, folder.Read(r.out));
  return reply;
}

// ---- scoring files

// POST /score: `leadq score` on posted files. Multipart: "model" (TOML), "leads" (CSV), optional
// "accounts" and "events" (CSV), and any files the model names ([lists] files) as further parts
// under their file names. Answers the MODEL.md CSV (or, with format=json, the JSON with the
// explanations); the Leadq-Summary header says what the CLI prints on standard error.
Result<Reply> ScoreRoute(Call& call) {
  Fields f(call, call.Body());
  service::ScoreRequest r;
  r.as_of = call.Query("as_of");
  if (r.as_of.empty()) f.Error("as_of", "is required: the moment to score at (ISO 8601)");
  const std::string format = call.Query("format");
  if (!format.empty() && format != "csv" && format != "json") {
    f.Error("format", "\"" + format + "\" is not csv or json");
  }
  if (!f.ok()) return f.Problem();
  if (!call.http.is_multipart_form_data()) {
    return Problem(415,
                   "send multipart/form-data with the parts \"model\" and \"leads\" "
                   "(and \"accounts\", \"events\", and the files the model names)");
  }
  LEADQ_TRY(Call::File model, RequiredUpload(call, "model", "the model (TOML)"));
  LEADQ_TRY(Call::File leads, RequiredUpload(call, "leads", "the leads (CSV)"));
  LEADQ_TRY(RequestFolder folder, RequestFolder::Make(call.ws));
  for (const auto& [name, part] : call.http.files) {
    if (name == "model" || name == "leads" || name == "accounts" || name == "events") continue;
    LEADQ_TRY(std::filesystem::path ignored, folder.Write(part.filename, name, part.content));
    (void)ignored;
  }
  LEADQ_TRY(r.model, folder.Write(model.filename, "model.toml", model.content));
  LEADQ_TRY(r.leads, folder.Write(leads.filename, "leads.csv", leads.content));
  for (const char* part : {"accounts", "events"}) {
    std::optional<Call::File> file = call.Upload(part);
    if (!file) continue;
    LEADQ_TRY(std::filesystem::path written,
              folder.Write(file->filename, std::string(part) + ".csv", file->content));
    (part == std::string_view("accounts") ? r.accounts : r.events) = written;
  }
  service::Progress progress("score", false);
  Result<std::unique_ptr<service::Workset>> work = service::LoadWorkset(r, progress);
  if (!work.ok()) return ProblemOf(folder.Scrub(work.status()));
  const std::filesystem::path out = folder.path() / "scores.out";
  Result<service::ScoreSummary> summary = service::WriteScores(
      **work, format == "json" ? service::ScoreFormat::kJson : service::ScoreFormat::kCsv, out,
      progress);
  if (!summary.ok()) return ProblemOf(folder.Scrub(summary.status()));
  Reply reply;
  reply.content_type = format == "json" ? "application/json" : "text/csv; charset=utf-8";
  LEADQ_TRY(reply.text, folder.Read(out));
  std::string line = service::SummaryLine(**work, *summary);
  if (!(*work)->issues.empty()) line += "; " + (*work)->issues.Summary();
  for (const std::string& note : (*work)->notes) line += "; warning: " + note;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  reply.headers.emplace_back("Leadq-Summary", folder.Scrub(line));
  return reply;
}

// ---- learning

// POST /learn: `leadq learn` on a posted CSV. The answer holds the learned model (the JSON
// `leadq learn --out` writes) and the summary a person reads.
Result<Reply> LearnRoute(Call& call) {
  Fields f(call, call.Body());
  analytics::LearnOptions o;
  o.target = call.Query("target");
  if (o.target.empty()) f.Error("target", "is required: the outcome column (?target=Converted)");
  o.id_column = call.Query("id");
  const std::string drop = call.Query("drop"), missing = call.Query("missing");
  for (std::string_view d : Split(drop, ',')) {
    if (!Trim(d).empty()) o.drop.emplace_back(Trim(d));
  }
  for (std::string_view m : Split(missing, ',')) {
    if (!Trim(m).empty()) o.missing_tokens.emplace_back(Trim(m));
  }
  const std::string method = call.Query("method");
  if (method == "logistic") {
    o.method = analytics::LearnMethod::kLogistic;
  } else if (method == "gbdt") {
    o.method = analytics::LearnMethod::kGbdt;
  } else if (!method.empty() && method != "auto") {
    f.Error("method", "\"" + method + "\" is not logistic, gbdt or auto");
  }
  o.folds = static_cast<int>(f.QueryCount("folds", 5, 2, 100));
  o.seed = f.QueryCount("seed", 1, 0, 1'000'000'000);
  if (!f.ok()) return f.Problem();
  LEADQ_TRY(Call::File data, RequiredUpload(call, "data",
                                            "send the CSV as the body (Content-Type: text/csv) "
                                            "or as the multipart part \"data\""));
  LEADQ_TRY(RequestFolder folder, RequestFolder::Make(call.ws));
  LEADQ_TRY(o.data, folder.Write(data.filename, "data.csv", data.content));
  Result<analytics::LearnOutcome> learned = analytics::LearnFromCsv(o);
  if (!learned.ok()) return ProblemOf(folder.Scrub(learned.status()));
  return Ok({{"summary", folder.Scrub(learned->report)},
             {"model", ojson::parse(analytics::LearnedModelToJson(learned->model))}});
}

// POST /predict: `leadq predict`. Multipart: "model" (the learned model's JSON) and "data" (the
// CSV). Answers CSV; columns of the model that the data lacks are named in the
// Leadq-Missing-Columns header (predicted as if the value were missing).
Result<Reply> PredictRoute(Call& call) {
  Fields f(call, call.Body());
  analytics::PredictOptions o;
  o.id_column = call.Query("id");
  o.as_of = f.QueryTimeOpt("as_of");
  if (!f.ok()) return f.Problem();
  if (!call.http.is_multipart_form_data()) {
    return Problem(415,
                   "send multipart/form-data with the parts \"model\" (the JSON leadq learn "
                   "wrote) and \"data\" (the CSV)");
  }
  LEADQ_TRY(Call::File model_file, RequiredUpload(call, "model", "the JSON leadq learn wrote"));
  LEADQ_TRY(Call::File data, RequiredUpload(call, "data", "the CSV of leads to predict"));
  const std::string model_name = model_file.filename.empty() ? "model" : model_file.filename;
  LEADQ_TRY(analytics::LearnedModel model,
            analytics::ParseLearnedModel(model_file.content, model_name));
  LEADQ_TRY(RequestFolder folder, RequestFolder::Make(call.ws));
  LEADQ_TRY(o.data, folder.Write(data.filename, "data.csv", data.content));
  std::ostringstream out;
  Result<analytics::PredictOutcome> done = analytics::PredictCsv(model, o, out);
  if (!done.ok()) return ProblemOf(folder.Scrub(done.status()));
  Reply reply;
  reply.content_type = "text/csv; charset=utf-8";
  reply.text = out.str();
  if (!done->absent.empty()) {
    reply.headers.emplace_back("Leadq-Missing-Columns", JoinStrings(done->absent));
  }
  return reply;
}

}  // namespace

std::vector<Route> FileRoutes() {
  const std::vector<Role> staff = {Role::kAdmin, Role::kOps};
  const std::vector<Role> feeders = {Role::kAdmin, Role::kOps, Role::kIngest};
  auto route = [](std::string method, std::string path, std::vector<Role> roles, Handler h) {
    Route r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.roles = std::move(roles);
    r.handler = std::move(h);
    return r;
  };
  auto files = [](Route r, std::vector<std::string> parts, std::vector<std::string> types) {
    r.files = std::move(parts);
    r.file_types = std::move(types);
    return r;
  };
  auto import = [&](service::ImportKind kind, const std::vector<Role>& roles) {
    return files(route("POST", "/api/v1/import/" + std::string(service::ImportKindName(kind)),
                       roles, [kind](Call& call) { return ImportRoute(call, kind); }),
                 {"file", "map"}, {"text/csv", "text/plain"});
  };
  const std::string v1 = "/api/v1";
  const std::vector<std::string> toml = {"application/toml", "text/plain"};
  return {
      import(service::ImportKind::kLeads, feeders),
      import(service::ImportKind::kAccounts, staff),
      import(service::ImportKind::kEvents, feeders),
      import(service::ImportKind::kOutcomes, staff),
      files(route("POST", v1 + "/trade/import", staff, TradeImportRoute), {"file", "map"},
            {"text/csv", "text/plain"}),
      route("GET", v1 + "/trade/buyers", staff, TradeBuyersRoute),
      route("POST", v1 + "/trade/merge", staff,
            [](Call& call) { return TradeRuleRoute(call, true); }),
      route("POST", v1 + "/trade/split", staff,
            [](Call& call) { return TradeRuleRoute(call, false); }),
      route("POST", v1 + "/trade/access", staff, TradeAccessRoute),
      route("POST", v1 + "/trade/promote", staff, TradePromoteRoute),
      route("POST", v1 + "/webhooks/{id}/test", staff, WebhookTestRoute),
      files(route("POST", v1 + "/models/check", staff, ModelCheckRoute), {"model"}, toml),
      files(route("POST", v1 + "/models/backtest", staff, BacktestRoute), {"model"}, toml),
      route("POST", v1 + "/models/suggest-weights", staff, SuggestRoute),
      route("GET", v1 + "/reports/html", staff, HtmlReportRoute),
      files(route("POST", v1 + "/learn", staff, LearnRoute), {"data"}, {"text/csv", "text/plain"}),
      files(route("POST", v1 + "/predict", staff, PredictRoute), {"data", "model"}, {}),
      files(route("POST", v1 + "/score", staff, ScoreRoute),
            {"leads", "model", "accounts", "events"}, {}),
  };
}

}  // namespace leadq::server
