// The few CUDA runtime services the device-independent code needs (allocation, copies,
// availability), behind a header without CUDA types. A CPU-only build links a version whose
// available() is false and whose other functions throw "built without CUDA".
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "engine/core/device.h"
#include "engine/memory/storage.h"

namespace zkd::gpu {

bool built_with_cuda();
bool available();            // built with CUDA, a driver, and at least one device
std::string describe();      // "NVIDIA H100 80GB HBM3, driver 580.x, CUDA runtime 13.0, cuDNN 9.x"
std::shared_ptr<Storage> allocate(size_t bytes, int device);
// Copies bytes between any two devices. Host<-device copies wait for the compute stream; the
// others are queued on it (host->device copies are staged, so src may be reused at once).
void copy(void* dst, Device dst_dev, const void* src, Device src_dev, size_t bytes);
void synchronize();          // waits for the compute stream

}  // namespace zkd::gpu
