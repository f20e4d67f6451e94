#include "engine/dataset.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "core/memory.h"
#include "core/parallel.h"
#include "core/text.h"

namespace leadq::engine {

const Column* ColumnSet::Find(std::string_view key) const {
  int i = IndexOf(key);
  return i < 0 ? nullptr : &columns[static_cast<size_t>(i)];
}

int ColumnSet::IndexOf(std::string_view key) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

namespace {

// ------------------------------------------------------------------ chunked reading

// One slice of a file's rows, read by one thread, with the problems of its rows.
struct Chunk : CsvChunk {
  RowIssues issues;
};

// Reads every row of `csv` with `on_row(chunk_index, reader)`, splitting the file across cores.
// Rows reach on_row in file order within a chunk; chunks are numbered in file order. When a
// quote the splitter did not expect makes the split disagree with the reader, the file is read
// again in one piece (on_reset clears what the first try produced).
Status ReadRows(const CsvFile& csv, std::vector<Chunk>& chunks,
                const std::function<void(size_t chunk_count)>& on_reset,
                const std::function<void(size_t, CsvReader&, RowIssues&)>& on_row) {
  for (size_t parts : {WorkerCount() * 4, size_t{1}}) {
    std::vector<CsvChunk> split = SplitCsvChunks(csv, parts);
    chunks.assign(split.size(), Chunk{});
    for (size_t i = 0; i < split.size(); ++i) static_cast<CsvChunk&>(chunks[i]) = split[i];
    on_reset(split.size());
    bool consistent = true;
    LEADQ_TRY(ReadCsvChunks(csv, split, consistent, [&](size_t i, CsvReader& reader) {
      on_row(i, reader, chunks[i].issues);
    }));
    if (consistent) return Status::Ok();
  }
  return Status::Internal(csv.name() + ": rows could not be split consistently");
}

// About how many rows chunk c holds (its lines; the last chunk's from the file's average).
size_t EstimatedRows(const std::vector<Chunk>& chunks, size_t c, size_t file_size) {
  if (c + 1 < chunks.size()) {
    return static_cast<size_t>(chunks[c + 1].first_line - chunks[c].first_line);
  }
  if (chunks.size() < 2) return 0;
  const double lines = static_cast<double>(chunks[c].first_line - chunks[0].first_line);
  const double bytes = static_cast<double>(chunks[c].begin - chunks[0].begin);
  return static_cast<size_t>(lines / bytes * static_cast<double>(file_size - chunks[c].begin)) + 16;
}

// Dictionary encoding of one column inside one chunk. Values are views into the file's bytes
// when the cell was read in place, otherwise copies owned here.
class LocalDictionary {
 public:
  uint32_t Code(std::string_view trimmed, std::string_view file_bytes) {
    if (trimmed.empty()) return 0;
    const uint64_t hash = HashBytes(trimmed);
    if (std::optional<uint32_t> code = map_.FindHashed(trimmed, hash)) return *code;
    std::string_view stable = trimmed;
    bool in_file = trimmed.data() >= file_bytes.data() &&
                   trimmed.data() + trimmed.size() <= file_bytes.data() + file_bytes.size();
    if (!in_file) stable = owned_.emplace_back(trimmed);
    auto code = static_cast<uint32_t>(values_.size());
    values_.push_back(stable);
    map_.InsertHashed(stable, hash, code);
    return code;
  }
  const std::vector<std::string_view>& values() const { return values_; }

 private:
  StringIndex map_;
  std::vector<std::string_view> values_{std::string_view()};
  std::deque<std::string> owned_;
};

// Merges chunk dictionaries into a global one (codes in order of first appearance in the file)
// and returns, for each chunk, the map from local to global codes.
std::vector<std::vector<uint32_t>> MergeDictionaries(
    const std::vector<const LocalDictionary*>& locals, std::vector<std::string>& global_values) {
  StringIndex global;  // borrows the local dictionaries' values
  std::vector<std::vector<uint32_t>> remaps(locals.size());
  global_values.assign(1, "");
  for (size_t c = 0; c < locals.size(); ++c) {
    const auto& values = locals[c]->values();
    remaps[c].resize(values.size(), 0);
    for (size_t i = 1; i < values.size(); ++i) {
      auto [code, fresh] = global.Insert(values[i], static_cast<uint32_t>(global_values.size()));
      if (fresh) global_values.emplace_back(values[i]);
      remaps[c][i] = code;
    }
  }
  return remaps;
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, 80));
  if (s.size() > 80) out += "...";
  out += "\"";
  return out;
}

