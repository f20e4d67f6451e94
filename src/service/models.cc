#include "service/models.h"

#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <type_traits>

#include "core/text.h"
#include "service/model_summary.h"
#include "service/predictive.h"
#include "service/scoring.h"
#include "store/hash.h"

namespace leadq::service {
namespace {

Result<std::string> ReadWhole(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound(path.string() + ": cannot read");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string HashOf(const std::string& content,
                   const std::vector<std::pair<std::string, std::string>>& files) {
  std::string all = content;
  for (const auto& [name, text] : files) all += "\n\x1f" + name + "\x1f" + text;
  return store::Sha256Hex(all);
}

std::filesystem::path VersionDir(const Workspace& ws, int64_t version) {
  return ws.dir / "models" / ("v" + std::to_string(version));
}

// Writes a version's files under models/v<N>/ unless they are already there. Requests of a
// server may do this for the same version at once: every file is replaced whole (the same
// content), and the stamp is written last.
Result<std::filesystem::path> Materialise(const Workspace& ws, const store::ModelVersion& v) {
  std::filesystem::path dir = VersionDir(ws, v.version);
  std::filesystem::path main = dir / "model.toml";
  // The stamp holds the version's hash: a folder left by an earlier, uncommitted attempt with
  // the same number is rewritten.
  Result<std::string> stamp = ReadWhole(dir / ".hash");
  if (stamp.ok() && *stamp == v.hash) return main;
  auto write = [&](const std::filesystem::path& p, const std::string& text) -> Status {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) return Status::IoError(p.parent_path().string() + ": cannot create: " + ec.message());
    return WriteOutput(p, text);  // whole: a temporary file, then rename
  };
  for (const auto& [name, text] : v.files) LEADQ_TRY(write(dir / name, text));
  LEADQ_TRY(write(main, v.content));
  LEADQ_TRY(write(dir / ".hash", v.hash));
  return main;
}

Result<AppliedModel> StoreVersion(Workspace& ws, store::ModelVersion version) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
  LEADQ_TRY(std::optional<store::ModelVersion> active, tx->ActiveModel());
  AppliedModel applied;
  if (active && active->hash == version.hash) {
    applied.version = active->version;
    applied.unchanged = true;
    return applied;
  }
  LEADQ_TRY(applied.version, tx->AddModelVersion(version));
  version.version = applied.version;
  if (active) {
    LEADQ_TRY(model::Model before, LoadModelVersion(ws, *active));
    LEADQ_TRY(model::Model after, LoadModelVersion(ws, version));
    applied.changes = DiffModels(before, after);
  }
  LEADQ_TRY(tx->Commit());
  return applied;
}

}  // namespace

namespace {

// Stores `m`, parsed from `content` as the file `path`, with the files it reads (list files,
// the learned model, tariff tables), which must lie in path's folder or below it.
Result<AppliedModel> StoreParsed(Workspace& ws, const std::filesystem::path& path,
                                 const model::Model& m, std::string content,
                                 const std::string& message, const std::string& author,
                                 TimePoint now) {
  LEADQ_TRY(std::optional<analytics::LearnedModel> learned, LoadPredictive(m));
  store::ModelVersion v;
  v.content = std::move(content);
  const std::filesystem::path base = path.has_parent_path() ? path.parent_path() : ".";
  for (const model::NamedList& list : m.lists) {
    if (list.file.empty()) continue;
    std::filesystem::path rel = std::filesystem::path(list.file).lexically_relative(base);
    if (rel.empty() || *rel.begin() == "..") {
      rel = std::filesystem::path(list.file).lexically_normal();
      if (rel.is_absolute() || (!rel.empty() && *rel.begin() == "..")) {
        return Status::Invalid(path.string() + ": list \"" + list.name + "\" reads " + list.file +
                               ", outside the model's folder; keep list files next to the model "
                               "(or below it) so that a stored version is complete");
      }
    }
    LEADQ_TRY(std::string text, ReadWhole(list.file));
    v.files.emplace_back(rel.string(), std::move(text));
  }
  if (m.predictive) {
    // Stored with the version, like list files, so that a version is complete on its own.
    std::filesystem::path rel = std::filesystem::path(m.predictive->written).lexically_normal();
    if (rel.is_absolute() || (!rel.empty() && *rel.begin() == "..")) {
      return Status::Invalid(path.string() + ": [predictive] model reads " + m.predictive->written +
                             ", outside the model's folder; keep the learned model next to the "
                             "model (or below it) so that a stored version is complete");
    }
    v.files.emplace_back(rel.string(), m.predictive->content);
  }
  if (m.exports) {
    // Tariff tables too: a stored version must screen buyers on its own.
    for (const model::TariffFile& t : m.exports->tariffs) {
      std::filesystem::path rel = std::filesystem::path(t.written).lexically_normal();
      if (rel.is_absolute() || (!rel.empty() && *rel.begin() == "..")) {
        return Status::Invalid(path.string() + ": [export] tariffs reads " + t.written +
                               ", outside the model's folder; keep tariff files next to the "
                               "model (or below it) so that a stored version is complete");
      }
      v.files.emplace_back(rel.string(), t.content);
    }
  }
  v.hash = HashOf(v.content, v.files);
  v.author = author;
  v.message = message;
  v.created_at = now;
  return StoreVersion(ws, std::move(v));
}

}  // namespace

