// libFuzzer harness: decode_safetensors on arbitrary bytes. Any outcome but a zkd::Error or a
// decoded file (a crash, a sanitizer report, another exception, a hang) is a finding. A decoded
// file must encode back to a file that decodes to the same tensors.
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/core/error.h"
#include "engine/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  zkd::SafetensorsFile f;
  try {
    f = zkd::decode_safetensors(bytes, "fuzz");
  } catch (const zkd::Error&) {
    return 0;
  }
  zkd::SafetensorsFile back =
      zkd::decode_safetensors(zkd::encode_safetensors(f.tensors, f.metadata), "again");
  if (back.tensors.size() != f.tensors.size() || back.metadata != f.metadata) __builtin_trap();
  for (size_t i = 0; i < f.tensors.size(); ++i) {
    const zkd::Tensor &a = f.tensors[i].second, &b = back.tensors[i].second;
    if (back.tensors[i].first != f.tensors[i].first || a.shape() != b.shape() ||
        a.dtype() != b.dtype() || std::memcmp(a.raw(), b.raw(), a.nbytes()) != 0)
      __builtin_trap();
  }
  return 0;
}