// Where each wanted key is in the file: column index or -1.
std::vector<int> LocateColumns(const CsvFile& csv, const std::vector<std::string>& keys) {
  std::vector<int> where;
  where.reserve(keys.size());
  for (const std::string& k : keys) where.push_back(csv.FindColumn(k));
  return where;
}

void CheckRagged(const CsvReader& reader, size_t header_fields, std::string_view file,
                 RowIssues& issues) {
  size_t n = reader.fields().size();
  if (n != header_fields) {
    issues.Add("ragged row", false, file, reader.line(),
               std::to_string(n) + " fields where the header has " + std::to_string(header_fields) +
                   "; missing cells are read as missing");
  }
}

std::string_view Cell(const CsvReader& reader, int column) {
  if (column < 0 || static_cast<size_t>(column) >= reader.fields().size()) return {};
  return Trim(reader.fields()[static_cast<size_t>(column)]);
}

Status RequireColumn(const CsvFile& csv, std::string_view key, std::string_view what) {
  if (csv.FindColumn(key) >= 0) return Status::Ok();
  std::string have;
  for (const CsvColumn& c : csv.columns()) {
    if (c.key.empty()) continue;
    if (!have.empty()) have += ", ";
    have += c.key;
  }
  return Status::Invalid(csv.name() + ": no " + std::string(key) + " column (" + std::string(what) +
                         "); the header has: " + have);
}

// ------------------------------------------------------------------ keyed tables

// Rows of a table keyed by an id column (leads, accounts), before merging the chunks.
struct KeyedChunk {
  std::string scratch;  // a derived cell (email_domain) before it is encoded
  std::vector<std::string> ids;
  std::vector<int64_t> lines;
  std::vector<LocalDictionary> dicts;
  std::vector<std::vector<uint32_t>> codes;

  // Room for about `rows` rows up front: growing million-row columns costs copies and page
  // faults.
  void Reserve(size_t rows) {
    ReserveHuge(ids, rows);
    ReserveHuge(lines, rows);
    for (auto& c : codes) ReserveHuge(c, rows);
  }
};

// A keyed table read from a file: ids unique (first row wins), columns dictionary-encoded.
struct KeyedTable {
  std::vector<std::string> ids;
  std::vector<int64_t> lines;
  ColumnSet fields;
  StringIndex index;  // id -> row; borrows the bytes of ids longer than the slot holds
};

KeyedTable AssembleKeyed(std::vector<KeyedChunk>& parts, const std::vector<std::string>& keys,
                         const std::vector<bool>& in_file, std::string_view id_key,
                         std::string_view name, RowIssues& issues);

// email_domain is derived from email (MODEL.md "Derived field"): the part after the last '@',
// trimmed and lower-cased; missing without an '@'. Written into `buffer`, which it returns.
constexpr std::string_view kEmailDomain = "email_domain";

std::string_view DomainOf(std::string_view email, std::string& buffer) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view d = Trim(email.substr(at + 1));
  buffer.assign(d);
  for (char& c : buffer) c = AsciiLower(c);
  return buffer;
}

Result<KeyedTable> ReadKeyedTable(const CsvFile& csv, std::string_view id_key,
                                  std::string_view entity, const std::vector<std::string>& keys,
                                  RowIssues& issues) {
  LEADQ_TRY(RequireColumn(csv, id_key, "every " + std::string(entity) + " needs one"));
  const int id_col = csv.FindColumn(id_key);
  std::vector<int> cols = LocateColumns(csv, keys);
  std::vector<bool> derive(keys.size(), false);
  if (id_key == "lead_id") {
    for (size_t k = 0; k < keys.size(); ++k) {
      if (keys[k] == kEmailDomain) {
        derive[k] = true;
        cols[k] = csv.FindColumn("email");
      }
    }
  }
  const size_t header_fields = csv.columns().size();
  const std::string name = csv.name();
  const std::string_view bytes = csv.bytes();

  std::vector<Chunk> chunks;
  std::vector<KeyedChunk> parts;
  LEADQ_TRY(ReadRows(
      csv, chunks,
      [&](size_t n) {
        parts.clear();
        parts.resize(n);
        for (size_t c = 0; c < n; ++c) {
          KeyedChunk& p = parts[c];
          p.dicts.resize(keys.size());
          p.codes.resize(keys.size());
          p.Reserve(EstimatedRows(chunks, c, bytes.size()));
        }
      },
      [&](size_t chunk, CsvReader& reader, RowIssues& local) {
        KeyedChunk& p = parts[chunk];
        CheckRagged(reader, header_fields, name, local);
        std::string_view id = Cell(reader, id_col);
        if (id.empty()) {
          local.Add("missing " + std::string(id_key), true, name, reader.line(),
                    "no " + std::string(id_key) + "; row skipped");
          return;
        }
        p.ids.emplace_back(id);
        p.lines.push_back(reader.line());
        for (size_t k = 0; k < keys.size(); ++k) {
          std::string_view cell = Cell(reader, cols[k]);
          if (derive[k]) cell = DomainOf(cell, p.scratch);
          p.codes[k].push_back(p.dicts[k].Code(cell, bytes));
        }
      }));
  for (const Chunk& c : chunks) issues.Merge(c.issues);
  std::vector<bool> in_file;
  for (int c : cols) in_file.push_back(c >= 0);
  return AssembleKeyed(parts, keys, in_file, id_key, name, issues);
}

