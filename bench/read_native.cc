// read_native.cc: native micro-benchmark of the read paths issue 9 measures
// in the browser, on the bench's record shape in '++id, &email, name, age,
// *tags': where('age').between(20, 30) with values (an index scan joined to
// the store, in batches of 1,000 as Collection.toArray reads it), the page
// orderBy('name').offset(N/2).limit(50), and 1,000 gets by primary key. Prints the median of the runs. Deterministic
// under callgrind, which is how to compare two builds on a noisy machine:
//   valgrind --tool=callgrind --toggle-collect='*RunQueries*' build/native/indexie_bench_read 20000 3
// Build: part of the native CMake build (target indexie_bench_read).
// Run:   build/native/indexie_bench_read [N] [runs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_record.h"
#include "indexie/cbor.h"
#include "indexie/database.h"
#include "indexie/page_vfs.h"
#include "indexie/query.h"

using indexie::Database;
using indexie::Key;
namespace cbor = indexie::cbor;

namespace {

using indexie::bench::Record;

// One run: the range read and the gets; returns the rows read.
__attribute__((noinline)) size_t RunQueries(Database* db, int n) {
  indexie::QuerySpec spec;
  spec.table = "users";
  spec.index = "age";
  indexie::KeyRangeSpec range;
  range.lower = Key::Number(20);
  range.upper = Key::Number(30);
  range.upper_open = true;  // Dexie's between(): lower included, upper not
  spec.ranges = indexie::NormalizeRanges({range});
  indexie::QueryExecutor executor(db);
  indexie::ScanPosition position;
  std::vector<indexie::QueryRow> rows;
  size_t read = 0;
  while (!position.done) {
    rows.clear();
    if (!executor.ScanBatch(spec, &position, 1000, true, &rows).ok()) std::abort();
    read += rows.size();
  }
  // orderBy('name').offset(N/2).limit(50): SQLite skips the offset; 50 values are read.
  indexie::QuerySpec page;
  page.table = "users";
  page.index = "name";
  page.ranges = indexie::AllKeys();
  page.offset = n / 2;
  page.limit = 50;
  auto paged = executor.Run(page, true);
  if (!paged.ok() || paged.value().size() != 50) std::abort();
  read += 50;
  const int sample = std::max(1, n / 1000);
  for (int i = 0; i < 1000; ++i) {
    auto value = db->Get("users", Key::Number(1 + (i * sample) % n));
    if (!value.ok() || !value.value()) std::abort();
    ++read;
  }
  return read;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::vector<std::string> records;
  for (int i = 0; i < n; ++i) records.push_back(Record(i, n));
  std::vector<std::string_view> views(records.begin(), records.end());
  indexie::PageVfsDeleteFile("bench-read");
  auto db = Database::Open("bench-read");
  if (!db.ok() || !db.value()->SetSchema({{"users", "++id, &email, name, age, *tags"}}).ok()) return 1;
  if (!db.value()->Write("users", indexie::WriteMode::kAdd, views, nullptr).failures.empty()) return 1;

  std::vector<double> times;
  size_t read = 0;
  for (int run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    read = RunQueries(db.value().get(), n);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  std::printf(
      "native: age 20..30 with values + a page at offset N/2 + 1,000 gets over %d records: %zu rows, median %.1f ms of "
      "%d runs (min %.1f)\n",
      n, read, times[times.size() / 2], runs, times.front());
  db.value().reset();
  indexie::PageVfsDeleteFile("bench-read");
  return 0;
}
