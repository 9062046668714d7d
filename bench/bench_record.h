// bench_record.h: the benchmark's record shape for the native benchmarks
// (read_native.cc, file_vfs_native.cc), encoded as the JS value codec would:
// the same fields as bench/pages/bench.js makeRecord(i, n).
#pragma once

#include <cstdint>
#include <string>

#include "indexie/cbor.h"

namespace indexie::bench {

inline const char* const kWords[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};

// Record i of n: {name, email, age, tags: [2 words], bio: 90 chars}.
inline std::string Record(int i, int n) {
  std::string v;
  cbor::WriteHeader(cbor::kMap, 5, &v);
  cbor::WriteText("name", &v);
  cbor::WriteText(std::string(kWords[i % 8]) + "-" + std::to_string((static_cast<int64_t>(i) * 7919) % n), &v);
  cbor::WriteText("email", &v);
  cbor::WriteText("user" + std::to_string(i) + "@example.com", &v);
  cbor::WriteText("age", &v);
  cbor::WriteNumber((static_cast<int64_t>(i) * 31) % 90, &v);
  cbor::WriteText("tags", &v);
  cbor::WriteHeader(cbor::kArray, 2, &v);
  cbor::WriteText(kWords[i % 5], &v);
  cbor::WriteText(kWords[(i * 3) % 8], &v);
  cbor::WriteText("bio", &v);
  std::string bio = "Record " + std::to_string(i) + ": lorem ipsum dolor sit amet";
  bio.resize(90, ' ');
  cbor::WriteText(bio, &v);
  return v;
}

}  // namespace indexie::bench