// Merges the chunks of a keyed table: global dictionaries, and ids unique (the first row of
// each id counts; later ones are reported).
KeyedTable AssembleKeyed(std::vector<KeyedChunk>& parts, const std::vector<std::string>& keys,
                         const std::vector<bool>& in_file, std::string_view id_key,
                         std::string_view name, RowIssues& issues) {
  KeyedTable table;
  size_t rows = 0;
  for (const KeyedChunk& p : parts) rows += p.ids.size();
  table.fields.columns.resize(keys.size());
  std::vector<std::vector<std::vector<uint32_t>>> remaps(keys.size());
  auto merge = [&](size_t k) {
    Column& col = table.fields.columns[k];
    col.key = keys[k];
    col.in_file = in_file[k];
    std::vector<const LocalDictionary*> locals(parts.size());
    for (size_t c = 0; c < parts.size(); ++c) locals[c] = &parts[c].dicts[k];
    remaps[k] = MergeDictionaries(locals, col.values);
  };
  // Columns are independent: merged on all cores, unless the table is small (the server binds
  // a lead or two per request; a thread costs more than that).
  if (rows < 65536) {
    for (size_t k = 0; k < keys.size(); ++k) merge(k);
  } else {
    ParallelTasks(keys.size(), merge);
  }

  // Ids must be unique: keep the first row of each id, in file order. The index that finds
  // duplicates is the table's id index.
  table.index.Reserve(rows);
  ReserveHuge(table.ids, rows);
  ReserveHuge(table.lines, rows);
  for (Column& col : table.fields.columns) ReserveHuge(col.codes, rows);
  for (size_t c = 0; c < parts.size(); ++c) {
    KeyedChunk& p = parts[c];
    for (size_t r = 0; r < p.ids.size(); ++r) {
      const auto row = static_cast<uint32_t>(table.ids.size());
      table.ids.push_back(std::move(p.ids[r]));
      auto [first, fresh] = table.index.Insert(table.ids.back(), row);
      if (!fresh) {
        issues.Add("duplicate " + std::string(id_key), true, name, p.lines[r],
                   std::string(id_key) + " " + Quoted(table.ids.back()) + " already on line " +
                       std::to_string(table.lines[first]) + "; row skipped, the first one counts");
        table.ids.pop_back();
        continue;
      }
      table.lines.push_back(p.lines[r]);
      for (size_t k = 0; k < keys.size(); ++k) {
        table.fields.columns[k].codes.push_back(remaps[k][c][p.codes[k][r]]);
      }
    }
  }
  return table;
}

// ------------------------------------------------------------------ events

struct EventChunk {
  std::vector<uint32_t> lead;
  std::vector<TimePoint> at;
  std::vector<uint32_t> type;
  std::vector<int64_t> lines;
  std::vector<std::string_view> ids;  // views into the file or into owned
  std::vector<uint64_t> id_hash;      // 0: no event_id
  std::deque<std::string> owned;
  LocalDictionary type_dict;
  std::vector<LocalDictionary> prop_dicts;
  std::vector<std::vector<uint32_t>> prop_codes;

  // Room for about `rows` events up front (see KeyedChunk::Reserve).
  void Reserve(size_t rows) {
    ReserveHuge(lead, rows);
    ReserveHuge(at, rows);
    ReserveHuge(type, rows);
    ReserveHuge(lines, rows);
    ReserveHuge(ids, rows);
    ReserveHuge(id_hash, rows);
    for (auto& c : prop_codes) ReserveHuge(c, rows);
  }
};

// Boundaries of `groups` contiguous runs of `chunks` chunks, one run per worker: run g is
// chunks [result[g], result[g + 1]).
std::vector<size_t> ChunkGroups(size_t chunks, size_t groups) {
  std::vector<size_t> begin(groups + 1);
  for (size_t g = 0; g <= groups; ++g) begin[g] = chunks * g / groups;
  return begin;
}

