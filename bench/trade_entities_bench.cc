// leadq_bench_trade_entities: the time trade::ResolveEntities takes on synthetic consignee names
// shaped like Chinese and Mexican manifests, where a few city and trade words begin most names
// ("SHENZHEN ...", "NINGBO ...", "AUTOPARTES ..."): the worst case for blocking by prefix. Each
// company appears in four spellings (legal forms, punctuation, word order, a typo), all at the
// company's one address (the evidence a near match needs; the lookup costs a vector read). Prints
// the best of 3 runs on WorkerCount() threads (set LEADQ_THREADS=1 for one core).
//
//   leadq_bench_trade_entities [--spellings N]   (default 200000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/parallel.h"
#include "trade/entities.h"

namespace {

// Spellings, and per spelling the company it belongs to.
std::vector<leadq::trade::Spelling> Generate(size_t spellings, std::vector<uint32_t>& company) {
  // Skewed first words: half of the names start with one of three.
  static const char* const kCities[] = {"SHENZHEN", "SHENZHEN",  "SHENZHEN",   "NINGBO",
                                        "NINGBO",   "GUANGZHOU", "AUTOPARTES", "YIWU",
                                        "XIAMEN",   "TIANJIN",   "QINGDAO",    "REFACCIONES"};
  // Pinyin-like syllables: 19 initials x 6 finals, 114 in all.
  static const char* const kInitials[] = {"B", "P", "M", "F", "D",  "T",  "N",  "L", "G", "K",
                                          "H", "J", "Q", "X", "ZH", "CH", "SH", "Z", "Y"};
  static const char* const kFinals[] = {"A", "AI", "AN", "ANG", "ENG", "ONG"};
  static const char* const kTrades[] = {"AUTO PARTS", "TRADING",           "INDUSTRIAL",
                                        "MACHINERY",  "IMPORT AND EXPORT", "TECHNOLOGY",
                                        "ELECTRONICS"};
  std::mt19937 rng(2026);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<leadq::trade::Spelling> out;
  out.reserve(spellings + 4);
  while (out.size() < spellings) {
    std::string brand;
    for (size_t s = 0, n = 2 + pick(2); s < n; ++s) {
      brand += std::string(kInitials[pick(19)]) + kFinals[pick(6)];
    }
    const std::string city = kCities[pick(12)];
    const std::string country = city == "AUTOPARTES" || city == "REFACCIONES" ? "MX" : "CN";
    const std::string trade = kTrades[pick(7)];
    const std::string base = city + " " + brand + " " + trade;
    out.push_back({country, base + " CO., LTD.", 20});
    out.push_back({country, base + " CO LTD", 5});
    out.push_back({country, brand + " " + trade + " " + city + " LIMITED", 2});
    std::string typo = base;
    typo[city.size() + 1 + pick(brand.size())] = 'Q';
    out.push_back({country, typo + " CO LTD", 1});
    company.resize(out.size(), static_cast<uint32_t>(out.size() / 4 - 1));
  }
  out.resize(spellings);
  company.resize(spellings);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  size_t spellings = 200000;
  if (argc == 3 && std::string_view(argv[1]) == "--spellings") {
    spellings = static_cast<size_t>(std::strtoull(argv[2], nullptr, 10));
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: leadq_bench_trade_entities [--spellings N]\n");
    return 2;
  }
  std::vector<uint32_t> company;
  const std::vector<leadq::trade::Spelling> in = Generate(spellings, company);
  leadq::trade::EvidenceLookup facts = [&](std::span<const uint32_t> asked) {
    leadq::trade::Evidence e;
    e.facts.reserve(asked.size());
    for (uint32_t s : asked) e.facts.push_back({company[s]});
    e.names.resize(company.empty() ? 0 : company.back() + 1);
    for (size_t c = 0; c < e.names.size(); ++c) e.names[c] = "address " + std::to_string(c);
    return e;
  };
  double best = 1e30;
  size_t entities = 0;
  for (int run = 0; run < 3; ++run) {
    auto start = std::chrono::steady_clock::now();
    leadq::trade::Resolution r = leadq::trade::ResolveEntities(in, {}, facts);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, seconds);
    entities = r.entities.size();
  }
  std::printf("spellings %zu  entities %zu  threads %zu  best of 3: %.3f s  (%.0f spellings/s)\n",
              in.size(), entities, leadq::WorkerCount(), best, in.size() / best);
  return 0;
}
