#include "service/import.h"

#include <fstream>
#include <functional>

#include "core/parallel.h"
#include "core/string_index.h"
#include "core/text.h"

namespace leadq::service {
namespace {

constexpr size_t kBatch = 20'000;

// The columns of one file after mapping.
struct Layout {
  std::vector<std::string> keys;  // per column; empty: unused
  int Find(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return static_cast<int>(i);
    }
    return -1;
  }
};

std::string_view CellAt(const CsvReader& reader, int column) {
  if (column < 0 || static_cast<size_t>(column) >= reader.fields().size()) return {};
  return Trim(reader.fields()[static_cast<size_t>(column)]);
}

Status Require(const CsvFile& csv, const Layout& layout, std::string_view key,
               const Mapping& mapping) {
  if (layout.Find(key) >= 0) return Status::Ok();
  std::string have;
  for (const std::string& k : layout.keys) {
    if (k.empty()) continue;
    if (!have.empty()) have += ", ";
    have += k;
  }
  return Status::Invalid(csv.name() + ": no " + std::string(key) + " column" +
                         (mapping.name.empty() ? std::string() : " after mapping " + mapping.name) +
                         "; the columns are: " + have +
                         ". Rename the column or map it with --map FILE ([columns] " +
                         std::string(key) + " = \"Your header\")");
}

// Free-form fields: every mapped column but the ones a kind uses itself; empty cells skipped.
std::vector<store::Field> FreeFields(const CsvReader& reader, const Layout& layout,
                                     const std::vector<std::string>& reserved,
                                     const Mapping& mapping) {
  std::vector<store::Field> fields;
  for (size_t i = 0; i < layout.keys.size(); ++i) {
    const std::string& key = layout.keys[i];
    if (key.empty() || std::find(reserved.begin(), reserved.end(), key) != reserved.end()) {
      continue;
    }
    std::string_view v = CellAt(reader, static_cast<int>(i));
    if (v.empty()) continue;
    fields.push_back({key, std::string(mapping.MapValue(key, v))});
  }
  return fields;
}

std::optional<TimePoint> OptionalTime(std::string_view cell, bool& bad) {
  bad = false;
  if (cell.empty()) return std::nullopt;
  std::optional<TimePoint> t = ParseTimestamp(cell);
  if (!t) bad = true;
  return t;
}

RejectedRow Rejected(const CsvReader& reader, std::string reason) {
  return {reader.line(), std::move(reason),
          std::vector<std::string>(reader.fields().begin(), reader.fields().end())};
}

// "3 fields where the header has 4", or empty when the row has as many fields as the header.
std::string FieldCountProblem(const CsvReader& reader, size_t header_fields) {
  if (reader.fields().size() == header_fields) return {};
  return std::to_string(reader.fields().size()) + " fields where the header has " +
         std::to_string(header_fields);
}

// The events of a file, read on all cores: each chunk of rows fills a batch and a list of
// rejects of its own, joined in file order afterwards.
struct EventReading {
  store::EventBatch batch;
  std::vector<RejectedRow> rejects;
  uint64_t rows = 0;
};

Result<EventReading> ReadEvents(const CsvFile& csv, const Layout& layout, const Mapping& mapping,
                                const StringIndex& lead_ids) {
  const int lead_col = layout.Find("lead_id");
  const int type_col = layout.Find("type");
  const int at_col = layout.Find("occurred_at");
  const int event_id_col = layout.Find("event_id");
  const size_t header_fields = csv.columns().size();
  std::vector<std::string> keys;  // the free-form columns
  std::vector<int> columns;       // their positions
  std::vector<bool> mapped;       // whether the mapping has a value table for the column
  for (size_t i = 0; i < layout.keys.size(); ++i) {
    const std::string& key = layout.keys[i];
    if (key.empty() || key == "event_id" || key == "lead_id" || key == "type" ||
        key == "occurred_at") {
      continue;
    }
    keys.push_back(key);
    columns.push_back(static_cast<int>(i));
    mapped.push_back(mapping.values.count(key) > 0);
  }
  const bool type_mapped = mapping.values.count("type") > 0;
  // Cells are views into the file, which outlives the batch, unless the reader had to unquote
  // them; mapped values are views into the mapping.
  const std::string_view file = csv.bytes();
  auto in_file = [&](std::string_view v) {
    std::less_equal<const char*> le;
    return le(file.data(), v.data()) && le(v.data() + v.size(), file.data() + file.size());
  };

  // One chunk per core: the chunks' batches are joined into the first one after reading, and
  // every chunk but the first is copied into fresh memory then, which costs more than the
  // balance smaller chunks would give (10M events: 1.5 s less with 2 chunks than with 8). The
  // first chunk's batch has room for the whole file (at one event per 64 bytes; address space
  // only until written), so that the join does not move what it holds.
  for (size_t parts : {WorkerCount(), size_t{1}}) {
    std::vector<CsvChunk> chunks = SplitCsvChunks(csv, parts);
    std::vector<EventReading> part(chunks.size());
    for (size_t c = 0; c < chunks.size(); ++c) {
      part[c].batch.SetKeys(keys);
      const size_t end = c == 0 ? csv.bytes().size() : chunks[c].end;
      part[c].batch.Reserve((end - chunks[c].begin) / 64);
    }
    bool consistent = true;
    LEADQ_TRY(ReadCsvChunks(csv, chunks, consistent, [&](size_t c, CsvReader& reader) {
      EventReading& out = part[c];
      ++out.rows;
      auto reject = [&](std::string reason) {
        out.rejects.push_back(Rejected(reader, std::move(reason)));
      };
      if (std::string problem = FieldCountProblem(reader, header_fields); !problem.empty()) {
        return reject(std::move(problem));
      }
      std::string_view lead = CellAt(reader, lead_col);
      std::string_view type = CellAt(reader, type_col);
      std::string_view when = CellAt(reader, at_col);
      if (lead.empty()) return reject("no lead_id");
      if (!lead_ids.Find(lead)) {
        return reject("lead_id \"" + std::string(lead) +
                      "\" is not in the workspace (import the leads first)");
      }
      if (type.empty()) return reject("no type");
      std::optional<TimePoint> at = ParseTimestamp(when);
      if (!at) {
        return reject(when.empty() ? std::string("no occurred_at")
                                   : "occurred_at \"" + std::string(when) +
                                         "\" is not an ISO 8601 time (2026-03-01T14:05:00Z)");
      }
      auto keep = [&](std::string_view v) {
        if (v.empty()) return std::string_view();
        return in_file(v) ? v : out.batch.Keep(v);
      };
      // The free-form cells of the row, in a buffer of the reading thread's own (buffers of
      // neighbouring chunks allocated together would share cache lines between the cores).
      thread_local std::vector<std::string_view> row;
      row.resize(keys.size());
      for (size_t k = 0; k < columns.size(); ++k) {
        std::string_view v = CellAt(reader, columns[k]);
        row[k] = v.empty() || !mapped[k] ? keep(v) : std::string_view(mapping.MapValue(keys[k], v));
      }
      std::string_view mapped_type = type_mapped ? mapping.MapValue("type", type) : type;
      out.batch.Add({keep(CellAt(reader, event_id_col)), keep(lead),
                     mapped_type.data() == type.data() ? keep(type) : mapped_type, *at},
                    row);
    }));
    if (!consistent) continue;
    EventReading all = std::move(part[0]);
    size_t total = 0;
    for (const EventReading& p : part) total += p.batch.size();
    all.batch.Reserve(total);
    for (size_t c = 1; c < part.size(); ++c) {
      all.rows += part[c].rows;
      all.rejects.insert(all.rejects.end(), std::make_move_iterator(part[c].rejects.begin()),
                         std::make_move_iterator(part[c].rejects.end()));
      all.batch.Append(std::move(part[c].batch));
    }
    return all;
  }
  return Status::Internal(csv.name() + ": the rows could not be read in one piece");
}

}  // namespace

