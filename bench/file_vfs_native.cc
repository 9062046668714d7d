// file_vfs_native.cc: what the file VFS (file_vfs/include/indexie/file_vfs.h)
// costs on the benchmark's record shape ('++id, &email, name, age, *tags',
// the records of bench/pages/bench.js), natively on POSIX files: the file
// size; reopening (backend reads and time); the first point query by
// primary key and by index (reads, time); SQLite's page cache after a full
// scan with the default cache and with a small one; and, for comparison,
// what the whole-file page VFS holds. Numbers for the issue 22 report; the
// browser's OPFS numbers come from the JS side's benchmark.
// Build: part of the native CMake build (target indexie_bench_file_vfs).
// Run:   build/native/indexie_bench_file_vfs [N=100000] [dir=/tmp]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_record.h"
#include "indexie/cbor.h"
#include "indexie/database.h"
#include "indexie/posix_file_backend.h"

using indexie::Database;
using indexie::Key;
namespace cbor = indexie::cbor;

namespace {

using indexie::bench::Record;

double Ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

indexie::OpenOptions FileOptions(std::shared_ptr<indexie::FileBackend> backend, int64_t cache_kib) {
  indexie::OpenOptions options;
  options.storage = indexie::Storage::kFile;
  options.cache_kib = cache_kib;
  options.file_backend = std::move(backend);
  return options;
}

std::unique_ptr<Database> OpenOrDie(const std::string& name, const indexie::OpenOptions& options) {
  auto db = Database::Open(name, options);
  if (!db.ok()) {
    std::fprintf(stderr, "open failed: %s\n", db.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(db).value();
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  const std::string base = argc > 2 ? argv[2] : "/tmp";
  std::string dir = base + "/indexie-bench-file-vfs-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) return 1;
  const std::string name = "bench";

  {
    auto backend = std::make_shared<indexie::PosixFileBackend>(dir);
    auto db = OpenOrDie(name, FileOptions(backend, indexie::kDefaultFileCacheKiB));
    if (!db->SetSchema({{"users", "++id, &email, name, age, *tags"}}).ok()) return 1;
    const auto start = std::chrono::steady_clock::now();
    if (!db->Begin().ok()) return 1;
    for (int first = 0; first < n; first += 1000) {
      std::vector<std::string> values;
      for (int i = first; i < std::min(n, first + 1000); ++i) values.push_back(Record(i, n));
      std::vector<std::string_view> views(values.begin(), values.end());
      if (!db->Write("users", indexie::WriteMode::kAdd, views, nullptr).failures.empty()) return 1;
    }
    if (!db->Commit().ok()) return 1;
    std::printf("bulk load of %d records in one transaction: %.0f ms (%lld writes, %lld syncs)\n", n, Ms(start),
                static_cast<long long>(backend->counts().writes), static_cast<long long>(backend->counts().syncs));
  }
  const auto file_bytes = std::filesystem::file_size(dir + "/" + name);
  std::printf("file: %.1f MB (%llu pages of 4 KiB)\n", file_bytes / 1e6,
              static_cast<unsigned long long>(file_bytes / 4096));

  for (const int64_t cache_kib : {indexie::kDefaultFileCacheKiB, int64_t{2048}}) {
    auto backend = std::make_shared<indexie::PosixFileBackend>(dir);
    auto start = std::chrono::steady_clock::now();
    auto db = OpenOrDie(name, FileOptions(backend, cache_kib));
    const double open_ms = Ms(start);
    const auto open_reads = backend->counts().reads;
    backend->ResetCounts();
    start = std::chrono::steady_clock::now();
    auto record = db->Get("users", Key::Number(n / 2 + 1));
    const double get_ms = Ms(start);
    if (!record.ok() || !record.value()) return 1;
    const auto get_reads = backend->counts().reads;
    backend->ResetCounts();
    start = std::chrono::steady_clock::now();
    auto by_email = db->GetByIndex("users", "email", Key::String("user" + std::to_string(n / 3) + "@example.com"));
    const double index_ms = Ms(start);
    if (!by_email.ok() || !by_email.value()) return 1;
    const auto index_reads = backend->counts().reads;
    const int64_t cached_after_open = db->sql().CacheUsedBytes();
    backend->ResetCounts();
    start = std::chrono::steady_clock::now();
    auto all = db->Scan("users");
    if (!all.ok() || all.value().size() != static_cast<size_t>(n)) return 1;
    const double scan_ms = Ms(start);
    std::printf(
        "cache %lld KiB: reopen %.2f ms, %lld reads; first get by key %.2f ms, %lld reads; first get by unique index "
        "%.2f ms, %lld reads; page cache after them %.0f KiB; full scan %.0f ms, %lld reads, page cache after it "
        "%.0f KiB\n",
        static_cast<long long>(cache_kib), open_ms, static_cast<long long>(open_reads), get_ms,
        static_cast<long long>(get_reads), index_ms, static_cast<long long>(index_reads), cached_after_open / 1024.0,
        scan_ms, static_cast<long long>(backend->counts().reads), db->sql().CacheUsedBytes() / 1024.0);
  }
  std::printf("(the page VFS holds the whole file in memory: %.1f MB for this database)\n", file_bytes / 1e6);
  std::filesystem::remove_all(dir);
  return 0;
}
