// libFuzzer harness: a teacher-logit cache file's prefix and header as `--teacher-cache` reads
// them (parse_cache_header, apps/run/teacher_cache.h). The input's first 8 bytes (little-endian)
// are the file's size, the rest the file's first bytes (the reader gives it at most the prefix
// and 64 KiB of header). Each input is read twice: with that size, and with the size its header
// claims (prefix + header + images x 162 x classes float32), so that mutations of the header
// reach the checks after the size's. Either a zkd::Error or a binding whose table starts within
// the bytes read and ends at the file's end.
#include <cstdint>
#include <string>

#include "apps/run/teacher_cache.h"
#include "engine/core/error.h"
#include "engine/io/json_limits.h"

namespace {
using u128 = unsigned __int128;

// The file size a header claims, or 0 when it claims none.
uint64_t claimed_size(const std::string& bytes) {
  if (bytes.size() < 16) return 0;
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  if (n > bytes.size() - 16) return 0;
  try {
    const auto h = zkd::parse_json_limited<nlohmann::json>(bytes.substr(16, n), "fuzz", n);
    const auto images = h.at("images").get<int64_t>(), classes = h.at("classes").get<int64_t>();
    if (images < 0 || classes < 0 || images > (int64_t(1) << 40) || classes > (int64_t(1) << 40))
      return 0;
    const u128 size = u128(16 + n) + u128(images) * zkd::app::kCacheViews * u128(classes) * 4;
    return size >> 64 ? 0 : static_cast<uint64_t>(size);
  } catch (const std::exception&) {
    return 0;
  }
}

void check(const std::string& bytes, uint64_t file_size) {
  try {
    uint64_t offset = 0;
    const zkd::app::CacheBinding b =
        zkd::app::parse_cache_header(bytes, file_size, &offset, "fuzz.bin");
    if (offset < 16 || offset > bytes.size() || b.classes < 2 || b.images < 1) __builtin_trap();
    const u128 table = u128(b.images) * zkd::app::kCacheViews * u128(b.classes) * 4;
    if (offset + table != file_size) __builtin_trap();
  } catch (const zkd::Error&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t file_size = 0;
  for (int i = 0; i < 8; ++i) file_size |= static_cast<uint64_t>(data[i]) << (8 * i);
  const std::string bytes(reinterpret_cast<const char*>(data) + 8, size - 8);
  check(bytes, file_size);
  if (const uint64_t claimed = claimed_size(bytes); claimed != 0 && claimed != file_size)
    check(bytes, claimed);
  return 0;
}