// Marks rows whose event_id repeats an earlier row's (file order). Rows are numbered across
// chunks in file order; chunk c's first row is chunk_start[c] (chunk_start has one more entry,
// the total). Ten million ids do not fit in any cache, so the rows are first
// partitioned by the high bits of their hash into buckets of a few thousand (file order kept
// within a bucket, both passes on all cores), and each bucket then finds its repeats with a
// table that stays in cache.
std::vector<uint8_t> FindDuplicateEvents(const std::vector<EventChunk>& parts,
                                         const std::vector<size_t>& chunk_start) {
  const size_t total = chunk_start.back();
  std::vector<uint8_t> duplicate(total, 0);
  auto id_of = [&](uint32_t row) {
    size_t c = static_cast<size_t>(std::upper_bound(chunk_start.begin(), chunk_start.end(), row) -
                                   chunk_start.begin() - 1);
    return parts[c].ids[row - chunk_start[c]];
  };

  int bits = 0;
  while (bits < 12 && (total >> (13 + bits)) > 0) ++bits;  // about 8,192 rows a bucket
  const size_t buckets = size_t{1} << bits;
  auto bucket_of = [&](uint64_t hash) { return bits == 0 ? 0 : hash >> (64 - bits); };
  const size_t groups =
      total < 65536 ? 1 : std::max<size_t>(1, std::min(WorkerCount(), parts.size()));
  const std::vector<size_t> group_begin = ChunkGroups(parts.size(), groups);

  // Pass 1: rows with an id per (group, bucket); then each (group, bucket)'s first entry.
  std::vector<std::vector<uint32_t>> place(groups, std::vector<uint32_t>(buckets, 0));
  ParallelTasks(groups, [&](size_t g) {
    for (size_t c = group_begin[g]; c < group_begin[g + 1]; ++c) {
      for (uint64_t h : parts[c].id_hash) {
        if (h != 0) ++place[g][bucket_of(h)];
      }
    }
  });
  std::vector<size_t> bucket_begin(buckets + 1, 0);
  size_t next = 0;
  for (size_t b = 0; b < buckets; ++b) {
    bucket_begin[b] = next;
    for (size_t g = 0; g < groups; ++g) {
      const uint32_t n = place[g][b];
      place[g][b] = static_cast<uint32_t>(next);
      next += n;
    }
  }
  bucket_begin[buckets] = next;

  // Pass 2: scatter (hash, row) into the buckets.
  struct Entry {
    uint64_t hash;
    uint32_t row;
  };
  std::vector<Entry> entries;
  ReserveHuge(entries, next);
  entries.resize(next);
  ParallelTasks(groups, [&](size_t g) {
    for (size_t c = group_begin[g]; c < group_begin[g + 1]; ++c) {
      const std::vector<uint64_t>& hashes = parts[c].id_hash;
      for (size_t r = 0; r < hashes.size(); ++r) {
        if (hashes[r] == 0) continue;
        entries[place[g][bucket_of(hashes[r])]++] = {hashes[r],
                                                     static_cast<uint32_t>(chunk_start[c] + r)};
      }
    }
  });

  // Pass 3: each bucket in file order; a row whose id an earlier row had is a repeat.
  ParallelTasks(groups, [&](size_t g) {
    std::vector<Entry> table;
    for (size_t b = buckets * g / groups; b < buckets * (g + 1) / groups; ++b) {
      const size_t n = bucket_begin[b + 1] - bucket_begin[b];
      size_t capacity = 16;
      while (capacity < 2 * n) capacity <<= 1;
      table.assign(capacity, Entry{0, 0});
      const size_t mask = capacity - 1;
      for (size_t e = bucket_begin[b]; e < bucket_begin[b + 1]; ++e) {
        const Entry& x = entries[e];
        for (size_t i = x.hash & mask;; i = (i + 1) & mask) {
          Entry& slot = table[i];
          if (slot.hash == 0) {
            slot = x;
            break;
          }
          if (slot.hash == x.hash && id_of(slot.row) == id_of(x.row)) {
            duplicate[x.row] = 1;
            break;
          }
        }
      }
    }
  });
  return duplicate;
}

// The events of `parts` grouped by lead. `unique`: no two share an event_id (no search for
// repeats; the parts need no ids or hashes unless needs.event_ids).
EventTable AssembleEvents(std::vector<EventChunk>& parts, size_t lead_count, const DataNeeds& needs,
                          const std::vector<bool>& in_file, bool unique);

