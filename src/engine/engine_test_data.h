// Test support: a model and CSV text turned into a loaded, compiled data set, through the same
// loaders the product uses (files are written to the test's temporary directory).
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "core/csv.h"
#include "core/time.h"
#include "engine/compiled_model.h"
#include "engine/dataset.h"
#include "engine/score.h"
#include "model/model.h"

namespace leadq::engine::testing_support {

struct Loaded {
  model::Model model;
  Dataset data;
  CompiledModel compiled;
  RowIssues issues;
};

// A directory of this test's own: ctest runs tests in parallel processes that share TempDir().
inline std::filesystem::path TestDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      ("leadq-" + std::to_string(::getpid()) + "-" +
       (info ? std::string(info->test_suite_name()) + "." + info->name() : std::string("global")));
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::filesystem::path WriteTemp(const std::string& name, std::string_view text) {
  std::filesystem::path p = TestDir() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

// Fails the test (and returns null) when the model or a file is refused.
inline std::unique_ptr<Loaded> Load(std::string_view toml, std::string_view leads,
                                    std::optional<std::string_view> events = std::nullopt,
                                    std::optional<std::string_view> accounts = std::nullopt) {
  auto out = std::make_unique<Loaded>();
  Result<model::Model> m = model::ParseModel(toml, WriteTemp("model.toml", toml));
  EXPECT_TRUE(m.ok()) << m.status().message();
  if (!m.ok()) return nullptr;
  out->model = std::move(*m);
  Result<CsvFile> lf = CsvFile::Open(WriteTemp("leads.csv", leads));
  EXPECT_TRUE(lf.ok()) << lf.status().message();
  if (!lf.ok()) return nullptr;
  std::optional<CsvFile> ef, af;
  if (events) {
    Result<CsvFile> f = CsvFile::Open(WriteTemp("events.csv", *events));
    EXPECT_TRUE(f.ok()) << f.status().message();
    if (!f.ok()) return nullptr;
    ef = std::move(*f);
  }
  if (accounts) {
    Result<CsvFile> f = CsvFile::Open(WriteTemp("accounts.csv", *accounts));
    EXPECT_TRUE(f.ok()) << f.status().message();
    if (!f.ok()) return nullptr;
    af = std::move(*f);
  }
  DataNeeds needs = NeedsOf(out->model);
  needs.event_ids = true;
  Result<Dataset> d =
      LoadDataset(*lf, af ? &*af : nullptr, ef ? &*ef : nullptr, needs, out->issues);
  EXPECT_TRUE(d.ok()) << d.status().message();
  if (!d.ok()) return nullptr;
  out->data = std::move(*d);
  out->compiled = CompileModel(out->model, out->data);
  return out;
}

inline TimePoint At(const char* s) { return ParseTimestamp(s).value(); }

}  // namespace leadq::engine::testing_support
