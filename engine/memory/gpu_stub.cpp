// The GPU services of a build without CUDA: nothing is available, and asking for device memory
// or a device copy is an error that says so.
#include "engine/core/error.h"
#include "engine/memory/gpu_api.h"

namespace zkd::gpu {

bool built_with_cuda() {
  return false;
}
bool available() {
  return false;
}
std::string describe() {
  return "no GPU: zkd was built without CUDA (-DZKD_CUDA=OFF)";
}

std::shared_ptr<Storage> allocate(size_t bytes, int device) {
  ZKD_FAIL("cuda", "expected a build with CUDA to allocate ", bytes, " bytes on cuda:", device,
           ", got a CPU-only build (built without CUDA)");
}

void copy(void* dst, Device dst_dev, const void* src, Device src_dev, size_t bytes) {
  ZKD_FAIL("cuda", "expected a build with CUDA to copy ", src_dev.str(), " -> ", dst_dev.str(),
           ", got a CPU-only build (built without CUDA)");
}

void synchronize() {}

MemoryStats memory_stats() {
  return {};
}
void reset_peak_memory() {}
DeviceMemory device_memory() {
  return {};
}
void set_strict_math(bool) {}
bool strict_math() {
  return true;
}

DeviceTimer::DeviceTimer() = default;
DeviceTimer::~DeviceTimer() = default;
void DeviceTimer::start() {
  ZKD_FAIL("DeviceTimer", "expected a build with CUDA, got a CPU-only build");
}
double DeviceTimer::stop_ms() {
  ZKD_FAIL("DeviceTimer", "expected a build with CUDA, got a CPU-only build");
}

}  // namespace zkd::gpu
