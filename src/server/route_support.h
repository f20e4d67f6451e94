// What the route handlers share (routes.cc, file_routes.cc): replies, reading request fields with
// every error gathered, and the routes that take files. Internal to server/.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/text.h"
#include "core/time.h"
#include "server/api.h"

namespace leadq::server {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

inline Reply Ok(ojson body, std::string summary = {}, int status = 200) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  r.summary = std::move(summary);
  return r;
}

// A service answer that is JSON text (the CLI's --format json), as a reply.
inline Result<Reply> OkText(const Result<std::string>& text) {
  if (!text.ok()) return ProblemOf(text.status());
  return Ok(ojson::parse(*text, nullptr, false));
}

inline std::string Iso(TimePoint t) { return FormatTimestamp(t); }
inline ojson IsoOrNull(const std::optional<TimePoint>& t) {
  return t ? ojson(FormatTimestamp(*t)) : ojson(nullptr);
}

// Reads request fields with their errors gathered, so one answer names every bad field.
class Fields {
 public:
  Fields(const Call& call, const json& object) : call_(call), object_(object) {}

  // A string member; "" when absent. Not a string: an error.
  std::string Str(const std::string& name, bool required = false) {
    if (!object_.is_object() || !object_.contains(name) || object_[name].is_null()) {
      if (required) errors_.push_back({name, "is required"});
      return {};
    }
    if (!object_[name].is_string()) {
      errors_.push_back({name, "must be a string"});
      return {};
    }
    std::string v = object_[name].get<std::string>();
    if (required && Trim(v).empty()) errors_.push_back({name, "must not be empty"});
    return v;
  }
  std::optional<TimePoint> Time(const std::string& name) {
    std::string text = Str(name);
    if (text.empty()) return std::nullopt;
    std::optional<TimePoint> t = ParseTimestamp(text);
    if (!t) errors_.push_back({name, "\"" + text + "\" is not an ISO 8601 time"});
    return t;
  }
  std::optional<double> Number(const std::string& name) {
    if (!object_.is_object() || !object_.contains(name) || object_[name].is_null()) return {};
    if (!object_[name].is_number()) {
      errors_.push_back({name, "must be a number"});
      return {};
    }
    return object_[name].get<double>();
  }
  std::optional<bool> Bool(const std::string& name) {
    if (!object_.is_object() || !object_.contains(name) || object_[name].is_null()) return {};
    if (!object_[name].is_boolean()) {
      errors_.push_back({name, "must be true or false"});
      return {};
    }
    return object_[name].get<bool>();
  }
  // A query parameter as a time; the call's now when absent.
  TimePoint QueryTime(const std::string& name) {
    std::string text = call_.Query(name);
    if (text.empty()) return call_.now;
    std::optional<TimePoint> t = ParseTimestamp(text);
    if (!t) errors_.push_back({name, "\"" + text + "\" is not an ISO 8601 time"});
    return t.value_or(call_.now);
  }
  std::optional<TimePoint> QueryTimeOpt(const std::string& name) {
    std::string text = call_.Query(name);
    if (text.empty()) return std::nullopt;
    std::optional<TimePoint> t = ParseTimestamp(text);
    if (!t) errors_.push_back({name, "\"" + text + "\" is not an ISO 8601 date or time"});
    return t;
  }
  // A non-negative integer query parameter in [lo, hi]; `fallback` when absent.
  size_t QueryCount(const std::string& name, size_t fallback, size_t lo, size_t hi) {
    std::string text = call_.Query(name);
    if (text.empty()) return fallback;
    size_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
      errors_.push_back({name, "\"" + text + "\" must be a whole number from " +
                                   std::to_string(lo) + " to " + std::to_string(hi)});
      return fallback;
    }
    return v;
  }
  // A positive number query parameter; nullopt when absent. `what` says what it counts, for
  // the error ("leads a week").
  std::optional<double> QueryPositive(const std::string& name, const std::string& what) {
    std::string text = call_.Query(name);
    if (text.empty()) return std::nullopt;
    std::optional<double> v = ParseNumber(text);
    if (!v || *v <= 0) {
      errors_.push_back({name, "\"" + text + "\" must be a positive number of " + what});
      return std::nullopt;
    }
    return v;
  }
  void Error(std::string field, std::string message) {
    errors_.push_back({std::move(field), std::move(message)});
  }
  bool ok() const { return errors_.empty(); }
  Reply Problem() const {
    std::string detail;
    for (const FieldError& e : errors_) {
      detail += (detail.empty() ? "" : "; ") + e.field + ": " + e.message;
    }
    return server::Problem(422, detail, errors_);
  }

 private:
  const Call& call_;
  const json& object_;
  std::vector<FieldError> errors_;
};

inline Result<int64_t> VersionParam(const std::string& text, const std::string& field) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) {
    return Status::Invalid(field + ": \"" + text + "\" is not a model version (1, 2, ...)");
  }
  return v;
}

// The routes that take or give files: CSV imports (leads, accounts, events, outcomes, shipments),
// score, learn and predict, model check, backtest and suggest-weights, the HTML report
// (file_routes.cc).
std::vector<Route> FileRoutes();

}  // namespace leadq::server
