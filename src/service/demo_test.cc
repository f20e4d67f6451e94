#include "service/demo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/text.h"
#include "core/time.h"
#include "model/model.h"

namespace leadq::service {
namespace {

namespace fs = std::filesystem;

const TimePoint kAsOf = *ParseTimestamp("2026-03-01T00:00:00Z");

// A fresh directory for one test, removed afterwards.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view name)
      : path_(fs::path(::testing::TempDir()) / ("leadq_demo_test_" + std::string(name))) {
    fs::remove_all(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A CSV file as a header and rows of strings, read with the project's own reader.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  size_t Column(std::string_view key) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == key) return i;
    }
    ADD_FAILURE() << "no column " << key;
    return 0;
  }
};

Table ReadTable(const fs::path& path) {
  Table table;
  Result<CsvFile> file = CsvFile::Open(path);
  EXPECT_TRUE(file.ok()) << file.status().message();
  if (!file.ok()) return table;
  for (const CsvColumn& column : file->columns()) table.header.push_back(column.key);
  CsvReader reader(file->bytes(), file->body_begin(), file->bytes().size(), file->body_line());
  while (reader.Next()) {
    table.rows.emplace_back(reader.fields().begin(), reader.fields().end());
    EXPECT_EQ(table.rows.back().size(), table.header.size()) << path << ":" << reader.line();
  }
  EXPECT_TRUE(reader.status().ok()) << reader.status().message();
  return table;
}

// The quoted strings of the model's `<name> = [...]` list line.
std::set<std::string> ModelList(std::string_view name) {
  std::string_view toml = kDemoModelToml;
  size_t at = toml.find("\n" + std::string(name) + " = [");
  EXPECT_NE(at, std::string_view::npos) << name;
  std::string_view line = toml.substr(at + 1, toml.find('\n', at + 1) - at - 1);
  std::set<std::string> values;
  for (size_t open = line.find('"'); open != std::string_view::npos;) {
    size_t close = line.find('"', open + 1);
    values.emplace(line.substr(open + 1, close - open - 1));
    open = line.find('"', close + 1);
  }
  return values;
}

DemoOptions Options(size_t leads, uint64_t seed) {
  DemoOptions options;
  options.leads = leads;
  options.seed = seed;
  options.as_of = kAsOf;
  return options;
}

const char* const kFiles[] = {"model.toml", "free-mail.txt", "accounts.csv",
                              "leads.csv",  "events.csv",    "deals.csv"};

TEST(WriteDemoDataTest, SameSeedWritesIdenticalBytes) {
  ScratchDir a("same_a");
  ScratchDir b("same_b");
  ASSERT_TRUE(WriteDemoData(Options(400, 7), a.path()).ok());
  ASSERT_TRUE(WriteDemoData(Options(400, 7), b.path()).ok());
  for (const char* name : kFiles) {
    std::string bytes = ReadBytes(a.path() / name);
    EXPECT_FALSE(bytes.empty()) << name;
    EXPECT_EQ(bytes, ReadBytes(b.path() / name)) << name;
  }
}

TEST(WriteDemoDataTest, DifferentSeedsWriteDifferentData) {
  ScratchDir a("seed_a");
  ScratchDir b("seed_b");
  ASSERT_TRUE(WriteDemoData(Options(400, 1), a.path()).ok());
  ASSERT_TRUE(WriteDemoData(Options(400, 2), b.path()).ok());
  for (const char* name : {"accounts.csv", "leads.csv", "events.csv", "deals.csv"}) {
    EXPECT_NE(ReadBytes(a.path() / name), ReadBytes(b.path() / name)) << name;
  }
  EXPECT_EQ(ReadBytes(a.path() / "model.toml"), ReadBytes(b.path() / "model.toml"));
}

TEST(WriteDemoDataTest, WritesTheDocumentedColumnsAndRowCounts) {
  ScratchDir dir("counts");
  ASSERT_TRUE(WriteDemoData(Options(1000, 42), dir.path()).ok());
  Table accounts = ReadTable(dir.path() / "accounts.csv");
  Table leads = ReadTable(dir.path() / "leads.csv");
  Table events = ReadTable(dir.path() / "events.csv");
  EXPECT_EQ(accounts.header,
            (std::vector<std::string>{"account_id", "name", "domain", "industry", "employees",
                                      "country", "region", "annual_revenue", "tech_stack"}));
  EXPECT_EQ(leads.header, (std::vector<std::string>{
                              "lead_id", "account_id", "first_name", "last_name", "email",
                              "job_title", "department", "country", "channel", "source", "consent",
                              "do_not_contact", "unsubscribed", "duplicate_of", "created_at"}));
  EXPECT_EQ(events.header, (std::vector<std::string>{"event_id", "lead_id", "type", "occurred_at",
                                                     "page", "asset", "campaign"}));
  EXPECT_EQ(accounts.rows.size(), 250u);
  ASSERT_EQ(leads.rows.size(), 1000u);
  EXPECT_EQ(leads.rows.front()[0], "L000001");
  EXPECT_EQ(leads.rows.back()[0], "L001000");
  EXPECT_GT(events.rows.size(), 5 * leads.rows.size());
  EXPECT_EQ(events.rows.front()[0], "E00000001");
}

TEST(WriteDemoDataTest, DealsBelongToLeadsAndCloseBeforeTheEnd) {
  ScratchDir dir("deals");
  ASSERT_TRUE(WriteDemoData(Options(2000, 42), dir.path()).ok());
  Table leads = ReadTable(dir.path() / "leads.csv");
  Table deals = ReadTable(dir.path() / "deals.csv");
  EXPECT_EQ(deals.header,
            (std::vector<std::string>{"deal_id", "lead_id", "account_id", "owner", "status",
                                      "created_at", "closed_at", "value", "lost_reason"}));
  std::map<std::string, std::pair<std::string, std::string>> lead_info;  // account, created
  for (const auto& row : leads.rows) {
    lead_info[row[leads.Column("lead_id")]] = {row[leads.Column("account_id")],
                                               row[leads.Column("created_at")]};
  }
  std::map<std::string, int> by_status;
  for (const auto& row : deals.rows) {
    const std::string& status = row[deals.Column("status")];
    ++by_status[status];
    auto it = lead_info.find(row[deals.Column("lead_id")]);
    ASSERT_NE(it, lead_info.end()) << row[0];
    EXPECT_EQ(row[deals.Column("account_id")], it->second.first) << row[0];
    TimePoint created = *ParseTimestamp(row[deals.Column("created_at")]);
    EXPECT_GT(created, *ParseTimestamp(it->second.second)) << row[0];
    EXPECT_LT(created, kAsOf);
    const std::string& closed = row[deals.Column("closed_at")];
    EXPECT_EQ(closed.empty(), status == "open") << row[0];
    if (!closed.empty()) {
      EXPECT_LT(*ParseTimestamp(closed), kAsOf);
    }
    EXPECT_EQ(row[deals.Column("lost_reason")].empty(), status != "lost") << row[0];
  }
  EXPECT_GT(by_status["won"], 20);
  EXPECT_GT(by_status["lost"], 20);
  EXPECT_GT(by_status["open"], 5);
}

TEST(WriteDemoDataTest, EveryReferenceResolves) {
  ScratchDir dir("references");
  ASSERT_TRUE(WriteDemoData(Options(800, 42), dir.path()).ok());
  Table accounts = ReadTable(dir.path() / "accounts.csv");
  Table leads = ReadTable(dir.path() / "leads.csv");
  Table events = ReadTable(dir.path() / "events.csv");

  std::set<std::string> account_ids;
  for (const auto& row : accounts.rows) EXPECT_TRUE(account_ids.insert(row[0]).second) << row[0];
  std::set<std::string> lead_ids;
  size_t without_account = 0;
  size_t account_column = leads.Column("account_id");
  for (const auto& row : leads.rows) {
    EXPECT_TRUE(lead_ids.insert(row[0]).second) << row[0];
    const std::string& account = row[account_column];
    if (account.empty()) {
      ++without_account;
    } else {
      EXPECT_TRUE(account_ids.count(account)) << row[0] << " names account " << account;
    }
  }
  EXPECT_GT(without_account, 0u);
  size_t duplicate_column = leads.Column("duplicate_of");
  for (const auto& row : leads.rows) {
    const std::string& original = row[duplicate_column];
    if (!original.empty()) {
      EXPECT_LT(original, row[0]) << "a duplicate points back in time";
    }
  }
  for (const auto& row : events.rows) {
    EXPECT_TRUE(lead_ids.count(row[1])) << row[0] << " names lead " << row[1];
  }
}

TEST(WriteDemoDataTest, EventsAreSortedBeforeAsOfWithExactDuplicates) {
  ScratchDir dir("events");
  ASSERT_TRUE(WriteDemoData(Options(800, 42), dir.path()).ok());
  Table events = ReadTable(dir.path() / "events.csv");
  ASSERT_FALSE(events.rows.empty());
  TimePoint previous = 0;
  TimePoint earliest = kAsOf;
  std::map<std::string, std::vector<std::string>> by_id;
  size_t duplicates = 0;
  for (const auto& row : events.rows) {
    std::optional<TimePoint> at = ParseTimestamp(row[3]);
    ASSERT_TRUE(at.has_value()) << row[3];
    EXPECT_GE(*at, previous) << row[0];
    EXPECT_LE(*at, kAsOf) << row[0];
    previous = *at;
    earliest = std::min(earliest, *at);
    auto [it, inserted] = by_id.emplace(row[0], row);
    if (!inserted) {
      ++duplicates;
      EXPECT_EQ(it->second, row) << "a repeated event_id repeats the whole row";
    }
  }
  EXPECT_GT(duplicates, 0u);
  EXPECT_LT(duplicates, events.rows.size() / 100);
  // Activity reaches back beyond the model's 180-day window, but not much further.
  EXPECT_LT(earliest, kAsOf - 180 * kMicrosPerDay);
  EXPECT_GT(earliest, kAsOf - 300 * kMicrosPerDay);
}

TEST(WriteDemoDataTest, DataExercisesTheModel) {
  ScratchDir dir("exercise");
  ASSERT_TRUE(WriteDemoData(Options(2000, 42), dir.path()).ok());
  Table accounts = ReadTable(dir.path() / "accounts.csv");
  Table leads = ReadTable(dir.path() / "leads.csv");
  Table events = ReadTable(dir.path() / "events.csv");

  std::set<std::string> competitors = ModelList("competitors");
  std::set<std::string> embargoed = ModelList("embargoed");
  ASSERT_FALSE(competitors.empty());
  ASSERT_FALSE(embargoed.empty());
  std::set<std::string> free_mail;
  std::istringstream lines{std::string(kDemoFreeMail)};
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] != '#') free_mail.insert(line);
  }

  std::map<std::string, size_t> seen;
  size_t email = leads.Column("email");
  for (const auto& row : leads.rows) {
    std::string domain = AsciiLower(row[email].substr(row[email].rfind('@') + 1));
    if (competitors.count(domain)) ++seen["competitor"];
    if (free_mail.count(domain)) ++seen["free mail"];
    if (embargoed.count(row[leads.Column("country")])) ++seen["embargoed"];
    if (row[leads.Column("consent")] == "no") ++seen["no consent"];
    if (row[leads.Column("do_not_contact")] == "true") ++seen["do not contact"];
    if (row[leads.Column("unsubscribed")] == "true") ++seen["unsubscribed"];
    if (!row[leads.Column("duplicate_of")].empty()) ++seen["duplicate"];
    ++seen["channel " + row[leads.Column("channel")]];
  }
  for (const auto& row : accounts.rows) ++seen["industry " + row[accounts.Column("industry")]];
  for (const auto& row : events.rows) {
    ++seen["type " + row[2]];
    if (row[4].find("/pricing") != std::string::npos) ++seen["pricing"];
  }
  for (const char* expected : {"competitor",
                               "free mail",
                               "embargoed",
                               "no consent",
                               "do not contact",
                               "unsubscribed",
                               "duplicate",
                               "channel inbound",
                               "channel outbound",
                               "channel partner",
                               "channel event",
                               "industry Software",
                               "industry Fintech",
                               "industry Healthcare",
                               "industry Manufacturing",
                               "type page_view",
                               "type email_open",
                               "type email_click",
                               "type content_download",
                               "type webinar_attended",
                               "type demo_request",
                               "type trial_signup",
                               "type booth_scan",
                               "type email_bounce",
                               "type unsubscribe",
                               "pricing"}) {
    EXPECT_GT(seen[expected], 0u) << expected;
  }
}

