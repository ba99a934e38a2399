// libFuzzer harness: the CIFAR-100 record parser and the class-name list parser on arbitrary
// bytes (the first byte picks which); anything but a result or a zkd::Error is a finding.
#include <cstdint>
#include <string>

#include "datasets/cifar100.h"
#include "engine/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] & 1) {
      zkd::data::ImageSet s = zkd::data::parse_cifar100_records(bytes, "fuzz");
      // The writer is the reader's inverse.
      if (zkd::data::encode_cifar100_records(s) != bytes) __builtin_trap();
    } else {
      zkd::data::parse_label_names(bytes, data[0] >> 1, "fuzz");
    }
  } catch (const zkd::Error&) {
  }
  return 0;
}
