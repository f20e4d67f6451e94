// RFC 4180 CSV reading: quoted fields, doubled quotes, embedded newlines, LF or CRLF line ends,
// an optional UTF-8 byte-order mark. Fields are borrowed views into the file's bytes (or into
// the reader's own scratch space for fields that held doubled quotes), valid until the next row.
//
// CsvFile opens a file whole (memory-mapped), checks that it is UTF-8 and reads the header;
// CsvReader walks the rows of a byte range so that large files can be read by several threads
// (SplitCsvRows finds row boundaries).
//
// Example:
//   LEADQ_TRY(CsvFile file, CsvFile::Open("leads.csv"));
//   CsvReader reader(file.bytes(), file.body_begin(), file.bytes().size(), file.body_line());
//   while (reader.Next()) Use(reader.line(), reader.fields());
//   LEADQ_TRY(reader.status());
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace leadq {

// A read-only view of a whole file. Not copyable; movable.
class MappedFile {
 public:
  // Fails with a message naming the file when it does not exist, is a directory or cannot be
  // read.
  static Result<MappedFile> Open(const std::filesystem::path& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view bytes() const { return {data_, size_}; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  const char* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
};

// Reads the rows that start in [begin, end) of `data`. A row that starts before `end` is read to
// its end even past `end`. `first_line` is the 1-based physical line number at `begin`. Blank
// lines are skipped. Not thread-safe; use one reader per thread.
class CsvReader {
 public:
  CsvReader(std::string_view data, size_t begin, size_t end, int64_t first_line);

  // Reads the next row; false at the end of the range or on a malformed file (see status()).
  bool Next();
  std::span<const std::string_view> fields() const { return fields_; }
  // The physical line on which the current row starts.
  int64_t line() const { return row_line_; }
  // The offset just past the last row read (and any blank lines after it).
  size_t position() const { return pos_; }
  // Not ok when a quoted field was never closed.
  const Status& status() const { return status_; }

 private:
  bool SkipBlankLines();

  std::string_view data_;
  size_t pos_;
  size_t end_;
  int64_t line_;
  int64_t row_line_ = 0;
  std::vector<std::string_view> fields_;
  std::deque<std::string> scratch_;
  Status status_;
};

// Offsets that split [begin, data.size()) into at most `parts` ranges of whole rows, assuming
// quotes only open and close quoted fields. Returns parts+1 offsets or fewer (first is begin,
// last is data.size()). A reader of each range can confirm the split with position(). Ranges
// smaller than `min_bytes` are not split (threads cost more than they save).
std::vector<size_t> SplitCsvRows(std::string_view data, size_t begin, size_t parts,
                                 size_t min_bytes = 1 << 20);

// One column of a CSV header.
struct CsvColumn {
  std::string header;  // as written
  std::string key;     // ColumnKey(header); empty for an unnamed column
};

// A CSV file opened for reading: mapped, checked to be UTF-8, header read.
class CsvFile {
 public:
  // Fails, naming the file, when it is missing, a directory, empty, not UTF-8 (with line and
  // column of the first bad byte), has a malformed header or two headers with the same key.
  static Result<CsvFile> Open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return file_.path(); }
  std::string name() const { return file_.path().string(); }
  std::string_view bytes() const { return file_.bytes(); }
  const std::vector<CsvColumn>& columns() const { return columns_; }
  // Index of the column with this key, or -1.
  int FindColumn(std::string_view key) const;
  // Where the rows begin.
  size_t body_begin() const { return body_begin_; }
  int64_t body_line() const { return body_line_; }
  // True when there is nothing but the header.
  bool header_only() const;
  // The 1-based physical line on which the byte at `offset` lies (a LF ends its line). Reads at
  // most 64 KiB of the file.
  int64_t LineAt(size_t offset) const;

 private:
  MappedFile file_;
  std::vector<CsvColumn> columns_;
  size_t body_begin_ = 0;
  int64_t body_line_ = 2;
  std::vector<int64_t> block_newlines_;  // LFs in the file's first k + 1 blocks of 64 KiB
};

// 1-based line and column (in bytes) of an offset, for messages.
struct TextPosition {
  int64_t line = 1;
  int64_t column = 1;
};
TextPosition PositionOf(std::string_view data, size_t offset);

// One slice of a file's rows, for one thread: bytes [begin, end), starting on physical line
// first_line.
struct CsvChunk {
  size_t begin = 0;
  size_t end = 0;
  int64_t first_line = 0;
};

// Splits the rows of `csv` into at most `parts` chunks of whole rows (SplitCsvRows), each with
// the line it starts on. Uses all cores.
std::vector<CsvChunk> SplitCsvChunks(const CsvFile& csv, size_t parts);

// Reads every row of each chunk with on_row(chunk index, reader), chunks in parallel, rows in
// file order within a chunk. Fails with the first reader error (prefixed with the file name).
// Sets `consistent` to false when a reader's rows ended elsewhere than its chunk (a quote the
// splitter did not expect): split again in one piece and read again.
//
// Example:
//   for (size_t parts : {WorkerCount() * 4, size_t{1}}) {
//     std::vector<CsvChunk> chunks = SplitCsvChunks(csv, parts);
//     bool consistent = true;
//     LEADQ_TRY(ReadCsvChunks(csv, chunks, consistent, [&](size_t c, CsvReader& r) { ... }));
//     if (consistent) break;
//   }
Status ReadCsvChunks(const CsvFile& csv, std::span<const CsvChunk> chunks, bool& consistent,
                     const std::function<void(size_t, CsvReader&)>& on_row);

}  // namespace leadq
