// insert_native.cc: native micro-benchmark of the storage layer: one bulk
// write of N records into '++id, &email, name, age, *tags' (four indexes:
// one unique, one multi-entry). Prints the median of the runs (default 5).
// Build: part of the native CMake build (target indexie_bench_insert).
// Run:   build/native/indexie_bench_insert [N] [runs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "indexie/cbor.h"
#include "indexie/database.h"
#include "indexie/page_vfs.h"

using indexie::Database;
namespace cbor = indexie::cbor;

static std::string Record(int i) {
  std::string v;
  cbor::WriteHeader(cbor::kMap, 5, &v);
  cbor::WriteText("name", &v);
  cbor::WriteText("name" + std::to_string(i % 5000), &v);
  cbor::WriteText("email", &v);
  cbor::WriteText("user" + std::to_string(i) + "@example.com", &v);
  cbor::WriteText("age", &v);
  cbor::WriteNumber(i % 90, &v);
  cbor::WriteText("tags", &v);
  cbor::WriteHeader(cbor::kArray, 2, &v);
  cbor::WriteText("t" + std::to_string(i % 7), &v);
  cbor::WriteText("u" + std::to_string(i % 11), &v);
  cbor::WriteText("bio", &v);
  cbor::WriteText(std::string(90, static_cast<char>('a' + i % 26)), &v);
  return v;
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::vector<std::string> records;
  records.reserve(n);
  for (int i = 0; i < n; ++i) records.push_back(Record(i));
  std::vector<std::string_view> views(records.begin(), records.end());

  std::vector<double> times;
  for (int run = 0; run < runs; ++run) {
    const std::string name = "bench-insert-" + std::to_string(run);
    indexie::PageVfsDeleteFile(name);
    auto db = Database::Open(name);
    if (!db.ok() || !db.value()->SetSchema({{"users", "++id, &email, name, age, *tags"}}).ok()) return 1;
    const auto start = std::chrono::steady_clock::now();
    auto outcome = db.value()->Write("users", indexie::WriteMode::kAdd, views, nullptr);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!outcome.failures.empty()) {
      std::fprintf(stderr, "write failed: %s\n", outcome.failures[0].status.ToString().c_str());
      return 1;
    }
    times.push_back(ms);
    db.value().reset();
    indexie::PageVfsDeleteFile(name);
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  std::printf(
      "native: bulk insert of %d records with 4 indexes: median %.0f ms of %d runs (min %.0f, max %.0f) = %.0f "
      "records/s\n",
      n, median, runs, times.front(), times.back(), n / (median / 1000));
  return 0;
}
