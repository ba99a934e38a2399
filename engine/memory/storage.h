// Storage: one allocation on one device, shared by every Tensor that views it. The memory goes
// back to its allocator (64-byte-aligned host memory, or the CUDA caching allocator) when the
// last view is gone.
#pragma once
#include <cstddef>
#include <memory>

#include "engine/core/device.h"

namespace zkd {

struct Storage {
  using FreeFn = void (*)(void* ptr, size_t bytes, int device);
  void* data = nullptr;
  size_t bytes = 0;
  Device device;
  FreeFn free_fn = nullptr;

  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage() {
    if (free_fn && data) free_fn(data, bytes, device.index);
  }
};

// bytes on device: host memory aligned to 64 bytes, or CUDA memory from the caching allocator.
std::shared_ptr<Storage> allocate_storage(size_t bytes, Device device);

}  // namespace zkd
