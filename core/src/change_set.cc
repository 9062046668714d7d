// change_set.cc: see change_set.h.
#include "indexie/change_set.h"

#include <utility>

#include "cbor_reader.h"
#include "indexie/cbor.h"

namespace indexie {
namespace {

constexpr uint64_t kFormat = 1;

void WriteBool(bool value, std::string* out) { out->push_back(static_cast<char>(value ? 0xF5 : 0xF4)); }

void WriteByteList(const std::vector<std::string>& items, std::string* out) {
  cbor::WriteHeader(cbor::kArray, items.size(), out);
  for (const std::string& item : items) cbor::WriteBytes(item, out);
}

// A cursor over the wire format (cbor_reader.h), with the byte lists records hold.
class Reader : public cbor::StrictReader {
 public:
  using cbor::StrictReader::StrictReader;

  bool ByteList(std::vector<std::string>* items) {
    uint64_t count;
    if (!Array(&count)) return false;
    items->resize(count);
    for (std::string& item : *items) {
      if (!String(cbor::kBytes, &item)) return false;
    }
    return true;
  }
};

bool ParseRecord(Reader& reader, RecordChange* record) {
  uint64_t fields, indexes;
  if (!reader.Array(&fields) || fields != 4 || !reader.String(cbor::kBytes, &record->primary_key) ||
      !reader.Bool(&record->existed_before) || !reader.Bool(&record->exists_after) || !reader.Array(&indexes)) {
    return false;
  }
  record->indexes.resize(indexes);
  for (IndexChange& index : record->indexes) {
    uint64_t parts;
    if (!reader.Array(&parts) || parts != 3 || !reader.String(cbor::kText, &index.index) ||
        !reader.ByteList(&index.before) || !reader.ByteList(&index.after)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ChangeSet::KeepsRecordsOf(const std::string& table) const {
  if (everything_) return false;
  const auto found = tables_.find(table);
  return found == tables_.end() || !found->second.whole_table;
}

void ChangeSet::AddRecord(const std::string& table, RecordChange change) {
  if (everything_) return;
  TableChange& target = tables_[table];
  if (target.whole_table) return;
  if (target.records.size() >= kMaxRecordsPerTable) {
    AddWholeTable(table);
    return;
  }
  target.records.push_back(std::move(change));
}

void ChangeSet::AddWholeTable(const std::string& table) {
  if (everything_) return;
  TableChange& target = tables_[table];
  target.whole_table = true;
  target.records.clear();
  target.records.shrink_to_fit();
}

void ChangeSet::AddEverything() {
  everything_ = true;
  tables_.clear();
}

void ChangeSet::Merge(const ChangeSet& other) {
  if (other.everything_) AddEverything();
  for (const auto& [table, change] : other.tables_) {
    if (change.whole_table) {
      AddWholeTable(table);
      continue;
    }
    for (const RecordChange& record : change.records) AddRecord(table, record);
  }
}

void ChangeSet::Clear() {
  everything_ = false;
  tables_.clear();
}

std::string ChangeSet::Serialize() const {
  std::string out;
  cbor::WriteHeader(cbor::kArray, 3, &out);
  cbor::WriteHeader(cbor::kUnsigned, kFormat, &out);
  WriteBool(everything_, &out);
  cbor::WriteHeader(cbor::kArray, tables_.size(), &out);
  for (const auto& [table, change] : tables_) {
    cbor::WriteHeader(cbor::kArray, 3, &out);
    cbor::WriteText(table, &out);
    WriteBool(change.whole_table, &out);
    cbor::WriteHeader(cbor::kArray, change.records.size(), &out);
    for (const RecordChange& record : change.records) {
      cbor::WriteHeader(cbor::kArray, 4, &out);
      cbor::WriteBytes(record.primary_key, &out);
      WriteBool(record.existed_before, &out);
      WriteBool(record.exists_after, &out);
      cbor::WriteHeader(cbor::kArray, record.indexes.size(), &out);
      for (const IndexChange& index : record.indexes) {
        cbor::WriteHeader(cbor::kArray, 3, &out);
        cbor::WriteText(index.index, &out);
        WriteByteList(index.before, &out);
        WriteByteList(index.after, &out);
      }
    }
  }
  return out;
}

Result<ChangeSet> ChangeSet::Parse(std::string_view bytes) {
  const Status malformed(StatusCode::kData, "malformed change set");
  Reader reader(bytes);
  uint64_t fields, format, tables;
  ChangeSet set;
  if (!reader.Array(&fields) || fields != 3 || !reader.Unsigned(&format)) return malformed;
  if (format != kFormat)
    return Status(StatusCode::kData, "change set format " + std::to_string(format) + " is unknown");
  if (!reader.Bool(&set.everything_) || !reader.Array(&tables)) return malformed;
  for (uint64_t t = 0; t < tables; ++t) {
    uint64_t parts, records;
    std::string name;
    TableChange change;
    if (!reader.Array(&parts) || parts != 3 || !reader.String(cbor::kText, &name) ||
        !reader.Bool(&change.whole_table) || !reader.Array(&records)) {
      return malformed;
    }
    change.records.resize(records);
    for (RecordChange& record : change.records) {
      if (!ParseRecord(reader, &record)) return malformed;
    }
    set.tables_[name] = std::move(change);
  }
  if (!reader.AtEnd()) return malformed;
  return set;
}

}  // namespace indexie
