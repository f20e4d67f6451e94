// leadq_bench_learn_gen: writes a CSV of past leads with a known outcome for `leadq learn` and
// `leadq predict` benchmarks.
//
//   leadq_bench_learn_gen --rows N --out FILE [--seed S]
//
// 50 feature columns and two more: lead_id (text), 42 numeric (x01..x42; four of them empty in
// about 5% of rows), 6 categorical (c1..c6, 3 or 4 levels), a yes/no column and a date; and
// `converted`, drawn from a logistic model of a dozen of the columns (so that there is signal to
// find and noise to ignore). Deterministic for a seed. Prints rows, MB and seconds.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

namespace {

int Usage() {
  std::fprintf(stderr, "usage: leadq_bench_learn_gen --rows N --out FILE [--seed S]\n");
  return 2;
}

void AppendNumber(std::string& out, double v) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.3f", v);
  out.append(buf, static_cast<size_t>(n));
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 0, seed = 1;
  std::string path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--rows") {
      rows = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--out") {
      path = argv[i + 1];
    } else if (flag == "--seed") {
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      return Usage();
    }
  }
  if (rows == 0 || path.empty()) return Usage();
  auto start = std::chrono::steady_clock::now();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    return 1;
  }
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  const char* levels[6][4] = {{"web", "event", "partner", "outbound"},
                              {"smb", "mid", "enterprise", ""},
                              {"emea", "amer", "apac", ""},
                              {"cfo", "cto", "ops", "other"},
                              {"a", "b", "c", ""},
                              {"low", "medium", "high", ""}};
  const int level_count[6] = {4, 3, 3, 4, 3, 3};
  std::string line = "lead_id";
  for (int j = 1; j <= 42; ++j) line += (j < 10 ? ",x0" : ",x") + std::to_string(j);
  line += ",c1,c2,c3,c4,c5,c6,newsletter,signed_up,converted\n";
  std::string buffer = line;
  size_t bytes = 0;
  double x[42];
  for (uint64_t r = 0; r < rows; ++r) {
    line.clear();
    line += "L" + std::to_string(r + 1);
    for (double& v : x) v = normal(rng);
    // Skewed activity counts in the first three columns, like visits and minutes on a site.
    x[0] = std::floor(std::exp(1 + 0.8 * x[0]));
    x[1] = std::floor(std::exp(3 + x[1]));
    x[2] = std::round(10 * uniform(rng));
    int cat[6];
    for (int c = 0; c < 6; ++c)
      cat[c] = static_cast<int>(rng() % static_cast<uint64_t>(level_count[c]));
    bool newsletter = uniform(rng) < 0.3;
    int age_days = static_cast<int>(rng() % 365);
    double z = -1.2 + 0.35 * std::log1p(x[0]) + 0.25 * std::log1p(x[1]) + 0.08 * x[2] + 0.5 * x[3] -
               0.4 * x[4] + 0.3 * x[5] + 0.2 * x[6] - 0.2 * x[7] + 0.6 * (cat[0] == 1) +
               0.4 * (cat[1] == 2) - 0.5 * (cat[3] == 3) + 0.3 * newsletter - 0.002 * age_days +
               0.3 * x[3] * (cat[5] == 2);
    for (int j = 0; j < 42; ++j) {
      line += ',';
      if (j >= 38 && uniform(rng) < 0.05) continue;  // x39..x42: 5% empty
      AppendNumber(line, x[j]);
    }
    for (int c = 0; c < 6; ++c) {
      line += ',';
      line += levels[c][cat[c]];
    }
    line += newsletter ? ",yes" : ",no";
    // Up to a year before 2026-11-01 (day 20,758 since the epoch), as a civil date.
    int64_t day = 20'758 - age_days;
    int64_t z_ = day + 719'468, era = z_ / 146'097, doe = z_ - era * 146'097;
    int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    char date[16];
    std::snprintf(date, sizeof date, ",%04d-%02d-%02d", static_cast<int>(y), static_cast<int>(m),
                  static_cast<int>(d));
    line += date;
    line += uniform(rng) < 1 / (1 + std::exp(-z)) ? ",1\n" : ",0\n";
    buffer += line;
    if (buffer.size() > (1 << 22)) {
      bytes += std::fwrite(buffer.data(), 1, buffer.size(), f);
      buffer.clear();
    }
  }
  bytes += std::fwrite(buffer.data(), 1, buffer.size(), f);
  if (std::fclose(f) != 0) {
    std::perror(path.c_str());
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("leadq_bench_learn_gen: %llu rows, %.1f MB, %.1f s -> %s\n",
              static_cast<unsigned long long>(rows), static_cast<double>(bytes) / 1e6, seconds,
              path.c_str());
  return 0;
}
