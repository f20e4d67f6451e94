// A one-line progress report on standard error for long runs: each stage says how many rows it
// handled and how fast ("read 10,000,000 events (4.1M rows/s)"). Quiet when standard error is
// not a terminal, so logs and pipes stay clean.
//
// Example:
//   Progress progress("score");
//   progress.Begin("reading events");
//   ... work ...
//   progress.End(rows, "events");
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace leadq::service {

class Progress {
 public:
  // `enabled` defaults to whether standard error is a terminal.
  explicit Progress(std::string_view command);
  Progress(std::string_view command, bool enabled);
  ~Progress();

  void Begin(std::string_view stage);
  // Ends the current stage; `rows` of `what` were handled.
  void End(uint64_t rows, std::string_view what);
  // Clears the line (call before printing anything else to standard error).
  void Clear();

 private:
  void Show();

  std::string command_;
  bool enabled_;
  std::string done_;
  std::string stage_;
  std::chrono::steady_clock::time_point started_;
  bool shown_ = false;
};

}  // namespace leadq::service