Result<EventTable> ReadEvents(const CsvFile& csv, const LeadTable& leads, const DataNeeds& needs,
                              RowIssues& issues) {
  LEADQ_TRY(RequireColumn(csv, "lead_id", "the lead each event belongs to"));
  LEADQ_TRY(RequireColumn(csv, "type", "what happened"));
  LEADQ_TRY(RequireColumn(csv, "occurred_at", "when it happened"));
  const int lead_col = csv.FindColumn("lead_id");
  const int type_col = csv.FindColumn("type");
  const int at_col = csv.FindColumn("occurred_at");
  const int id_col = csv.FindColumn("event_id");
  const std::vector<int> prop_cols = LocateColumns(csv, needs.event_props);
  const size_t header_fields = csv.columns().size();
  const std::string name = csv.name();
  const std::string_view bytes = csv.bytes();

  std::vector<Chunk> chunks;
  std::vector<EventChunk> parts;
  LEADQ_TRY(ReadRows(
      csv, chunks,
      [&](size_t n) {
        parts.clear();
        parts.resize(n);
        for (size_t c = 0; c < n; ++c) {
          EventChunk& p = parts[c];
          p.prop_dicts.resize(needs.event_props.size());
          p.prop_codes.resize(needs.event_props.size());
          p.Reserve(EstimatedRows(chunks, c, bytes.size()));
        }
      },
      [&](size_t chunk, CsvReader& reader, RowIssues& local) {
        EventChunk& p = parts[chunk];
        CheckRagged(reader, header_fields, name, local);
        std::string_view lead_id = Cell(reader, lead_col);
        if (lead_id.empty()) {
          local.Add("missing lead_id", true, name, reader.line(), "no lead_id; event skipped");
          return;
        }
        std::optional<uint32_t> lead_row = leads.index.Find(lead_id);
        if (!lead_row) {
          local.Add("unknown lead_id", true, name, reader.line(),
                    "lead_id " + Quoted(lead_id) + " is not in the leads file; event skipped");
          return;
        }
        std::string_view when = Cell(reader, at_col);
        std::optional<TimePoint> at = ParseTimestamp(when);
        if (!at) {
          local.Add("unparsable occurred_at", true, name, reader.line(),
                    when.empty() ? std::string("no occurred_at; event skipped")
                                 : "occurred_at " + Quoted(when) +
                                       " is not an ISO 8601 time (2026-03-01T14:05:00Z); "
                                       "event skipped");
          return;
        }
        std::string_view type = Cell(reader, type_col);
        if (type.empty()) {
          local.Add("missing type", true, name, reader.line(), "no type; event skipped");
          return;
        }
        p.lead.push_back(*lead_row);
        p.at.push_back(*at);
        p.type.push_back(p.type_dict.Code(type, bytes));
        p.lines.push_back(reader.line());
        std::string_view id = Cell(reader, id_col);
        if (!id.empty() &&
            !(id.data() >= bytes.data() && id.data() + id.size() <= bytes.data() + bytes.size())) {
          id = p.owned.emplace_back(id);
        }
        p.ids.push_back(id);
        p.id_hash.push_back(id.empty() ? 0 : HashBytes(id));
        for (size_t k = 0; k < prop_cols.size(); ++k) {
          p.prop_codes[k].push_back(p.prop_dicts[k].Code(Cell(reader, prop_cols[k]), bytes));
        }
      }));
  for (const Chunk& c : chunks) issues.Merge(c.issues);
  std::vector<bool> in_file;
  for (int c : prop_cols) in_file.push_back(c >= 0);
  EventTable table = AssembleEvents(parts, leads.size(), needs, in_file, /*unique=*/false);
  table.file = name;
  return table;
}

