#include "core/csv.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "core/parallel.h"
#include "core/text.h"

namespace leadq {

// ---------------------------------------------------------------- MappedFile

Result<MappedFile> MappedFile::Open(const std::filesystem::path& path) {
  const std::string name = path.string();
  int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(name + ": no such file");
    return Status::IoError(name + ": cannot open: " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IoError(name + ": cannot read: " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::Invalid(name + ": is a directory, not a file");
  }
  MappedFile file;
  file.path_ = path;
  file.size_ = static_cast<size_t>(st.st_size);
  if (file.size_ > 0) {
    void* p = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return Status::IoError(name + ": cannot read: " + std::strerror(err));
    }
    ::madvise(p, file.size_, MADV_SEQUENTIAL);
    file.data_ = static_cast<const char*>(p);
    file.mapped_ = true;
  }
  ::close(fd);
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (mapped_) ::munmap(const_cast<char*>(data_), size_);
    path_ = std::move(other.path_);
    data_ = other.data_;
    size_ = other.size_;
    mapped_ = other.mapped_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.mapped_ = false;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (mapped_) ::munmap(const_cast<char*>(data_), size_);
}

// ---------------------------------------------------------------- CsvReader

CsvReader::CsvReader(std::string_view data, size_t begin, size_t end, int64_t first_line)
    : data_(data), pos_(begin), end_(std::min(end, data.size())), line_(first_line) {}

bool CsvReader::SkipBlankLines() {
  const size_t n = data_.size();
  while (pos_ < end_) {
    char c = data_[pos_];
    if (c == '\n') {
      ++pos_;
      ++line_;
    } else if (c == '\r' && pos_ + 1 < n && data_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
    } else {
      return true;
    }
  }
  return false;
}

bool CsvReader::Next() {
  fields_.clear();
  scratch_.clear();
  if (!status_.ok() || !SkipBlankLines()) return false;
  row_line_ = line_;
  const char* d = data_.data();
  const size_t n = data_.size();
  while (true) {
    if (pos_ < n && d[pos_] == '"') {
      // Quoted field: runs to the next quote that is not doubled.
      const int64_t open_line = line_;
      size_t start = ++pos_;
      bool doubled = false;
      size_t close;
      while (true) {
        const void* q = std::memchr(d + pos_, '"', n - pos_);
        if (q == nullptr) {
          status_ = Status::Invalid("line " + std::to_string(open_line) +
                                    ": a quoted field is never closed");
          return false;
        }
        close = static_cast<size_t>(static_cast<const char*>(q) - d);
        line_ += std::count(d + pos_, d + close, '\n');
        if (close + 1 < n && d[close + 1] == '"') {
          doubled = true;
          pos_ = close + 2;
          continue;
        }
        pos_ = close + 1;
        break;
      }
      std::string_view field(d + start, close - start);
      // Text after the closing quote (not RFC 4180) is kept as part of the field.
      size_t tail = pos_;
      while (pos_ < n && d[pos_] != ',' && d[pos_] != '\n' &&
             !(d[pos_] == '\r' && pos_ + 1 < n && d[pos_ + 1] == '\n')) {
        ++pos_;
      }
      if (doubled || tail != pos_) {
        std::string& s = scratch_.emplace_back();
        s.reserve(field.size() + (pos_ - tail));
        for (size_t i = 0; i < field.size(); ++i) {
          s.push_back(field[i]);
          if (field[i] == '"') ++i;  // skip the second of a doubled quote
        }
        s.append(d + tail, pos_ - tail);
        field = s;
      }
      fields_.push_back(field);
    } else {
      size_t start = pos_;
      while (pos_ < n) {
        char c = d[pos_];
        if (c == ',' || c == '\n') break;
        if (c == '\r' && pos_ + 1 < n && d[pos_ + 1] == '\n') break;
        ++pos_;
      }
      fields_.emplace_back(d + start, pos_ - start);
    }
    if (pos_ >= n) break;
    char c = d[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    // End of row.
    pos_ += (c == '\r') ? 2 : 1;
    ++line_;
    break;
  }
  // Leave pos_ after any blank lines so that position() marks where the next row starts.
  SkipBlankLines();
  return true;
}

std::vector<size_t> SplitCsvRows(std::string_view data, size_t begin, size_t parts,
                                 size_t min_bytes) {
  std::vector<size_t> cuts{begin};
  const size_t n = data.size();
  if (parts <= 1 || n - begin < min_bytes) {
    cuts.push_back(n);
    return cuts;
  }
  const char* d = data.data();
  size_t pos = begin;
  bool in_quotes = false;
  for (size_t k = 1; k < parts; ++k) {
    size_t target = begin + (n - begin) * k / parts;
    if (target <= pos) continue;
    // Track quote parity up to the target.
    while (true) {
      const void* q = std::memchr(d + pos, '"', target - pos);
      if (q == nullptr) break;
      pos = static_cast<size_t>(static_cast<const char*>(q) - d) + 1;
      in_quotes = !in_quotes;
    }
    pos = target;
    // Find the next newline outside quotes.
    while (pos < n) {
      char c = d[pos++];
      if (c == '"') {
        in_quotes = !in_quotes;
      } else if (c == '\n' && !in_quotes) {
        break;
      }
    }
    if (pos >= n) break;
    cuts.push_back(pos);
  }
  cuts.push_back(n);
  return cuts;
}

// ---------------------------------------------------------------- CsvFile

namespace {

// FindInvalidUtf8 over slices of a large file on all cores. Slices start at a byte that is not
// a continuation byte, so that no character is cut in two.
size_t FindInvalidUtf8Parallel(std::string_view bytes) {
  const size_t n = bytes.size();
  const size_t parts = n < (8u << 20) ? 1 : WorkerCount();
  std::vector<size_t> cuts{0};
  for (size_t k = 1; k < parts; ++k) {
    size_t c = std::max(cuts.back(), n * k / parts);
    for (int back = 0; back < 3 && c < n && (static_cast<unsigned char>(bytes[c]) & 0xC0) == 0x80;
         ++back) {
      ++c;
    }
    cuts.push_back(c);
  }
  cuts.push_back(n);
  std::vector<size_t> found(parts, std::string_view::npos);
  ParallelTasks(parts, [&](size_t i) {
    size_t at = FindInvalidUtf8(bytes.substr(cuts[i], cuts[i + 1] - cuts[i]));
    if (at != std::string_view::npos) found[i] = cuts[i] + at;
  });
  for (size_t f : found) {
    if (f != std::string_view::npos) return f;
  }
  return std::string_view::npos;
}

}  // namespace

TextPosition PositionOf(std::string_view data, size_t offset) {
  TextPosition p;
  offset = std::min(offset, data.size());
  p.line = 1 + std::count(data.begin(), data.begin() + static_cast<ptrdiff_t>(offset), '\n');
  size_t line_start = data.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = (line_start == std::string_view::npos || offset == 0) ? 0 : line_start + 1;
  p.column = static_cast<int64_t>(offset - line_start) + 1;
  return p;
}

Result<CsvFile> CsvFile::Open(const std::filesystem::path& path) {
  CsvFile csv;
  LEADQ_TRY(csv.file_, MappedFile::Open(path));
  const std::string name = path.string();
  std::string_view bytes = csv.file_.bytes();
  size_t begin = 0;
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") begin = 3;
  if (Trim(bytes.substr(begin)).empty()) {
    return Status::Invalid(name + ": the file is empty; expected a header row");
  }
  size_t bad = FindInvalidUtf8Parallel(bytes);
  if (bad != std::string_view::npos) {
    TextPosition p = PositionOf(bytes, bad);
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(bytes[bad]));
    return Status::Invalid(name + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) +
                           ": not UTF-8 (byte " + hex +
                           "); save the file as UTF-8 (for example with iconv -f latin1 -t utf-8)");
  }
  CsvReader header(bytes, begin, bytes.size(), 1);
  if (!header.Next()) {
    if (!header.status().ok()) return header.status().WithPrefix(name);
    return Status::Invalid(name + ": the file is empty; expected a header row");
  }
  std::unordered_map<std::string, size_t> seen;
  for (std::string_view h : header.fields()) {
    CsvColumn col{std::string(Trim(h)), ColumnKey(h)};
    if (!col.key.empty()) {
      auto [it, fresh] = seen.emplace(col.key, csv.columns_.size());
      if (!fresh) {
        const CsvColumn& first = csv.columns_[it->second];
        return Status::Invalid(name + ":" + std::to_string(header.line()) + ": columns " +
                               std::to_string(it->second + 1) + " (\"" + first.header + "\") and " +
                               std::to_string(csv.columns_.size() + 1) + " (\"" + col.header +
                               "\") have the same key \"" + col.key + "\"; rename one of them");
      }
    }
    csv.columns_.push_back(std::move(col));
  }
  csv.body_begin_ = header.position();
  csv.body_line_ = 1 + std::count(bytes.begin(), bytes.begin() + csv.body_begin_, '\n');
  return csv;
}

