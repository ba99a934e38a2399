// libFuzzer harness: the JSON reading zkd does on untrusted text. parse_json_limited (the depth-
// and size-checked reader of engine/io/json_limits.h, for configs, metadata and logs) must either
// throw a zkd::Error or give a value that dumps and parses back equal and prints briefly in at
// most 83 characters; the same text as a safetensors header (no data) must either decode or give
// a zkd::Error.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/core/error.h"
#include "engine/io/json_limits.h"
#include "engine/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    nlohmann::json j = zkd::parse_json_limited(text, "fuzz", 1 << 20);
    if (nlohmann::json::parse(j.dump()) != j) __builtin_trap();
    if (zkd::json_brief(j).size() > 83) __builtin_trap();
  } catch (const zkd::Error&) {
  }
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((uint64_t{size} >> (8 * i)) & 0xFF);
  try {
    zkd::decode_safetensors(file + text, "fuzz");
  } catch (const zkd::Error&) {
  }
  return 0;
}