Result<AppliedModel> ApplyModel(Workspace& ws, const std::filesystem::path& path,
                                const std::string& message, const std::string& author,
                                TimePoint now) {
  LEADQ_TRY(model::Model m, model::LoadModel(path));
  LEADQ_TRY(std::string content, ReadWhole(path));
  return StoreParsed(ws, path, m, std::move(content), message, author, now);
}

std::string NamePostedModel(const Workspace& ws, std::string text) {
  // Messages name the text and its files as the user knows them, not by the server's folders.
  const std::string prefix = ws.dir.string() + "/";
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
    size_t end = at + prefix.size();
    constexpr std::string_view kVersions = "models/v";
    if (text.compare(end, kVersions.size(), kVersions) == 0) {
      size_t digits = end + kVersions.size();
      while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
        ++digits;
      }
      if (digits > end + kVersions.size() && digits < text.size() && text[digits] == '/') {
        end = digits + 1;
      }
    }
    text.erase(at, end - at);
  }
  return text;
}

namespace {

// Where a posted model is read from (ParseModelContent).
Result<std::filesystem::path> PostedModelPath(const Workspace& ws) {
  std::optional<store::ModelVersion> active;
  {
    LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->BeginRead());
    LEADQ_TRY(active, tx->ActiveModel());
  }
  if (!active) return ws.dir / "model.toml";
  return Materialise(ws, *active);
}

}  // namespace

Result<model::Model> ParseModelContent(const Workspace& ws, std::string_view content) {
  LEADQ_TRY(std::filesystem::path path, PostedModelPath(ws));
  Result<model::Model> m = model::ParseModel(content, path);
  if (!m.ok()) return Status(m.status().code(), NamePostedModel(ws, m.status().message()));
  return m;
}

Result<AppliedModel> ApplyModelContent(Workspace& ws, std::string content,
                                       const std::string& message, const std::string& author,
                                       TimePoint now) {
  LEADQ_TRY(std::filesystem::path path, PostedModelPath(ws));
  Result<model::Model> m = model::ParseModel(content, path);
  if (!m.ok()) return Status(m.status().code(), NamePostedModel(ws, m.status().message()));
  Result<AppliedModel> applied =
      StoreParsed(ws, path, *m, std::move(content), message, author, now);
  if (!applied.ok()) {
    return Status(applied.status().code(), NamePostedModel(ws, applied.status().message()));
  }
  return applied;
}

Result<AppliedModel> RollbackModel(Workspace& ws, int64_t version, const std::string& author,
                                   TimePoint now) {
  store::ModelVersion old;
  {
    LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());
    LEADQ_TRY(old, tx->GetModelVersion(version));
  }
  store::ModelVersion v = old;
  v.version = 0;
  v.author = author;
  v.message = "rollback to version " + std::to_string(version);
  v.created_at = now;
  return StoreVersion(ws, std::move(v));
}

Result<model::Model> LoadModelVersion(Workspace& ws, const store::ModelVersion& version) {
  LEADQ_TRY(std::filesystem::path main, Materialise(ws, version));
  Result<model::Model> m = model::LoadModel(main);
  if (!m.ok()) {
    return m.status().WithPrefix("stored model version " + std::to_string(version.version) +
                                 " no longer loads");
  }
  return m;
}

Result<ActiveModel> LoadActiveModel(Workspace& ws, store::Transaction& tx) {
  LEADQ_TRY(std::optional<store::ModelVersion> active, tx.ActiveModel());
  if (!active) {
    return Status::FailedPrecondition(
        "the workspace has no model yet: run `leadq model apply MODEL.toml -m \"why\"`");
  }
  ActiveModel out;
  out.version = active->version;
  LEADQ_TRY(out.model, LoadModelVersion(ws, *active));
  return out;
}

