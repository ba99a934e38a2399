// The few CUDA runtime services the device-independent code needs (allocation, copies,
// availability), behind a header without CUDA types. A CPU-only build links a version whose
// available() is false and whose other functions throw "built without CUDA".
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/device.h"
#include "engine/memory/storage.h"

namespace zkd::gpu {

bool built_with_cuda();
bool available();        // built with CUDA, a driver, and at least one device
std::string describe();  // "NVIDIA H100 80GB HBM3, driver 580.x, CUDA runtime 13.0, cuDNN 9.x"
std::shared_ptr<Storage> allocate(size_t bytes, int device);
// Copies bytes between any two devices. Host<-device copies wait for the compute stream; the
// others are queued on it (host->device copies are staged, so src may be reused at once).
void copy(void* dst, Device dst_dev, const void* src, Device src_dev, size_t bytes);
void synchronize();  // waits for the compute stream

// Device memory of the caching allocator, in bytes (all zero without CUDA).
struct MemoryStats {
  int64_t allocated = 0, peak_allocated = 0, reserved = 0, peak_reserved = 0, device_mallocs = 0;
};
MemoryStats memory_stats();
void reset_peak_memory();
// Free and total memory of the current device, in bytes (cudaMemGetInfo; zeros without CUDA).
struct DeviceMemory {
  int64_t free = 0, total = 0;
};
DeviceMemory device_memory();
// Math mode of conv and GEMM: true = strict fp32 (TF32 off), false = TF32 allowed (default).
void set_strict_math(bool strict);
bool strict_math();

// Device time between start() and stop_ms() on the compute stream (CUDA events); stop_ms waits.
class DeviceTimer {
 public:
  DeviceTimer();
  ~DeviceTimer();
  DeviceTimer(const DeviceTimer&) = delete;
  DeviceTimer& operator=(const DeviceTimer&) = delete;
  void start();
  double stop_ms();

 private:
  void* begin_ = nullptr;
  void* end_ = nullptr;
};

}  // namespace zkd::gpu