TEST(WriteDemoDataTest, WritesTheEmbeddedModelThatLoads) {
  ScratchDir dir("model");
  ASSERT_TRUE(WriteDemoData(Options(10, 42), dir.path()).ok());
  EXPECT_EQ(ReadBytes(dir.path() / "model.toml"), std::string(kDemoModelToml));
  EXPECT_EQ(ReadBytes(dir.path() / "free-mail.txt"), std::string(kDemoFreeMail));
  EXPECT_NE(kDemoModelToml.find("[[disqualify]]"), std::string_view::npos);
  EXPECT_NE(kDemoFreeMail.find("gmail.com"), std::string_view::npos);

  Result<model::Model> loaded = model::LoadModel(dir.path() / "model.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_FALSE(loaded->name.empty());
  const model::NamedList* free_mail = loaded->FindList("free_mail");
  ASSERT_NE(free_mail, nullptr);
  EXPECT_GT(free_mail->values.size(), 20u);
}

TEST(WriteDemoDataTest, ZeroLeadsWritesHeadersOnly) {
  ScratchDir dir("empty");
  ASSERT_TRUE(WriteDemoData(Options(0, 42), dir.path()).ok());
  EXPECT_TRUE(ReadTable(dir.path() / "leads.csv").rows.empty());
  EXPECT_TRUE(ReadTable(dir.path() / "accounts.csv").rows.empty());
  EXPECT_TRUE(ReadTable(dir.path() / "events.csv").rows.empty());
}

TEST(WriteDemoDataTest, FailsNamingThePathWhenItIsAFile) {
  ScratchDir dir("blocked");
  fs::create_directories(dir.path());
  fs::path file = dir.path() / "not-a-directory";
  std::ofstream(file) << "x";
  Status status = WriteDemoData(Options(10, 42), file / "demo");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find(file.string()), std::string::npos) << status.message();
}

}  // namespace
}  // namespace leadq::service
