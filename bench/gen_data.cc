// leadq_bench_gen: writes the benchmark data set (bench/gen_lib.h) into a directory.
//
//   leadq_bench_gen --leads N --events M --out DIR [--seed S] [--as-of 2026-11-01]
//                   [--model-dir examples/models] [--reuse]
//
// --reuse keeps the CSV files when DIR/params.txt shows they were written with the same options
// (the model files are copied again either way). Prints one line with rows, MB and seconds.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "bench/gen_lib.h"
#include "core/text.h"

namespace {

constexpr std::string_view kUsage =
    "usage: leadq_bench_gen --leads N --events M --out DIR [--seed S] [--as-of 2026-11-01]\n"
    "                       [--model-dir DIR] [--reuse]\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "leadq_bench_gen: %s\n", message.c_str());
  return 2;
}

bool ParseCount(std::string_view text, uint64_t& out) {
  // Accepts 1000000, 1_000_000 and 1e6-style shorthands: 1M, 10M, 200k.
  std::string digits;
  uint64_t scale = 1;
  for (char c : text) {
    if (c == '_' || c == ',') continue;
    if (c == 'k' || c == 'K') {
      scale = 1'000;
    } else if (c == 'm' || c == 'M') {
      scale = 1'000'000;
    } else {
      digits.push_back(c);
    }
  }
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return false;
  out *= scale;
  return true;
}

std::string Megabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  leadq::bench::GenOptions options;
  std::string out;
  std::string as_of = "2026-11-01";
  bool reuse = false;
  bool have_leads = false;
  bool have_events = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    uint64_t n = 0;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    } else if (arg == "--reuse") {
      reuse = true;
    } else if (arg == "--leads" || arg == "--events" || arg == "--seed") {
      const char* v = value();
      if (v == nullptr || !ParseCount(v, n)) return Fail(std::string(arg) + " needs a number");
      if (arg == "--leads") {
        options.leads = n;
        have_leads = true;
      } else if (arg == "--events") {
        options.events = n;
        have_events = true;
      } else {
        options.seed = n;
      }
    } else if (arg == "--out" || arg == "--as-of" || arg == "--model-dir") {
      const char* v = value();
      if (v == nullptr) return Fail(std::string(arg) + " needs a value");
      if (arg == "--out") {
        out = v;
      } else if (arg == "--as-of") {
        as_of = v;
      } else {
        options.model_dir = v;
      }
    } else {
      std::fputs(kUsage.data(), stderr);
      return Fail("unknown argument " + std::string(arg));
    }
  }
  if (!have_leads || !have_events || out.empty()) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }
  if (options.leads == 0) return Fail("--leads must be at least 1");
  std::optional<leadq::TimePoint> t = leadq::ParseTimestamp(as_of);
  if (!t) return Fail("--as-of \"" + as_of + "\" is not an ISO 8601 time");
  options.as_of = *t;

  if (reuse && leadq::bench::HasBenchData(options, out)) {
    leadq::Status copied = leadq::bench::CopyModel(options, out);
    if (!copied.ok()) return Fail(copied.message());
    std::string params = leadq::bench::ParamsText(options);
    if (!params.empty() && params.back() == '\n') params.pop_back();
    std::printf("%s: reused (same %s)\n", out.c_str(), params.c_str());
    return 0;
  }

  const auto started = std::chrono::steady_clock::now();
  leadq::Result<leadq::bench::GenSizes> sizes = leadq::bench::WriteBenchData(options, out);
  if (!sizes.ok()) return Fail(sizes.status().message());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "%s: leads.csv %s rows (%s), accounts.csv %s rows (%s), events.csv %s rows (%s); "
      "%s in %.1f s\n",
      out.c_str(), leadq::GroupThousands(sizes->leads).c_str(),
      Megabytes(sizes->leads_bytes).c_str(), leadq::GroupThousands(sizes->accounts).c_str(),
      Megabytes(sizes->accounts_bytes).c_str(), leadq::GroupThousands(sizes->events).c_str(),
      Megabytes(sizes->events_bytes).c_str(), Megabytes(sizes->total_bytes()).c_str(), seconds);
  return 0;
}