int CsvFile::FindColumn(std::string_view key) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (!key.empty() && columns_[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

bool CsvFile::header_only() const { return Trim(bytes().substr(body_begin_)).empty(); }

std::vector<CsvChunk> SplitCsvChunks(const CsvFile& csv, size_t parts) {
  std::string_view bytes = csv.bytes();
  std::vector<size_t> cuts = SplitCsvRows(bytes, csv.body_begin(), parts);
  const size_t n = cuts.size() - 1;
  std::vector<int64_t> newlines(n, 0);
  ParallelTasks(n, [&](size_t i) {
    newlines[i] = std::count(bytes.begin() + static_cast<ptrdiff_t>(cuts[i]),
                             bytes.begin() + static_cast<ptrdiff_t>(cuts[i + 1]), '\n');
  });
  std::vector<CsvChunk> chunks(n);
  int64_t line = csv.body_line();
  for (size_t i = 0; i < n; ++i) {
    chunks[i] = {cuts[i], cuts[i + 1], line};
    line += newlines[i];
  }
  return chunks;
}

Status ReadCsvChunks(const CsvFile& csv, std::span<const CsvChunk> chunks, bool& consistent,
                     const std::function<void(size_t, CsvReader&)>& on_row) {
  std::vector<Status> statuses(chunks.size());
  std::vector<size_t> stopped(chunks.size());
  ParallelTasks(chunks.size(), [&](size_t i) {
    CsvReader reader(csv.bytes(), chunks[i].begin, chunks[i].end, chunks[i].first_line);
    while (reader.Next()) on_row(i, reader);
    statuses[i] = reader.status();
    stopped[i] = reader.position();
  });
  consistent = true;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (!statuses[i].ok()) return statuses[i].WithPrefix(csv.name());
    if (stopped[i] != chunks[i].end) consistent = false;
  }
  return Status::Ok();
}

}  // namespace leadq
