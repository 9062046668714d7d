// js_bridge.cc: see js_bridge.h.
#include "js_bridge.h"

#include <emscripten/bind.h>

#include <algorithm>
#include <vector>

namespace indexie::wasm {
namespace {

std::vector<char>& Buffer() {
  static std::vector<char> buffer(64 * 1024);
  return buffer;
}

}  // namespace

emscripten::val BytesToJs(std::string_view bytes) {
  emscripten::val view(emscripten::typed_memory_view(bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data())));
  return emscripten::val::global("Uint8Array").new_(view);
}

uintptr_t RequestBuffer(size_t capacity) {
  std::vector<char>& buffer = Buffer();
  if (buffer.size() < capacity) buffer.resize(std::max(capacity, buffer.size() * 2));
  return reinterpret_cast<uintptr_t>(buffer.data());
}

std::string_view RequestBytes(size_t length) {
  const std::vector<char>& buffer = Buffer();
  return std::string_view(buffer.data(), std::min(length, buffer.size()));
}

}  // namespace indexie::wasm

EMSCRIPTEN_BINDINGS(indexie_js_bridge) { emscripten::function("requestBuffer", &indexie::wasm::RequestBuffer); }