// Merges the chunks of an events file: duplicates removed (the first event_id in file order
// counts), dictionaries merged, events grouped by lead in file order.
EventTable AssembleEvents(std::vector<EventChunk>& parts, size_t lead_count, const DataNeeds& needs,
                          const std::vector<bool>& in_file, bool unique) {
  EventTable table;
  std::vector<size_t> chunk_start(parts.size() + 1, 0);
  for (size_t c = 0; c < parts.size(); ++c) {
    chunk_start[c + 1] = chunk_start[c] + parts[c].lead.size();
  }
  const size_t total = chunk_start.back();
  std::vector<uint8_t> duplicate =
      unique ? std::vector<uint8_t>(total, 0) : FindDuplicateEvents(parts, chunk_start);

  // Global dictionaries.
  std::vector<const LocalDictionary*> locals(parts.size());
  for (size_t c = 0; c < parts.size(); ++c) locals[c] = &parts[c].type_dict;
  std::vector<std::vector<uint32_t>> type_remap = MergeDictionaries(locals, table.type_values);
  std::vector<std::vector<std::vector<uint32_t>>> prop_remap(needs.event_props.size());
  for (size_t k = 0; k < needs.event_props.size(); ++k) {
    Column& col = table.props.columns.emplace_back();
    col.key = needs.event_props[k];
    col.in_file = in_file[k];
    for (size_t c = 0; c < parts.size(); ++c) locals[c] = &parts[c].prop_dicts[k];
    prop_remap[k] = MergeDictionaries(locals, col.values);
  }

  // Group by lead: a stable counting sort (file order within a lead), in parallel. The chunks
  // are split into contiguous groups, one per worker; each group counts its events per lead,
  // the counts become each group's first slot per lead, and each group scatters its own rows.
  const size_t groups = std::max<size_t>(1, std::min(WorkerCount(), parts.size()));
  const std::vector<size_t> group_begin = ChunkGroups(parts.size(), groups);
  std::vector<std::vector<uint32_t>> slot(groups);  // per group: events per lead, then cursors
  ParallelTasks(groups, [&](size_t g) {
    ResizeHuge(slot[g], lead_count);
    uint32_t* count = slot[g].data();
    for (size_t c = group_begin[g]; c < group_begin[g + 1]; ++c) {
      const uint8_t* dup = duplicate.data() + chunk_start[c];
      const std::vector<uint32_t>& lead = parts[c].lead;
      for (size_t r = 0; r < lead.size(); ++r) count[lead[r]] += dup[r] == 0 ? 1 : 0;
    }
  });
  std::vector<uint32_t> begin;
  ResizeHuge(begin, lead_count + 1);
  // Per range of leads: the events in it; then, with the ranges' starts, every lead's begin and
  // each group's cursor for it.
  const size_t ranges = lead_count < 65536 ? 1 : WorkerCount() * 4;
  std::vector<uint64_t> range_total(ranges + 1, 0);
  auto range_lead = [&](size_t r) { return lead_count * r / ranges; };
  ParallelTasks(ranges, [&](size_t r) {
    uint64_t sum = 0;
    for (size_t g = 0; g < groups; ++g) {
      const uint32_t* count = slot[g].data();
      for (size_t l = range_lead(r); l < range_lead(r + 1); ++l) sum += count[l];
    }
    range_total[r + 1] = sum;
  });
  for (size_t r = 0; r < ranges; ++r) range_total[r + 1] += range_total[r];
  ParallelTasks(ranges, [&](size_t r) {
    auto next = static_cast<uint32_t>(range_total[r]);
    for (size_t l = range_lead(r); l < range_lead(r + 1); ++l) {
      begin[l] = next;
      for (size_t g = 0; g < groups; ++g) {
        const uint32_t n = slot[g][l];
        slot[g][l] = next;
        next += n;
      }
    }
  });
  const size_t kept = range_total[ranges];
  begin[lead_count] = static_cast<uint32_t>(kept);
  table.duplicates = total - kept;
  ResizeHuge(table.at, kept);
  ResizeHuge(table.type, kept);
  ResizeHuge(table.lines, kept);
  for (Column& col : table.props.columns) ResizeHuge(col.codes, kept);
  if (needs.event_ids) table.ids.resize(kept);
  ParallelTasks(groups, [&](size_t g) {
    uint32_t* cursor = slot[g].data();
    for (size_t c = group_begin[g]; c < group_begin[g + 1]; ++c) {
      const EventChunk& p = parts[c];
      const uint8_t* dup = duplicate.data() + chunk_start[c];
      for (size_t r = 0; r < p.lead.size(); ++r) {
        if (dup[r]) continue;
        const uint32_t dst = cursor[p.lead[r]]++;
        table.at[dst] = p.at[r];
        table.type[dst] = type_remap[c][p.type[r]];
        table.lines[dst] = p.lines[r];
        for (size_t k = 0; k < prop_remap.size(); ++k) {
          table.props.columns[k].codes[dst] = prop_remap[k][c][p.prop_codes[k][r]];
        }
        if (needs.event_ids) table.ids[dst] = std::string(p.ids[r]);
      }
    }
    slot[g] = {};
  });
  table.lead_begin = std::move(begin);
  // Freeing tens of millions of per-chunk entries is itself slow: do it on all cores.
  ParallelTasks(parts.size(), [&](size_t c) { parts[c] = EventChunk{}; });
  return table;
}

std::vector<std::string> WithKey(std::vector<std::string> keys, std::string_view key) {
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.emplace_back(key);
  return keys;
}

// The lead columns to read: the model's (email_domain is derived from the email column while
// reading), plus account_id for the join (when there are accounts).
std::vector<std::string> LeadColumnKeys(const DataNeeds& needs, bool with_account_id) {
  std::vector<std::string> keys = needs.lead_fields;
  if (with_account_id) keys = WithKey(keys, "account_id");
  return keys;
}