namespace {

std::string Num(double v) {
  std::string s = FormatFixed2(v);
  if (s.size() > 3 && s.substr(s.size() - 3) == ".00") s.resize(s.size() - 3);
  return s;
}

void Changed(std::vector<std::string>& out, const std::string& what, const std::string& a,
             const std::string& b) {
  if (a != b) out.push_back(what + ": " + a + " -> " + b);
}

std::string Opt(const std::optional<double>& v) { return v ? Num(*v) : "none"; }

template <typename T, typename KeyFn, typename DescFn, typename CompareFn>
void DiffNamed(std::vector<std::string>& out, const std::string& kind, const std::vector<T>& a,
               const std::vector<T>& b, KeyFn key, DescFn describe, CompareFn compare) {
  std::map<std::string, const T*> before, after;
  for (const T& x : a) before.emplace(key(x), &x);
  for (const T& x : b) after.emplace(key(x), &x);
  for (const T& x : a) {
    if (after.count(key(x)) == 0) out.push_back(kind + " \"" + key(x) + "\" removed");
  }
  for (const T& x : b) {
    auto it = before.find(key(x));
    if (it == before.end()) {
      out.push_back(kind + " \"" + key(x) + "\" added: " + describe(x));
    } else {
      compare(kind + " \"" + key(x) + "\"", *it->second, x);
    }
  }
}

}  // namespace

