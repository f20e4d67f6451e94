#include "service/progress.h"

#include <unistd.h>

#include <cstdio>

#include "core/text.h"

namespace leadq::service {

Progress::Progress(std::string_view command) : Progress(command, ::isatty(STDERR_FILENO) == 1) {}

Progress::Progress(std::string_view command, bool enabled) : command_(command), enabled_(enabled) {}

Progress::~Progress() { Clear(); }

void Progress::Begin(std::string_view stage) {
  stage_ = std::string(stage);
  started_ = std::chrono::steady_clock::now();
  Show();
}

void Progress::End(uint64_t rows, std::string_view what) {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string part = GroupThousands(rows) + " " + std::string(what);
  if (seconds > 0.001) {
    char rate[32];
    std::snprintf(rate, sizeof rate, " (%.1fM rows/s)", static_cast<double>(rows) / seconds / 1e6);
    part += rate;
  }
  if (!done_.empty()) done_ += " · ";
  done_ += part;
  stage_.clear();
  Show();
}

void Progress::Show() {
  if (!enabled_) return;
  std::string line = command_ + ": " + done_;
  if (!stage_.empty()) line += (done_.empty() ? "" : " · ") + stage_ + "...";
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void Progress::Clear() {
  if (!enabled_ || !shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace leadq::service