void InstallAccounts(Dataset& data, KeyedTable t, std::string file) {
  data.accounts.file = std::move(file);
  data.accounts.ids = std::move(t.ids);
  data.accounts.lines = std::move(t.lines);
  data.accounts.fields = std::move(t.fields);
  data.accounts.index = std::move(t.index);
  data.has_accounts = true;
}

// Installs the leads: indexes ids and joins accounts through the
// account_id column (when there are accounts).
void InstallLeads(Dataset& data, KeyedTable t, std::string file) {
  LeadTable& table = data.leads;
  table.file = std::move(file);
  table.ids = std::move(t.ids);
  table.lines = std::move(t.lines);
  table.fields = std::move(t.fields);
  table.index = std::move(t.index);
  table.account.assign(table.ids.size(), -1);
  const Column* account_id = table.fields.Find("account_id");
  if (data.has_accounts && account_id != nullptr) {
    std::vector<int32_t> row_of(account_id->values.size(), -1);
    for (size_t v = 1; v < account_id->values.size(); ++v) {
      std::optional<uint32_t> row = data.accounts.index.Find(account_id->values[v]);
      if (row) row_of[v] = static_cast<int32_t>(*row);
    }
    for (size_t r = 0; r < table.ids.size(); ++r) {
      uint32_t code = account_id->codes[r];
      table.account[r] = row_of[code];
      if (code != 0 && row_of[code] < 0) ++data.leads_with_unknown_account;
    }
  }
}

void InstallNoEvents(Dataset& data) {
  data.events.lead_begin.assign(data.leads.size() + 1, 0);
  data.events.type_values.assign(1, "");
}

}  // namespace

Result<Dataset> LoadDataset(const CsvFile& leads, const CsvFile* accounts, const CsvFile* events,
                            const DataNeeds& needs, RowIssues& issues) {
  Dataset data;
  if (accounts != nullptr) {
    LEADQ_TRY(KeyedTable t,
              ReadKeyedTable(*accounts, "account_id", "account", needs.account_fields, issues));
    InstallAccounts(data, std::move(t), accounts->name());
  }
  LEADQ_TRY(KeyedTable t, ReadKeyedTable(leads, "lead_id", "lead",
                                         LeadColumnKeys(needs, accounts != nullptr), issues));
  InstallLeads(data, std::move(t), leads.name());
  if (events != nullptr) {
    LEADQ_TRY(data.events, ReadEvents(*events, data.leads, needs, issues));
    data.has_events = true;
  } else {
    InstallNoEvents(data);
  }
  return data;
}

// ------------------------------------------------------------------ DatasetBuilder

struct DatasetBuilder::State {
  enum class Phase { kAccounts, kLeads, kEvents };
  Phase phase = Phase::kAccounts;
  DataNeeds needs;
  std::string source;
  std::vector<std::string> lead_keys;  // LeadColumnKeys(needs, true)
  size_t lead_value_count = 0;         // values Add* receives: lead_keys without account_id
  Dataset data;
  std::vector<KeyedChunk> accounts{1};
  std::vector<KeyedChunk> leads{1};
  std::vector<EventChunk> events{1};
  RowIssues issues;
  uint64_t unknown_lead_events = 0;
  int64_t row = 0;
  bool unique_events = false;  // EventsAreUnique
  // The lead of the last event added: a store gives a lead's events one after the other.
  std::string last_lead;
  std::optional<uint32_t> last_lead_row;
};

DatasetBuilder::DatasetBuilder(const DataNeeds& needs, std::string source)
    : state_(std::make_unique<State>()) {
  state_->needs = needs;
  state_->source = std::move(source);
  state_->lead_keys = LeadColumnKeys(needs, true);
  state_->lead_value_count = state_->lead_keys.size() - 1;
  state_->accounts[0].dicts.resize(needs.account_fields.size());
  state_->accounts[0].codes.resize(needs.account_fields.size());
  state_->leads[0].dicts.resize(state_->lead_keys.size());
  state_->leads[0].codes.resize(state_->lead_keys.size());
  state_->events[0].prop_dicts.resize(needs.event_props.size());
  state_->events[0].prop_codes.resize(needs.event_props.size());
}

DatasetBuilder::~DatasetBuilder() = default;

std::vector<std::string> DatasetBuilder::lead_keys() const {
  std::vector<std::string> keys(
      state_->lead_keys.begin(),
      state_->lead_keys.begin() + static_cast<ptrdiff_t>(state_->lead_value_count));
  for (std::string& k : keys) {
    if (k == kEmailDomain) k = "email";  // derived while adding
  }
  return keys;
}

