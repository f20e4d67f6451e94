#include "core/csv.h"
#include "core/text.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <random>

namespace leadq {
namespace {

std::vector<std::vector<std::string>> ReadAll(std::string_view data,
                                              std::vector<int64_t>* lines = nullptr) {
  std::vector<std::vector<std::string>> rows;
  CsvReader reader(data, 0, data.size(), 1);
  while (reader.Next()) {
    rows.emplace_back(reader.fields().begin(), reader.fields().end());
    if (lines) lines->push_back(reader.line());
  }
  EXPECT_TRUE(reader.status().ok()) << reader.status().message();
  return rows;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReader, QuotesDoubledQuotesAndEmbeddedNewlines) {
  std::vector<int64_t> lines;
  Rows rows = ReadAll("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\n", &lines);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"last", "", ""}));
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 4}));
}

TEST(CsvReader, CrlfAndMissingFinalNewline) {
  Rows rows = ReadAll("a,b\r\n1,2\r\n3,4");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"3", "4"}));
}

TEST(CsvReader, BlankLinesAreSkippedAndLinesCounted) {
  std::vector<int64_t> lines;
  Rows rows = ReadAll("a\n\n1\r\n\r\n2\n", &lines);
  EXPECT_EQ(rows.size(), 3u);
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 3, 5}));
}

TEST(CsvReader, RaggedRowsKeepTheirFields) {
  Rows rows = ReadAll("a,b,c\n1\n1,2,3,4\n");
  EXPECT_EQ(rows[1].size(), 1u);
  EXPECT_EQ(rows[2].size(), 4u);
}

TEST(CsvReader, UnclosedQuoteIsAnErrorWithItsLine) {
  std::string_view data = "a,b\n1,\"open\n2,3\n";
  CsvReader reader(data, 0, data.size(), 1);
  while (reader.Next()) {
  }
  ASSERT_FALSE(reader.status().ok());
  EXPECT_NE(reader.status().message().find("line 2"), std::string::npos)
      << reader.status().message();
}

TEST(CsvReader, TextAfterClosingQuoteIsKept) {
  Rows rows = ReadAll("\"ab\"cd,e\n");
  EXPECT_EQ(rows[0], (std::vector<std::string>{"abcd", "e"}));
}

TEST(SplitCsvRows, ChunksReadLikeTheWhole) {
  std::string data = "id,text\n";
  for (int i = 0; i < 60000; ++i) {
    data += std::to_string(i) + ",\"line with, comma and \"\"quotes\"\"\nand a newline\"\n";
  }
  std::vector<size_t> cuts = SplitCsvRows(data, 8, 7, /*min_bytes=*/0);
  ASSERT_GT(cuts.size(), 2u);
  size_t rows = 0;
  int64_t line = 2;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    CsvReader reader(data, cuts[i], cuts[i + 1], line);
    while (reader.Next()) {
      ASSERT_EQ(reader.fields().size(), 2u);
      EXPECT_EQ(reader.fields()[0], std::to_string(rows));
      EXPECT_EQ(reader.line(), 2 + 2 * static_cast<int64_t>(rows));
      ++rows;
    }
    EXPECT_EQ(reader.position(), cuts[i + 1]);
    line = 2 + 2 * static_cast<int64_t>(rows);
  }
  EXPECT_EQ(rows, 60000u);
}

// Property: any table written with AppendCsvField reads back the same, whole or split into
// chunks, whatever the fields hold (quotes, commas, CR, LF, CRLF, spaces, UTF-8).
TEST(CsvReader, RandomTablesRoundTripWholeAndSplit) {
  std::mt19937_64 rng(20261123);
  const std::vector<std::string> alphabet = {"a",    "Z",  "0",  " ", ",", "\"",  "\n",
                                             "\r\n", "\r", "\t", "é", "€", "x,y", "\"\""};
  for (int round = 0; round < 40; ++round) {
    const size_t columns = 1 + rng() % 5;
    const size_t rows = 1 + rng() % 400;
    std::vector<std::vector<std::string>> table;
    std::string data;
    for (size_t r = 0; r < rows; ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < columns; ++c) {
        std::string field;
        size_t len = rng() % 6;
        for (size_t k = 0; k < len; ++k) field += alphabet[rng() % alphabet.size()];
        if (c > 0) data += ',';
        AppendCsvField(data, field);
        row.push_back(field);
      }
      // A row that is one empty field is written as an empty line, which readers skip.
      if (columns == 1 && row[0].empty()) data += "\"\"";
      data += (rng() % 2) ? "\n" : "\r\n";
      table.push_back(row);
    }
    EXPECT_EQ(ReadAll(data), table) << "round " << round;
    std::vector<size_t> cuts = SplitCsvRows(data, 0, 1 + rng() % 6, /*min_bytes=*/0);
    std::vector<std::vector<std::string>> split;
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      CsvReader reader(data, cuts[i], cuts[i + 1], 1);
      while (reader.Next()) split.emplace_back(reader.fields().begin(), reader.fields().end());
      EXPECT_EQ(reader.position(), cuts[i + 1]);
    }
    EXPECT_EQ(split, table) << "round " << round;
  }
}

