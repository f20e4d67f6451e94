#include "core/csv.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
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
    // MAP_POPULATE: the pages of a file in the page cache are mapped in one pass rather than
    // fault by fault as the readers reach them (less system time on a 325 MB file).
    void* p = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
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

namespace {

// The first byte at or after `pos` that is a comma, LF or CR, or `n`. Eight bytes at a time: a
// byte of `word` equals c exactly where word ^ (c in every byte) has a zero byte, and the lowest
// flagged byte of the zero-byte test is exact (only bytes above a true zero can be flagged
// falsely). Most cells are shorter than eight bytes, so one word usually decides.
static_assert(std::endian::native == std::endian::little, "the lowest byte comes first");
size_t FindFieldEnd(const char* d, size_t pos, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto zero_bytes = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  while (pos + 8 <= n) {
    uint64_t word;
    std::memcpy(&word, d + pos, 8);
    uint64_t hits = zero_bytes(word ^ (kOnes * ',')) | zero_bytes(word ^ (kOnes * '\n')) |
                    zero_bytes(word ^ (kOnes * '\r'));
    if (hits != 0) return pos + static_cast<size_t>(std::countr_zero(hits)) / 8;
    pos += 8;
  }
  while (pos < n && d[pos] != ',' && d[pos] != '\n' && d[pos] != '\r') ++pos;
  return pos;
}

}  // namespace

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
  if (!scratch_.empty()) scratch_.clear();
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
      while (true) {
        pos_ = FindFieldEnd(d, pos_, n);
        // A lone CR is part of the field.
        if (pos_ < n && d[pos_] == '\r' && !(pos_ + 1 < n && d[pos_ + 1] == '\n')) {
          ++pos_;
          continue;
        }
        break;
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

// The LF count of each kLineBlock-byte block of a file is kept, so that the line of any
// offset is found by reading at most one block (CsvFile::LineAt).
constexpr size_t kLineBlock = size_t{1} << 16;

// Checks that `bytes` are UTF-8, on all cores for a large file, and counts the LFs of each block
// into `block_newlines` (resized to the block count). Returns the offset of the first invalid
// byte, or npos. A block's check starts at its first byte that is not a continuation byte and
// reads its last character whole, so that no character is cut in two; the bytes that shift
// between blocks are continuation bytes, never LFs, so each block's count is its own.
size_t CheckUtf8AndCountLines(std::string_view bytes, std::vector<int64_t>& block_newlines) {
  const size_t n = bytes.size();
  const size_t blocks = (n + kLineBlock - 1) / kLineBlock;
  block_newlines.assign(blocks, 0);
  auto start_of = [&](size_t block) {
    size_t c = std::min(n, block * kLineBlock);
    for (int k = 0; k < 3 && c < n && (static_cast<unsigned char>(bytes[c]) & 0xC0) == 0x80; ++k) {
      ++c;
    }
    return block == 0 ? 0 : c;
  };
  const size_t parts = n < (8u << 20) ? 1 : std::min(blocks, WorkerCount() * 4);
  std::vector<size_t> found(parts, std::string_view::npos);
  ParallelTasks(parts, [&](size_t part) {
    const size_t first = blocks * part / parts;
    const size_t last = blocks * (part + 1) / parts;
    for (size_t b = first; b < last; ++b) {
      const size_t begin = start_of(b);
      const size_t end = std::max(begin, start_of(b + 1));
      size_t at = FindInvalidUtf8(bytes.substr(begin, end - begin), block_newlines[b]);
      if (at != std::string_view::npos) {
        found[part] = begin + at;
        return;
      }
    }
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
  size_t bad = CheckUtf8AndCountLines(bytes, csv.block_newlines_);
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
  for (size_t b = 1; b < csv.block_newlines_.size(); ++b) {
    csv.block_newlines_[b] += csv.block_newlines_[b - 1];
  }
  csv.body_begin_ = header.position();
  csv.body_line_ = csv.LineAt(csv.body_begin_);
  return csv;
}

int64_t CsvFile::LineAt(size_t offset) const {
  std::string_view bytes = this->bytes();
  offset = std::min(offset, bytes.size());
  const size_t block = offset / kLineBlock;
  const int64_t before = block == 0 ? 0 : block_newlines_[block - 1];
  return 1 + before +
         std::count(bytes.begin() + static_cast<ptrdiff_t>(block * kLineBlock),
                    bytes.begin() + static_cast<ptrdiff_t>(offset), '\n');
}

int CsvFile::FindColumn(std::string_view key) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (!key.empty() && columns_[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

bool CsvFile::header_only() const { return Trim(bytes().substr(body_begin_)).empty(); }

std::vector<CsvChunk> SplitCsvChunks(const CsvFile& csv, size_t parts) {
  std::vector<size_t> cuts = SplitCsvRows(csv.bytes(), csv.body_begin(), parts);
  std::vector<CsvChunk> chunks(cuts.size() - 1);
  for (size_t i = 0; i < chunks.size(); ++i) {
    chunks[i] = {cuts[i], cuts[i + 1], csv.LineAt(cuts[i])};
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
