// memory_use: /proc/self/statm through the one input reader, the allocator's counters through
// gpu_api.h.
#include "apps/report/memory_use.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>

#include "engine/core/error.h"
#include "engine/io/input_file.h"
#include "engine/memory/gpu_api.h"

namespace zkd::app {

namespace {
constexpr double kMiB = 1024.0 * 1024.0;

// The resident set in bytes: /proc/self/statm's second field (pages). /proc files report size 0,
// so the text is read with read_some (the file is a few dozen bytes); NaN without /proc.
double resident_bytes() {
  try {
    InputFile f("/proc/self/statm", "memory", kNoSizeCap);
    char text[256] = {};
    size_t n = 0, got = 0;
    while (n + 1 < sizeof text && (got = f.read_some(text + n, sizeof text - 1 - n)) > 0) n += got;
    char* end = nullptr;
    std::strtoll(text, &end, 10);                         // size (pages)
    const long long pages = std::strtoll(end, &end, 10);  // resident (pages)
    const long page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : NAN;
  } catch (const Error&) {
    return NAN;
  }
}
}  // namespace

MemoryUse memory_use(bool cuda) {
  MemoryUse m;
  m.rss_mb = resident_bytes() / kMiB;
  if (cuda) {
    const gpu::MemoryStats s = gpu::memory_stats();
    m.gpu_allocated_mb = static_cast<double>(s.allocated) / kMiB;
    m.gpu_reserved_mb = static_cast<double>(s.reserved) / kMiB;
  } else {
    m.gpu_allocated_mb = m.gpu_reserved_mb = NAN;
  }
  return m;
}

}  // namespace zkd::app
