// leadq_bench_predict: the throughput of analytics::Predictor alone, without reading or writing
// files: the CSV's rows are split into cells in memory first, then every row is predicted on 1
// thread and on WorkerCount() threads (best of 3 runs each).
//
//   leadq_bench_predict --model MODEL.json --data FILE.csv
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/predictor.h"
#include "core/csv.h"
#include "core/parallel.h"

int main(int argc, char** argv) {
  if (argc != 5 || std::string_view(argv[1]) != "--model" ||
      std::string_view(argv[3]) != "--data") {
    std::fprintf(stderr, "usage: leadq_bench_predict --model MODEL.json --data FILE.csv\n");
    return 2;
  }
  using leadq::analytics::Predictor;
  leadq::Result<leadq::analytics::LearnedModel> model = leadq::analytics::ReadLearnedModel(argv[2]);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().message().c_str());
    return 1;
  }
  leadq::Result<leadq::CsvFile> csv = leadq::CsvFile::Open(argv[4]);
  if (!csv.ok()) {
    std::fprintf(stderr, "%s\n", csv.status().message().c_str());
    return 1;
  }
  std::vector<std::string> keys;
  for (const leadq::CsvColumn& c : csv->columns()) keys.push_back(c.key);
  const size_t width = keys.size();
  // Cells of every row, flat (views into the mapped file; the bench files have no quotes).
  std::vector<std::string_view> cells;
  leadq::CsvReader reader(csv->bytes(), csv->body_begin(), csv->bytes().size(), csv->body_line());
  while (reader.Next()) {
    auto f = reader.fields();
    for (size_t i = 0; i < width; ++i) cells.push_back(i < f.size() ? f[i] : std::string_view());
  }
  const size_t rows = cells.size() / width;
  Predictor predictor = Predictor::Bind(*model, keys, nullptr);
  const leadq::TimePoint as_of = predictor.ReferenceTime();
  for (size_t threads : {size_t{1}, leadq::WorkerCount()}) {
    double best = 1e30, checksum = 0;
    for (int run = 0; run < 3; ++run) {
      std::vector<double> sums(threads, 0);
      auto start = std::chrono::steady_clock::now();
      leadq::ParallelFor(
          rows,
          [&](size_t begin, size_t end, size_t part) {
            double sum = 0;
            for (size_t r = begin; r < end; ++r) {
              sum += predictor.Predict(std::span(cells).subspan(r * width, width), as_of);
            }
            sums[part] = sum;
          },
          threads);
      best = std::min(
          best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      checksum = 0;
      for (double s : sums) checksum += s;
    }
    std::printf("predictor: %zu rows, %zu thread(s): %.3f s, %.0f rows/s (mean p %.4f)\n", rows,
                threads, best, static_cast<double>(rows) / best,
                checksum / static_cast<double>(rows));
  }
  return 0;
}