Status WriteRejects(const std::filesystem::path& path, const CsvFile& csv,
                    const std::vector<RejectedRow>& rejects) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::string out = "line,reason";
  for (const CsvColumn& c : csv.columns()) {
    out += ',';
    AppendCsvField(out, c.header);
  }
  out += '\n';
  for (const RejectedRow& r : rejects) {
    out += std::to_string(r.line) + ',';
    AppendCsvField(out, r.reason);
    for (const std::string& f : r.fields) {
      out += ',';
      AppendCsvField(out, f);
    }
    out += '\n';
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << out;
  if (!f) return Status::IoError(path.string() + ": cannot write the rejects file");
  return Status::Ok();
}

Result<ImportReport> ImportFile(Workspace& ws, const ImportRequest& request) {
  LEADQ_TRY(CsvFile csv, CsvFile::Open(request.file));
  LEADQ_TRY(Mapping mapping, LoadMapping(request.map, request.kind));
  Layout layout{mapping.KeysFor(csv.columns())};
  const ImportKind kind = request.kind;
  switch (kind) {
    case ImportKind::kLeads:
      LEADQ_TRY(Require(csv, layout, "lead_id", mapping));
      break;
    case ImportKind::kAccounts:
      LEADQ_TRY(Require(csv, layout, "account_id", mapping));
      break;
    case ImportKind::kEvents:
      LEADQ_TRY(Require(csv, layout, "lead_id", mapping));
      LEADQ_TRY(Require(csv, layout, "type", mapping));
      LEADQ_TRY(Require(csv, layout, "occurred_at", mapping));
      break;
    case ImportKind::kOutcomes:
      LEADQ_TRY(Require(csv, layout, "deal_id", mapping));
      LEADQ_TRY(Require(csv, layout, "status", mapping));
      if (layout.Find("account_id") < 0 && layout.Find("lead_id") < 0) {
        return Status::Invalid(csv.name() +
                               ": an outcome needs an account_id or a lead_id column (or both)");
      }
      break;
    case ImportKind::kShipments:
      return Status::Invalid(csv.name() + ": shipments are imported with `leadq trade import`");
  }

  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, ws.store->Begin());

  ImportReport report;
  std::vector<RejectedRow> rejects;
  std::vector<store::LeadRow> leads;
  std::vector<store::AccountRow> accounts;
  std::vector<store::OutcomeRow> outcomes;
  const std::string actor = request.actor.empty() ? "import" : request.actor;
  auto flush = [&]() -> Status {
    if (!leads.empty()) LEADQ_TRY(tx->UpsertLeads(leads, request.now, actor, report.stats));
    if (!accounts.empty()) LEADQ_TRY(tx->UpsertAccounts(accounts, request.now, report.stats));
    if (!outcomes.empty()) LEADQ_TRY(tx->UpsertOutcomes(outcomes, report.stats));
    leads.clear();
    accounts.clear();
    outcomes.clear();
    return Status::Ok();
  };

  const int id_col = layout.Find(kind == ImportKind::kAccounts   ? "account_id"
                                 : kind == ImportKind::kOutcomes ? "deal_id"
                                                                 : "lead_id");
  const int account_col = layout.Find("account_id");
  const int lead_col = layout.Find("lead_id");
  const size_t header_fields = csv.columns().size();

  if (kind == ImportKind::kEvents) {
    LEADQ_TRY(std::vector<std::string> lead_id_list, tx->LeadIds());
    StringIndex lead_ids;  // borrows the bytes of lead_id_list
    lead_ids.Reserve(lead_id_list.size());
    for (size_t i = 0; i < lead_id_list.size(); ++i) {
      lead_ids.Insert(lead_id_list[i], static_cast<uint32_t>(i));
    }
    LEADQ_TRY(EventReading read, ReadEvents(csv, layout, mapping, lead_ids));
    report.rows = read.rows;
    rejects = std::move(read.rejects);
    if (!read.batch.empty()) LEADQ_TRY(tx->InsertEventBatch(read.batch, report.stats));
  }

  CsvReader reader(csv.bytes(), csv.body_begin(), csv.bytes().size(), csv.body_line());
  while (kind != ImportKind::kEvents && reader.Next()) {
    ++report.rows;
    auto reject = [&](std::string reason) {
      rejects.push_back(Rejected(reader, std::move(reason)));
    };
    if (std::string problem = FieldCountProblem(reader, header_fields); !problem.empty()) {
      reject(std::move(problem));
      continue;
    }
    std::string_view id = CellAt(reader, id_col);
    switch (kind) {
      case ImportKind::kLeads: {
        if (id.empty()) {
          reject("no lead_id");
          continue;
        }
        store::LeadRow row;
        row.lead_id = std::string(id);
        if (account_col >= 0) row.account_id = std::string(CellAt(reader, account_col));
        if (row.account_id && row.account_id->empty()) row.account_id.reset();
        row.fields = FreeFields(reader, layout, {"lead_id", "account_id"}, mapping);
        leads.push_back(std::move(row));
        break;
      }
      case ImportKind::kAccounts: {
        if (id.empty()) {
          reject("no account_id");
          continue;
        }
        accounts.push_back({std::string(id), FreeFields(reader, layout, {"account_id"}, mapping)});
        break;
      }
      case ImportKind::kEvents:
        break;  // read by ReadEvents
      case ImportKind::kOutcomes: {
        if (id.empty()) {
          reject("no deal_id");
          continue;
        }
        store::OutcomeRow row;
        row.deal_id = std::string(id);
        row.account_id = std::string(CellAt(reader, account_col));
        row.lead_id = std::string(CellAt(reader, lead_col));
        if (row.account_id.empty() && row.lead_id.empty()) {
          reject("neither account_id nor lead_id");
          continue;
        }
        std::string_view status = mapping.MapValue("status", CellAt(reader, layout.Find("status")));
        std::optional<store::DealStatus> s = store::ParseDealStatus(status);
        if (!s) {
          reject("status \"" + std::string(status) +
                 "\" is not open, won or lost (map other values with [values.status] in a "
                 "mapping file)");
          continue;
        }
        row.status = *s;
        bool bad = false;
        std::string_view created = CellAt(reader, layout.Find("created_at"));
        row.created_at = OptionalTime(created, bad);
        if (bad) {
          reject("created_at \"" + std::string(created) + "\" is not an ISO 8601 date");
          continue;
        }
        std::string_view closed = CellAt(reader, layout.Find("closed_at"));
        row.closed_at = OptionalTime(closed, bad);
        if (bad) {
          reject("closed_at \"" + std::string(closed) + "\" is not an ISO 8601 date");
          continue;
        }
        std::string_view value = CellAt(reader, layout.Find("value"));
        if (!value.empty()) {
          row.value = ParseNumber(value);
          if (!row.value) {
            reject("value \"" + std::string(value) + "\" is not a number (write 1200.50)");
            continue;
          }
        }
        row.lost_reason = std::string(CellAt(reader, layout.Find("lost_reason")));
        row.owner = std::string(CellAt(reader, layout.Find("owner")));
        outcomes.push_back(std::move(row));
        break;
      }
      case ImportKind::kShipments:
        break;  // refused above
    }
    if (leads.size() + accounts.size() + outcomes.size() >= kBatch) {
      LEADQ_TRY(flush());
    }
  }
  if (!reader.status().ok()) return reader.status().WithPrefix(csv.name());
  LEADQ_TRY(flush());

  report.rejected = rejects.size();
  if (!rejects.empty()) {
    report.rejects_file = request.rejects.value_or(
        ws.dir / "rejects" / (request.file.filename().string() + ".rejects.csv"));
    LEADQ_TRY(WriteRejects(report.rejects_file, csv, rejects));
    for (size_t i = 0; i < rejects.size() && i < 3; ++i) {
      report.first_reasons +=
          csv.name() + ":" + std::to_string(rejects[i].line) + ": " + rejects[i].reason + "\n";
    }
    if (!request.partial) return report;  // the transaction rolls back
  }
  LEADQ_TRY(tx->Commit());
  report.committed = true;
  return report;
}

}  // namespace leadq::service
