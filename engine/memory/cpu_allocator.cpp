// Host allocation (64-byte aligned) and the device switch of allocate_storage.
#include <cstdlib>

#include "engine/core/error.h"
#include "engine/memory/gpu_api.h"
#include "engine/memory/storage.h"

namespace zkd {

namespace {
void free_host(void* p, size_t, int) {
  std::free(p);
}
}  // namespace

std::shared_ptr<Storage> allocate_storage(size_t bytes, Device device) {
  if (device.is_cuda()) return gpu::allocate(bytes, device.index);
  auto s = std::make_shared<Storage>();
  size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  s->data = std::aligned_alloc(64, rounded);
  ZKD_CHECK(s->data != nullptr, "allocate", "could not allocate ", bytes, " bytes of host memory");
  s->bytes = bytes;
  s->device = device;
  s->free_fn = free_host;
  return s;
}

}  // namespace zkd
