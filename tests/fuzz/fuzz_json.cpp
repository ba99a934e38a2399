// libFuzzer harness: the JSON reading zkd does on untrusted text. nlohmann's parser (the one the
// config and checkpoint-metadata readers use) must either throw its own exception or give a value
// that dumps and parses back equal; the same text as a safetensors header (no data) must either
// decode or give a zkd::Error.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/core/error.h"
#include "engine/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    if (nlohmann::json::parse(j.dump()) != j) __builtin_trap();
  } catch (const nlohmann::json::exception&) {
  }
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((uint64_t{size} >> (8 * i)) & 0xFF);
  try {
    zkd::decode_safetensors(file + text, "fuzz");
  } catch (const zkd::Error&) {
  }
  return 0;
}
