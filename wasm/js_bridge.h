// js_bridge.h: the conversions every wasm handle shares, in one place: bytes
// out to JS (always a copy), and the request buffer bytes come in through.
//
// Bytes in: JS writes a request into one module-wide buffer in the wasm heap
// (requestBuffer(capacity) returns its address; JS keeps it until it needs a
// bigger one) and passes only the length. One HEAPU8.set() and one call, not
// malloc/copy/call/free. The bytes are valid for the duration of that call.
#pragma once

#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace indexie::wasm {

// A Uint8Array copy of `bytes`: a view of the wasm heap would go stale when memory grows.
emscripten::val BytesToJs(std::string_view bytes);

// The address of the request buffer, at least `capacity` bytes long.
uintptr_t RequestBuffer(size_t capacity);

// The first `length` bytes of the request buffer (length is clamped to its size).
std::string_view RequestBytes(size_t length);

}  // namespace indexie::wasm
