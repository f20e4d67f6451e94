// Status and Result<T>: expected failures as values.
//
// A Status is either ok or carries a code and a message written for the person who has to fix
// the input ("leads.csv:12: occurred_at "2026-13-01" is not a date"). Result<T> is a value or a
// Status. Both are [[nodiscard]]; propagate with LEADQ_TRY.
//
// Example:
//   Result<Model> LoadModel(const std::filesystem::path& path);
//   Status Run() {
//     LEADQ_TRY(Model model, LoadModel("model.toml"));
//     LEADQ_TRY(WriteScores(model));
//     return Status::Ok();
//   }
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace leadq {

enum class StatusCode {
  kOk = 0,
  kInvalidInput,        // the user's input (a file, an argument, a model) is wrong
  kNotFound,            // a file or an id that does not exist
  kIoError,             // the operating system refused a read or a write
  kFailedPrecondition,  // the request is valid but the state does not allow it
  kInternal,            // a bug: never the user's fault
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok

  static Status Ok() { return Status(); }
  static Status Invalid(std::string message) {
    return Status(StatusCode::kInvalidInput, std::move(message));
  }
  static Status NotFound(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message));
  }
  static Status IoError(std::string message) {
    return Status(StatusCode::kIoError, std::move(message));
  }
  static Status FailedPrecondition(std::string message) {
    return Status(StatusCode::kFailedPrecondition, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message));
  }

  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "prefix: message" (for adding a file name or a row).
  Status WithPrefix(std::string_view prefix) const {
    if (ok()) return *this;
    return Status(code_, std::string(prefix) + ": " + message_);
  }

  // Lets LEADQ_TRY treat Status and Result<T> alike.
  const Status& status() const& { return *this; }
  Status status() && { return std::move(*this); }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "a Result cannot hold an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }

  Status status() const& { return ok() ? Status::Ok() : std::get<Status>(data_); }
  Status status() && { return ok() ? Status::Ok() : std::get<Status>(std::move(data_)); }

  // The value; only call when ok().
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace leadq

#define LEADQ_CONCAT_INNER(a, b) a##b
#define LEADQ_CONCAT(a, b) LEADQ_CONCAT_INNER(a, b)

// LEADQ_TRY(expr): returns the Status of `expr` (a Status or Result) when it is not ok.
// LEADQ_TRY(decl, expr): the same, then moves the Result's value into `decl`.
#define LEADQ_TRY_1(expr)                                              \
  do {                                                                 \
    auto&& leadq_try_tmp = (expr);                                     \
    if (!leadq_try_tmp.ok()) return std::move(leadq_try_tmp).status(); \
  } while (0)
#define LEADQ_TRY_2(decl, expr) LEADQ_TRY_2_IMPL(LEADQ_CONCAT(leadq_try_, __LINE__), decl, expr)
#define LEADQ_TRY_2_IMPL(tmp, decl, expr)        \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return std::move(tmp).status(); \
  decl = std::move(tmp).value()
#define LEADQ_TRY_PICK(_1, _2, name, ...) name
#define LEADQ_TRY(...) LEADQ_TRY_PICK(__VA_ARGS__, LEADQ_TRY_2, LEADQ_TRY_1, unused)(__VA_ARGS__)