void DatasetBuilder::Reserve(size_t accounts, size_t leads, size_t events) {
  state_->accounts[0].Reserve(accounts);
  state_->leads[0].Reserve(leads);
  state_->events[0].Reserve(events);
}

void DatasetBuilder::EventsAreUnique() { state_->unique_events = true; }

void DatasetBuilder::AddAccount(std::string_view id, std::span<const std::string_view> values) {
  KeyedChunk& p = state_->accounts[0];
  p.ids.emplace_back(Trim(id));
  p.lines.push_back(++state_->row);
  for (size_t k = 0; k < p.codes.size(); ++k) {
    p.codes[k].push_back(
        p.dicts[k].Code(k < values.size() ? Trim(values[k]) : std::string_view(), {}));
  }
}

void DatasetBuilder::FinishAccounts() {
  if (state_->phase != State::Phase::kAccounts) return;
  std::vector<bool> in_file(state_->needs.account_fields.size(), true);
  KeyedTable t = AssembleKeyed(state_->accounts, state_->needs.account_fields, in_file,
                               "account_id", state_->source, state_->issues);
  InstallAccounts(state_->data, std::move(t), state_->source);
  state_->accounts.clear();
  state_->phase = State::Phase::kLeads;
  state_->row = 0;
}

void DatasetBuilder::AddLead(std::string_view id, std::string_view account_id,
                             std::span<const std::string_view> values) {
  FinishAccounts();
  KeyedChunk& p = state_->leads[0];
  p.ids.emplace_back(Trim(id));
  p.lines.push_back(++state_->row);
  const size_t n = state_->lead_value_count;
  for (size_t k = 0; k < n; ++k) {
    std::string_view cell = k < values.size() ? Trim(values[k]) : std::string_view();
    if (state_->lead_keys[k] == kEmailDomain) cell = DomainOf(cell, p.scratch);
    p.codes[k].push_back(p.dicts[k].Code(cell, {}));
  }
  p.codes[n].push_back(p.dicts[n].Code(Trim(account_id), {}));
}

void DatasetBuilder::FinishLeads() {
  FinishAccounts();
  if (state_->phase != State::Phase::kLeads) return;
  std::vector<bool> in_file(state_->lead_keys.size(), true);
  KeyedTable t = AssembleKeyed(state_->leads, state_->lead_keys, in_file, "lead_id", state_->source,
                               state_->issues);
  InstallLeads(state_->data, std::move(t), state_->source);
  state_->leads.clear();
  state_->phase = State::Phase::kEvents;
  state_->row = 0;
}

void DatasetBuilder::AddEvent(std::string_view event_id, std::string_view lead_id,
                              std::string_view type, TimePoint occurred_at,
                              std::span<const std::string_view> props) {
  FinishLeads();
  ++state_->row;
  const std::string_view lead = Trim(lead_id);
  if (lead != state_->last_lead || state_->row == 1) {
    state_->last_lead.assign(lead);
    state_->last_lead_row = state_->data.leads.index.Find(lead);
  }
  const std::optional<uint32_t> lead_row = state_->last_lead_row;
  if (!lead_row) {
    ++state_->unknown_lead_events;
    return;
  }
  EventChunk& p = state_->events[0];
  p.lead.push_back(*lead_row);
  p.at.push_back(occurred_at);
  p.type.push_back(p.type_dict.Code(Trim(type), {}));
  p.lines.push_back(state_->row);
  if (!state_->unique_events || state_->needs.event_ids) {
    std::string_view id = Trim(event_id);
    if (!id.empty()) id = p.owned.emplace_back(id);
    p.ids.push_back(id);
    p.id_hash.push_back(id.empty() || state_->unique_events ? 0 : HashBytes(id));
  }
  for (size_t k = 0; k < p.prop_codes.size(); ++k) {
    p.prop_codes[k].push_back(
        p.prop_dicts[k].Code(k < props.size() ? Trim(props[k]) : std::string_view(), {}));
  }
}

const DataNeeds& DatasetBuilder::needs() const { return state_->needs; }

Dataset DatasetBuilder::Finish(RowIssues& issues) {
  FinishLeads();
  std::vector<bool> in_file(state_->needs.event_props.size(), true);
  state_->data.events = AssembleEvents(state_->events, state_->data.leads.size(), state_->needs,
                                       in_file, state_->unique_events);
  state_->data.events.file = state_->source;
  state_->data.has_events = true;
  issues.Merge(state_->issues);
  issues.Count("event of an unknown lead", true, state_->unknown_lead_events);
  return std::move(state_->data);
}

}  // namespace leadq::engine
