// engine_requests.cc: the request protocol of engine_requests.h: reading a
// batch, and running each operation on the Database (the page operations
// are in engine_page_requests.cc, the value writers in engine_wire.cc).
// Every argument is checked: a malformed request is an InternalError result,
// never undefined behaviour (tests/fuzz fuzzes Execute).
#include "indexie/engine_requests.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "engine_wire.h"
#include "indexie/cbor.h"
#include "indexie/key_codec.h"
#include "indexie/value_reader.h"

namespace indexie {

using wire::AppendEncodedKeyAsValue;
using wire::AppendRows;
using wire::IsUndefinedOrNull;
using wire::kEncodedNull;
using wire::kEncodedTrue;
using wire::kEncodedUndefined;
using wire::Malformed;
using wire::RequestReader;
using wire::WriteBool;

Result<std::unique_ptr<EngineSession>> EngineSession::Open(const std::string& name, const OpenOptions& options) {
  auto db = Database::Open(name, options);
  if (!db.ok()) return db.status();
  return std::unique_ptr<EngineSession>(new EngineSession(std::move(db).value()));
}

std::string EngineSession::Execute(std::string_view request) {
  size_t pos = 0;
  cbor::Header batch;
  if (!cbor::ReadHeader(request, &pos, &batch) || batch.major != cbor::kArray || batch.arg > request.size()) {
    std::string out;
    cbor::WriteHeader(cbor::kArray, 1, &out);
    out += FailedResultValue(Malformed("a request is an array of operations"));
    return out;
  }
  last_opened_cursor_ = 0;
  std::string out;
  cbor::WriteHeader(cbor::kArray, batch.arg, &out);
  for (uint64_t i = 0; i < batch.arg; ++i) {
    const size_t op_start = pos;
    cbor::Header op;
    const bool framed = cbor::ReadHeader(request, &pos, &op) && op.major == cbor::kArray && op.arg >= 1;
    // Where the next operation starts, whatever this one reads.
    size_t next = op_start;
    if (!framed || !cbor::SkipItem(request, &next)) {
      // The rest cannot be framed: fail this and every following operation.
      for (; i < batch.arg; ++i) out += FailedResultValue(Malformed("an operation is not well-formed"));
      break;
    }
    // The value is written in place after [true, ...; a failure replaces it.
    const size_t result_start = out.size();
    cbor::WriteHeader(cbor::kArray, 2, &out);
    out.push_back(kEncodedTrue);
    RequestReader call(request, &pos, op.arg);
    Status status = Run(call, &out);
    if (status.ok()) status = call.Finish();
    if (!status.ok()) {
      out.resize(result_start);
      out += FailedResultValue(status);
    }
    pos = next;
  }
  return out;
}

std::string EngineSession::FailAll(std::string_view request, const Status& status) {
  size_t pos = 0;
  cbor::Header batch;
  const uint64_t count =
      cbor::ReadHeader(request, &pos, &batch) && batch.major == cbor::kArray && batch.arg <= request.size() ? batch.arg
                                                                                                            : 1;
  std::string out;
  cbor::WriteHeader(cbor::kArray, count, &out);
  for (uint64_t i = 0; i < count; ++i) out += FailedResultValue(status);
  return out;
}

Status EngineSession::Run(RequestReader& call, std::string* out) {
  int64_t opcode = 0;
  if (Status s = call.Integer(0, static_cast<int64_t>(EngineOp::kTakeReads), &opcode); !s.ok()) {
    return Malformed("unknown opcode");
  }
  const auto op = static_cast<EngineOp>(opcode);
  Database& db = *db_;
  switch (op) {
    case EngineOp::kInfo: {
      cbor::WriteHeader(cbor::kMap, 2, out);
      cbor::WriteText("version", out);
      cbor::WriteNumber(db.version(), out);
      cbor::WriteText("tables", out);
      cbor::WriteHeader(cbor::kMap, db.tables().size(), out);
      for (const auto& [name, schema] : db.tables()) {
        cbor::WriteText(name, out);
        AppendTableSchemaValue(schema, out);
      }
      return Status::Ok();
    }
    case EngineOp::kBegin:
    case EngineOp::kCommit:
    case EngineOp::kRollback: {
      out->push_back(kEncodedNull);
      if (op == EngineOp::kBegin) return db.Begin();
      return op == EngineOp::kCommit ? db.Commit() : db.Rollback();
    }
    case EngineOp::kSetVersion: {
      double version = 0;
      if (Status s = call.Number(&version); !s.ok()) return s;
      out->push_back(kEncodedNull);
      return db.SetVersion(version);
    }
    case EngineOp::kSetSchema: {
      std::string_view item;
      if (Status s = call.Item(&item); !s.ok()) return s;
      size_t p = 0;
      cbor::Header map;
      if (!cbor::ReadHeader(item, &p, &map) || map.major != cbor::kMap)
        return Malformed("setSchema takes {table: spec}");
      RequestReader entries(item, &p, map.arg * 2);
      std::map<std::string, std::string> specs;
      for (uint64_t i = 0; i < map.arg; ++i) {
        std::string name, spec;
        if (Status s = entries.Text(&name); !s.ok()) return s;
        if (Status s = entries.Text(&spec); !s.ok()) return s;
        specs[name] = spec;
      }
      out->push_back(kEncodedNull);
      return db.SetSchema(specs);
    }
    case EngineOp::kWrite: {
      std::string table;
      bool add = false;
      std::string_view values, keys;
      Status s = call.Text(&table);
      if (s.ok()) s = call.Bool(&add);
      if (s.ok()) s = call.Item(&values);
      if (s.ok()) s = call.Item(&keys);
      if (!s.ok()) return s;
      size_t p = 0;
      cbor::Header list;
      if (!cbor::ReadHeader(values, &p, &list) || list.major != cbor::kArray)
        return Malformed("write takes an array of values");
      std::vector<std::string_view> items;
      for (uint64_t i = 0; i < list.arg; ++i) {
        const size_t start = p;
        if (!cbor::SkipItem(values, &p)) return Status(StatusCode::kData, "an encoded value is malformed");
        items.emplace_back(values.substr(start, p - start));
      }
      std::vector<Key> explicit_keys;
      const bool has_keys = !IsUndefinedOrNull(keys);
      if (has_keys) {
        auto parsed = ValueToKeys(keys);
        if (!parsed.ok()) return parsed.status();
        explicit_keys = std::move(parsed).value();
      }
      WriteOutcome outcome =
          db.Write(table, add ? WriteMode::kAdd : WriteMode::kPut, items, has_keys ? &explicit_keys : nullptr);
      cbor::WriteHeader(cbor::kArray, 2, out);
      cbor::WriteHeader(cbor::kArray, outcome.keys.size(), out);
      for (const auto& key : outcome.keys) {
        if (key) {
          AppendKeyAsValue(*key, out);
        } else {
          out->push_back(kEncodedUndefined);
        }
      }
      cbor::WriteHeader(cbor::kArray, outcome.failures.size(), out);
      for (const auto& failure : outcome.failures) {
        cbor::WriteHeader(cbor::kArray, 3, out);
        cbor::WriteNumber(static_cast<double>(failure.position), out);
        cbor::WriteText(StatusCodeName(failure.status.code()), out);
        cbor::WriteText(failure.status.message(), out);
      }
      return Status::Ok();
    }
    case EngineOp::kQuery:
    case EngineOp::kAggregate:
    case EngineOp::kOpenCursor:
    case EngineOp::kCursorNext:
    case EngineOp::kCloseCursor: return RunQuery(op, call, out);
    case EngineOp::kTakeChanges: {
      const ChangeSet changes = db.TakeChanges();
      if (changes.empty()) {
        out->push_back(kEncodedUndefined);
      } else {
        cbor::WriteBytes(changes.Serialize(), out);
      }
      return Status::Ok();
    }
    case EngineOp::kPageChanges:
    case EngineOp::kReadPages:
    case EngineOp::kPageDiffs:
    case EngineOp::kCheckpoint:
    case EngineOp::kRevert:
    case EngineOp::kApplyRemote: return RunPages(op, call, out);
    case EngineOp::kExecuteSql: {
      std::string sql;
      if (Status s = call.Text(&sql); !s.ok()) return s;
      db.ForgetRememberedReads();
      auto result = db.sql().Execute(sql);
      if (!result.ok()) return result.status();
      AppendSqlResultValue(result.value(), out);
      return Status::Ok();
    }
    case EngineOp::kRecordReads: {
      bool on = false;
      if (Status s = call.Bool(&on); !s.ok()) return s;
      db.set_read_recorder(on ? &reads_ : nullptr);
      out->push_back(kEncodedNull);
      return Status::Ok();
    }
    case EngineOp::kTakeReads: {
      cbor::WriteBytes(reads_.Serialize(), out);
      reads_.Clear();
      return Status::Ok();
    }
    default: return RunRead(op, call, out);
  }
}

Status EngineSession::RunRead(EngineOp op, RequestReader& call, std::string* out) {
  Database& db = *db_;
  std::string table;
  if (Status s = call.Text(&table); !s.ok()) return s;
  switch (op) {
    case EngineOp::kGet: {
      std::string_view item;
      if (Status s = call.Item(&item); !s.ok()) return s;
      auto key = ValueToKey(item);
      if (!key.ok()) return key.status();
      auto value = db.Get(table, key.value());
      if (!value.ok()) return value.status();
      if (value.value()) {
        *out += *value.value();
      } else {
        out->push_back(kEncodedUndefined);
      }
      return Status::Ok();
    }
    case EngineOp::kBulkGet: {
      std::string_view item;
      bool for_update = false;
      Status s = call.Item(&item);
      if (s.ok()) s = call.Bool(&for_update);
      if (!s.ok()) return s;
      auto keys = ValueToKeys(item);
      if (!keys.ok()) return keys.status();
      cbor::WriteHeader(cbor::kArray, keys.value().size(), out);
      for (const Key& key : keys.value()) {
        auto value = db.Get(table, key, for_update);
        if (!value.ok()) return value.status();
        if (value.value()) {
          *out += *value.value();
        } else {
          out->push_back(kEncodedUndefined);
        }
      }
      return Status::Ok();
    }
    case EngineOp::kGetByIndex: {
      std::string index;
      std::string_view item;
      Status s = call.Text(&index);
      if (s.ok()) s = call.Item(&item);
      if (!s.ok()) return s;
      auto key = ValueToKey(item);
      if (!key.ok()) return key.status();
      auto record = db.GetByIndex(table, index, key.value());
      if (!record.ok()) return record.status();
      if (!record.value()) {
        out->push_back(kEncodedUndefined);
        return Status::Ok();
      }
      cbor::WriteHeader(cbor::kArray, 2, out);
      if (Status k = AppendEncodedKeyAsValue(record.value()->key, out); !k.ok()) return k;
      *out += record.value()->value;
      return Status::Ok();
    }
    case EngineOp::kDelete: {
      std::string_view item;
      if (Status s = call.Item(&item); !s.ok()) return s;
      auto keys = ValueToKeys(item);
      if (!keys.ok()) return keys.status();
      auto deleted = db.Delete(table, keys.value());
      if (!deleted.ok()) return deleted.status();
      cbor::WriteNumber(static_cast<double>(deleted.value()), out);
      return Status::Ok();
    }
    case EngineOp::kClear: out->push_back(kEncodedNull); return db.Clear(table);
    case EngineOp::kCount: {
      auto count = db.Count(table);
      if (!count.ok()) return count.status();
      cbor::WriteNumber(static_cast<double>(count.value()), out);
      return Status::Ok();
    }
    case EngineOp::kScan: {
      auto records = db.Scan(table);
      if (!records.ok()) return records.status();
      cbor::WriteHeader(cbor::kArray, records.value().size(), out);
      for (const Record& record : records.value()) *out += record.value;
      return Status::Ok();
    }
    default: return Malformed("unknown opcode");
  }
}

Status EngineSession::RunQuery(EngineOp op, RequestReader& call, std::string* out) {
  if (op == EngineOp::kCursorNext || op == EngineOp::kCloseCursor) {
    int64_t id = 0;
    if (Status s = call.Integer(0, std::numeric_limits<int>::max(), &id); !s.ok()) return s;
    if (id == 0) id = last_opened_cursor_;
    if (op == EngineOp::kCloseCursor) {
      cursors_.erase(static_cast<int>(id));
      out->push_back(kEncodedNull);
      return Status::Ok();
    }
    int64_t max = 0;
    std::string output;
    Status s = call.Integer(0, std::numeric_limits<int>::max(), &max);
    if (s.ok()) s = call.Text(&output);
    if (!s.ok()) return s;
    auto it = cursors_.find(static_cast<int>(id));
    if (it == cursors_.end()) return Status(StatusCode::kInternal, "no such cursor");
    std::vector<QueryRow> rows;
    const bool with_values = output != "keyPairs";
    s = QueryExecutor(db_.get()).ScanBatch(it->second.spec, &it->second.position, static_cast<size_t>(max), with_values,
                                           &rows);
    if (!s.ok()) return s;
    std::string batch;
    if (s = AppendRows(rows, output == "values" ? "values" : "rows", &batch); !s.ok()) return s;
    const bool done = it->second.position.done;
    if (done) cursors_.erase(it);
    cbor::WriteHeader(cbor::kArray, 2, out);
    cbor::WriteBytes(batch, out);
    WriteBool(done, out);
    return Status::Ok();
  }
  QuerySpec spec;
  if (Status s = call.Query(&spec); !s.ok()) return s;
  if (op == EngineOp::kOpenCursor) {
    const int id = next_cursor_++;
    cursors_[id] = Cursor{std::move(spec), ScanPosition{}};
    last_opened_cursor_ = id;
    cbor::WriteNumber(id, out);
    return Status::Ok();
  }
  QueryExecutor executor(db_.get());
  if (op == EngineOp::kAggregate) {
    std::string which, key_path;
    Status s = call.Text(&which);
    if (s.ok()) s = call.Text(&key_path);
    if (!s.ok()) return s;
    const AggregateOp aggregate = which == "sum"   ? AggregateOp::kSum
                                  : which == "min" ? AggregateOp::kMin
                                  : which == "max" ? AggregateOp::kMax
                                  : which == "avg" ? AggregateOp::kAvg
                                                   : AggregateOp::kCount;
    if (aggregate == AggregateOp::kCount) return Malformed("unknown aggregate");
    auto result = executor.Aggregate(spec, aggregate, SplitDottedPath(key_path));
    if (!result.ok()) return result.status();
    if (result.value()) {
      AppendKeyAsValue(*result.value(), out);
    } else {
      out->push_back(kEncodedUndefined);
    }
    return Status::Ok();
  }
  std::string output;
  if (Status s = call.Text(&output); !s.ok()) return s;
  if (output == "count") {
    auto count = executor.Count(spec);
    if (!count.ok()) return count.status();
    cbor::WriteNumber(static_cast<double>(count.value()), out);
    return Status::Ok();
  }
  if (output != "values" && output != "keys" && output != "primaryKeys" && output != "rows" && output != "keyPairs") {
    return Malformed("unknown query output");
  }
  auto rows = executor.Run(spec, output == "values" || output == "rows");
  if (!rows.ok()) return rows.status();
  return AppendRows(rows.value(), output, out);
}

}  // namespace indexie