std::vector<std::string> DiffModels(const model::Model& a, const model::Model& b) {
  std::vector<std::string> out;
  Changed(out, "fit max", Num(a.fit.max), Num(b.fit.max));
  Changed(out, "intent max", Num(a.intent.max), Num(b.intent.max));
  Changed(out, "intent half-life (days)", Num(a.intent.half_life_days),
          Num(b.intent.half_life_days));
  Changed(out, "intent window (days)", Num(a.intent.window_days), Num(b.intent.window_days));
  Changed(out, "fit weight", Num(a.score.fit_weight), Num(b.score.fit_weight));
  Changed(out, "intent weight", Num(a.score.intent_weight), Num(b.score.intent_weight));

  DiffNamed(
      out, "fit rule", a.fit.rules, b.fit.rules, [](const model::FitRule& r) { return r.name; },
      [](const model::FitRule& r) {
        return Num(r.points) + " points when " + DescribeCondition(r.when);
      },
      [&](const std::string& what, const model::FitRule& x, const model::FitRule& y) {
        Changed(out, what + " points", Num(x.points), Num(y.points));
        Changed(out, what + " condition", DescribeCondition(x.when), DescribeCondition(y.when));
      });

  // Intent entries are matched by label and position among entries of the same label.
  auto entry_keys = [](const std::vector<model::IntentEntry>& entries) {
    std::vector<std::pair<std::string, const model::IntentEntry*>> keys;
    std::map<std::string, int> seen;
    for (const model::IntentEntry& e : entries) {
      int n = ++seen[e.Label()];
      keys.emplace_back(n == 1 ? e.Label() : e.Label() + " #" + std::to_string(n), &e);
    }
    return keys;
  };
  auto ka = entry_keys(a.intent.entries);
  auto kb = entry_keys(b.intent.entries);
  auto when_of = [](const model::IntentEntry& e) {
    return e.when ? DescribeCondition(*e.when) : std::string("any");
  };
  for (const auto& [k, e] : ka) {
    bool found = false;
    for (const auto& [k2, e2] : kb) found = found || k2 == k;
    if (!found) out.push_back("intent entry \"" + k + "\" removed");
  }
  for (const auto& [k, e] : kb) {
    const model::IntentEntry* old = nullptr;
    for (const auto& [k2, e2] : ka) {
      if (k2 == k) old = e2;
    }
    if (old == nullptr) {
      out.push_back("intent entry \"" + k + "\" added: type " + e->type + ", " + Num(e->points) +
                    " points");
      continue;
    }
    const std::string what = "intent entry \"" + k + "\"";
    Changed(out, what + " type", old->type, e->type);
    Changed(out, what + " points", Num(old->points), Num(e->points));
    Changed(out, what + " cap", Opt(old->cap), Opt(e->cap));
    Changed(out, what + " half-life", Opt(old->half_life_days), Opt(e->half_life_days));
    Changed(out, what + " condition", when_of(*old), when_of(*e));
  }
  for (size_t i = 0; i < kb.size() && i < ka.size(); ++i) {
    if (ka[i].first != kb[i].first) {
      out.push_back("intent entries reordered (the first matching entry takes an event)");
      break;
    }
  }

  DiffNamed(
      out, "negative signal", a.negatives, b.negatives,
      [](const model::NegativeEntry& n) { return n.name; },
      [](const model::NegativeEntry& n) { return Num(n.points) + " points"; },
      [&](const std::string& what, const model::NegativeEntry& x, const model::NegativeEntry& y) {
        Changed(out, what + " points", Num(x.points), Num(y.points));
        Changed(out, what + " condition", x.when ? DescribeCondition(*x.when) : "none",
                y.when ? DescribeCondition(*y.when) : "none");
        Changed(out, what + " event", x.event_type.value_or("none"), y.event_type.value_or("none"));
      });
  DiffNamed(
      out, "disqualifier", a.disqualify, b.disqualify,
      [](const model::DisqualifyRule& d) { return d.reason; },
      [](const model::DisqualifyRule& d) { return "when " + DescribeCondition(d.when); },
      [&](const std::string& what, const model::DisqualifyRule& x, const model::DisqualifyRule& y) {
        Changed(out, what + " condition", DescribeCondition(x.when), DescribeCondition(y.when));
      });
  DiffNamed(
      out, "channel", a.channels, b.channels, [](const model::Channel& c) { return c.name; },
      [](const model::Channel& c) { return "when " + DescribeCondition(c.when); },
      [&](const std::string& what, const model::Channel& x, const model::Channel& y) {
        Changed(out, what + " condition", DescribeCondition(x.when), DescribeCondition(y.when));
      });
  DiffNamed(
      out, "list", a.lists, b.lists, [](const model::NamedList& l) { return l.name; },
      [](const model::NamedList& l) { return std::to_string(l.values.size()) + " entries"; },
      [&](const std::string& what, const model::NamedList& x, const model::NamedList& y) {
        std::set<std::string> sx(x.values.begin(), x.values.end());
        std::set<std::string> sy(y.values.begin(), y.values.end());
        for (const std::string& v : sy) {
          if (sx.count(v) == 0) out.push_back(what + ": added \"" + v + "\"");
        }
        for (const std::string& v : sx) {
          if (sy.count(v) == 0) out.push_back(what + ": removed \"" + v + "\"");
        }
      });
  auto grades = [](const std::vector<model::Grade>& g) {
    std::string s;
    for (const model::Grade& x : g)
      s += (s.empty() ? "" : ", ") + x.name + " >= " + Num(x.threshold);
    return s.empty() ? std::string("none") : s;
  };
  auto describe = [](const auto& rule) {
    using T = std::decay_t<decltype(rule)>;
    if constexpr (std::is_same_v<T, model::AssignRule>) {
      return DescribeAssignRule(rule);
    } else if constexpr (std::is_same_v<T, model::SlaRule>) {
      return DescribeSlaRule(rule);
    } else {
      return DescribeCadence(rule);
    }
  };
  auto name_of = [](const auto& rule) { return rule.name; };
  auto compare = [&](const std::string& what, const auto& x, const auto& y) {
    Changed(out, what, describe(x), describe(y));
  };
  DiffNamed(out, "assignment rule", a.handoff.rules, b.handoff.rules, name_of, describe, compare);
  DiffNamed(out, "response clock", a.handoff.sla, b.handoff.sla, name_of, describe, compare);
  DiffNamed(out, "cadence", a.handoff.cadences, b.handoff.cadences, name_of, describe, compare);
  auto join = [](const std::vector<std::string>& v) {
    return v.empty() ? std::string("none") : JoinStrings(v);
  };
  Changed(out, "fallback pool", join(a.handoff.fallback), join(b.handoff.fallback));
  Changed(out, "account affinity", a.handoff.account_affinity ? "on" : "off",
          b.handoff.account_affinity ? "on" : "off");
  Changed(out, "touch limit",
          std::to_string(a.handoff.limit_touches) + " in " + Num(a.handoff.limit_days) + " days",
          std::to_string(b.handoff.limit_touches) + " in " + Num(b.handoff.limit_days) + " days");
  Changed(out, "lifecycle recycle days", Num(a.lifecycle.recycle_days),
          Num(b.lifecycle.recycle_days));
  Changed(out, "lifecycle stale mql days", Num(a.lifecycle.stale_mql_days),
          Num(b.lifecycle.stale_mql_days));
  Changed(out, "fit grades", grades(a.fit_grades), grades(b.fit_grades));
  Changed(out, "intent grades", grades(a.intent_grades), grades(b.intent_grades));
  const auto ca = model::CellActions(a, -1);
  for (const auto& [cell, action] : model::CellActions(b, -1)) {
    auto it = ca.find(cell);
    if (it != ca.end() && it->second.action != action.action) {
      out.push_back("cell " + cell + ": " + it->second.action + " -> " + action.action);
    }
  }
  auto predictive = [](const model::Model& m) {
    return m.predictive ? "lead." + m.predictive->field + " from " + m.predictive->written
                        : std::string("none");
  };
  Changed(out, "predictive model", predictive(a), predictive(b));
  if (a.predictive && b.predictive && predictive(a) == predictive(b) &&
      a.predictive->content != b.predictive->content) {
    out.push_back("predictive model " + b.predictive->written + ": learned again (new content)");
  }
  return out;
}

}  // namespace leadq::service