// Unquoted cells of every length around the reader's eight-byte steps, with a lone CR inside
// (part of the cell) and rows ending in LF or CRLF.
TEST(CsvReader, UnquotedCellsOfEveryLength) {
  std::mt19937_64 rng(8);
  std::vector<std::vector<std::string>> table;
  std::string data;
  for (size_t r = 0; r < 300; ++r) {
    std::vector<std::string> row;
    const size_t columns = 1 + rng() % 4;
    for (size_t c = 0; c < columns; ++c) {
      std::string cell;
      const size_t len = rng() % 20;
      for (size_t k = 0; k < len; ++k) {
        bool cr = k > 0 && k + 1 < len && rng() % 6 == 0;
        cell += cr ? '\r' : static_cast<char>('a' + rng() % 26);
      }
      if (columns == 1 && cell.empty()) cell = "x";  // an empty row is a blank line
      if (c > 0) data += ',';
      data += cell;
      row.push_back(cell);
    }
    data += (rng() % 2) ? "\n" : "\r\n";
    table.push_back(row);
  }
  EXPECT_EQ(ReadAll(data), table);
  data.pop_back();  // the last row without its line end
  if (data.back() == '\r') data.pop_back();
  EXPECT_EQ(ReadAll(data), table);
}

class CsvFileTest : public testing::Test {
 protected:
  std::filesystem::path Write(const std::string& name, std::string_view content) {
    std::filesystem::path dir =
        std::filesystem::path(testing::TempDir()) / ("leadq-csv-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::filesystem::path p = dir / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
};

TEST_F(CsvFileTest, BomHeaderKeysAndBody) {
  auto p = Write("bom.csv", "\xEF\xBB\xBFLead ID,Total Time Spent\r\nL1,5\r\n");
  Result<CsvFile> f = CsvFile::Open(p);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->columns()[0].key, "lead_id");
  EXPECT_EQ(f->FindColumn("total_time_spent"), 1);
  EXPECT_EQ(f->body_line(), 2);
  EXPECT_FALSE(f->header_only());
}

TEST_F(CsvFileTest, DuplicateKeysAreRefused) {
  auto p = Write("dup.csv", "Lead ID,lead-id\n1,2\n");
  Result<CsvFile> f = CsvFile::Open(p);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("same key \"lead_id\""), std::string::npos)
      << f.status().message();
}

TEST_F(CsvFileTest, ClearMessagesForUnusableFiles) {
  EXPECT_NE(CsvFile::Open(Write("empty.csv", "")).status().message().find("empty"),
            std::string::npos);
  EXPECT_NE(CsvFile::Open(Write("bom-only.csv", "\xEF\xBB\xBF\n")).status().message().find("empty"),
            std::string::npos);
  EXPECT_NE(CsvFile::Open("/nonexistent/x.csv").status().message().find("no such file"),
            std::string::npos);
  EXPECT_NE(CsvFile::Open(testing::TempDir()).status().message().find("is a directory"),
            std::string::npos);
  Result<CsvFile> latin1 = CsvFile::Open(Write("latin1.csv", "lead_id,name\nL1,Jos\xE9\n"));
  ASSERT_FALSE(latin1.ok());
  EXPECT_NE(latin1.status().message().find(":2:7: not UTF-8"), std::string::npos)
      << latin1.status().message();
  Result<CsvFile> header_only = CsvFile::Open(Write("header.csv", "lead_id\n"));
  ASSERT_TRUE(header_only.ok());
  EXPECT_TRUE(header_only->header_only());
}

// A file large enough to be checked on every core (over 8 MiB), with characters of two to four
// bytes at every position against the 64 KiB blocks whose LFs are counted: every line found is
// the line counted from the start, and a bad byte is reported where it is.
TEST_F(CsvFileTest, LinesOfALargeFileAndItsChunks) {
  std::mt19937_64 rng(9);
  const std::vector<std::string> pieces = {
      "a", "bc", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", ",", "\n", "\r\n"};
  std::string data = "id,text\n";
  while (data.size() < (9u << 20)) data += pieces[rng() % pieces.size()];
  data += "\n";
  Result<CsvFile> f = CsvFile::Open(Write("large.csv", data));
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->body_line(), PositionOf(data, f->body_begin()).line);
  for (int i = 0; i < 100; ++i) {
    size_t offset = rng() % (data.size() + 1);
    ASSERT_EQ(f->LineAt(offset), PositionOf(data, offset).line) << offset;
  }
  for (size_t offset : {size_t{0}, size_t{65535}, size_t{65536}, size_t{65537}, data.size()}) {
    EXPECT_EQ(f->LineAt(offset), PositionOf(data, offset).line) << offset;
  }
  for (const CsvChunk& chunk : SplitCsvChunks(*f, 7)) {
    EXPECT_EQ(chunk.first_line, PositionOf(data, chunk.begin).line) << chunk.begin;
  }
  for (size_t at : {size_t{65536 * 40 - 1}, size_t{65536 * 100}, data.size() - 2}) {
    std::string bad = data;
    bad[at] = '\xFF';
    Result<CsvFile> broken = CsvFile::Open(Write("bad.csv", bad));
    ASSERT_FALSE(broken.ok());
    // A bad byte inside a character is reported at the character's first byte.
    const std::string m = broken.status().message();
    bool found = false;
    for (size_t lead = at - 3; lead <= at; ++lead) {
      TextPosition p = PositionOf(bad, lead);
      found |= m.find(":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ":") !=
               std::string::npos;
    }
    EXPECT_TRUE(found) << m << " for a bad byte at " << at;
  }
}

}  // namespace
}  // namespace leadq
