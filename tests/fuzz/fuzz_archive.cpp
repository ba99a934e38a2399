// libFuzzer harness: read_archive (libarchive, tar / tar.gz) on arbitrary bytes, with small
// limits so that a claimed size cannot make a run slow; a result or a zkd::Error only.
#include <cstdint>
#include <string>

#include "datasets/archive.h"
#include "engine/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  zkd::data::ArchiveLimits limits{64, 1 << 20, 4 << 20};
  try {
    for (const zkd::data::ArchiveMember& m : zkd::data::read_archive(bytes, {}, "fuzz", limits))
      if (m.bytes.size() > limits.max_member_bytes) __builtin_trap();
    zkd::data::read_archive(bytes, {"train.bin", "test.bin"}, "fuzz", limits);
  } catch (const zkd::Error&) {
  }
  return 0;
}
