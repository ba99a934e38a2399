// libFuzzer harness: decode_image_32 (the JPEG segment check, then stb_image with the size caps)
// on arbitrary bytes; a [3, 32, 32] image or a zkd::Error only.
#include <cstdint>
#include <string>

#include "datasets/image_io.h"
#include "engine/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    zkd::Tensor t = zkd::data::decode_image_32(bytes, "fuzz");
    if (t.numel() != 3 * 32 * 32) __builtin_trap();
  } catch (const zkd::Error&) {
  }
  return 0;
}
