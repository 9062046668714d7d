// page_file.cc: the module-level functions on engine files in the page VFS
// (idb_bridge/include/indexie/page_vfs.h) that need no open database:
// install a file loaded from storage, delete one, ask if one exists; and the
// schema parser, for validating specs before a database opens.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "indexie/engine_requests.h"
#include "indexie/page_vfs.h"
#include "indexie/schema.h"
#include "js_bridge.h"

namespace indexie::wasm {
namespace {

using emscripten::val;

// Installs a database file loaded from IndexedDB: `file_size` bytes; the
// request buffer holds `numbers.length` pages of kPageVfsPageSize bytes, in
// the order of `numbers` (a Uint32Array).
void LoadFile(const std::string& name, double file_size, const val& numbers) {
  const std::vector<uint32_t> pages_numbers = emscripten::convertJSArrayToNumberVector<uint32_t>(numbers);
  const std::string_view bytes = RequestBytes(pages_numbers.size() * kPageVfsPageSize);
  std::vector<PageImage> pages;
  pages.reserve(pages_numbers.size());
  for (size_t i = 0; i < pages_numbers.size() && (i + 1) * kPageVfsPageSize <= bytes.size(); ++i) {
    pages.push_back(PageImage{pages_numbers[i], std::string(bytes.substr(i * kPageVfsPageSize, kPageVfsPageSize))});
  }
  PageVfsLoad(name, static_cast<uint64_t>(file_size), pages);
}

// A result value: the parsed schema (engine_requests.h AppendTableSchemaValue) or the failure.
val ParseSchema(const std::string& table, const std::string& spec) {
  auto schema = ParseTableSchema(table, spec);
  if (!schema.ok()) return BytesToJs(FailedResultValue(schema.status()));
  std::string value;
  AppendTableSchemaValue(schema.value(), &value);
  return BytesToJs(OkResultValue(value));
}

}  // namespace
}  // namespace indexie::wasm

EMSCRIPTEN_BINDINGS(indexie_page_file) {
  emscripten::function("loadFile", &indexie::wasm::LoadFile);
  emscripten::function("databaseExists", &indexie::PageVfsFileExists);
  emscripten::function("deleteFile", &indexie::PageVfsDeleteFile);
  emscripten::function("parseSchema", &indexie::wasm::ParseSchema);
}
