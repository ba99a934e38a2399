// The GPU services of a CUDA build (engine/memory/gpu_api.h): device detection (cached, never
// throws), a description of the card and library versions, device Storage from the caching
// allocator, and copies ordered on the compute stream.
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstdio>
#include <cstring>

#include "engine/backend/cuda/allocator.h"
#include "engine/backend/cuda/context.h"
#include "engine/core/error.h"
#include "engine/memory/gpu_api.h"

namespace zkd::gpu {

namespace {

struct Detection {
  bool ok = false;
  std::string why;  // when !ok: what is missing
};

std::string version(int v) {  // CUDA's 1000 * major + 10 * minor
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

const Detection& detection() {
  static const Detection d = [] {
    Detection r;
    int driver = 0, count = 0;
    cudaError_t e = cudaDriverGetVersion(&driver);
    if (e != cudaSuccess || driver == 0) {
      cudaGetLastError();
      r.why = "no NVIDIA driver found";
      return r;
    }
    e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
      cudaGetLastError();
      r.why = std::string("no CUDA device: ") +
              (e != cudaSuccess ? cudaGetErrorString(e) : "cudaGetDeviceCount found 0");
      return r;
    }
    r.ok = true;
    return r;
  }();
  return d;
}

void check_device(const char* op, int device) {
  ZKD_CHECK(available(), op, "expected a usable CUDA device, got ", describe());
  ZKD_CHECK(device == 0, op, "expected cuda:0 (zkd drives one GPU), got cuda:", device);
}

void free_device(void* ptr, size_t, int) {
  try {
    cuda::device_free(ptr);
  } catch (const Error& e) {  // a destructor must not throw; report the broken invariant
    std::fprintf(stderr, "[zkd] %s\n", e.what());
  }
}

}  // namespace

bool built_with_cuda() {
  return true;
}

bool available() {
  return detection().ok;
}

std::string describe() {
  if (!available()) return detection().why;
  cudaDeviceProp p{};
  int driver = 0, runtime = 0;
  cudaGetDeviceProperties(&p, 0);
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  size_t cudnn = cudnnGetVersion();  // 10000 * major + 100 * minor + patch (cuDNN 9)
  char mem[32];
  std::snprintf(mem, sizeof mem, "%.1f GiB", static_cast<double>(p.totalGlobalMem) / (1 << 30));
  return std::string(p.name) + " (sm_" + std::to_string(p.major) + std::to_string(p.minor) + ", " +
         mem + ", " + std::to_string(p.multiProcessorCount) + " SMs), driver CUDA " +
         version(driver) + ", runtime CUDA " + version(runtime) + ", cuDNN " +
         std::to_string(cudnn / 10000) + "." + std::to_string(cudnn / 100 % 100) + "." +
         std::to_string(cudnn % 100);
}

std::shared_ptr<Storage> allocate(size_t bytes, int device) {
  check_device("allocate", device);
  auto s = std::make_shared<Storage>();
  s->data = cuda::device_alloc(bytes);
  s->bytes = bytes;
  s->device = Device::cuda(device);
  s->free_fn = free_device;
  return s;
}

void copy(void* dst, Device dst_dev, const void* src, Device src_dev, size_t bytes) {
  if (bytes == 0) return;
  if (dst_dev.is_cpu() && src_dev.is_cpu()) {
    std::memcpy(dst, src, bytes);
    return;
  }
  if (dst_dev.is_cuda()) check_device("copy", dst_dev.index);
  if (src_dev.is_cuda()) check_device("copy", src_dev.index);
  if (dst_dev.is_cuda() && src_dev.is_cuda()) {
    ZKD_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, cuda::stream()));
  } else if (dst_dev.is_cuda()) {
    // From pageable memory the runtime stages src before returning, so the caller may reuse it
    // at once; from pinned memory the copy is truly asynchronous, so wait to keep that promise.
    ZKD_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, cuda::stream()));
    cudaPointerAttributes attr{};
    if (cudaPointerGetAttributes(&attr, src) != cudaSuccess) cudaGetLastError();
    if (attr.type == cudaMemoryTypeHost) cuda::synchronize();
  } else {
    ZKD_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, cuda::stream()));
    cuda::synchronize();
  }
}

void synchronize() {
  if (available()) cuda::synchronize();
}

}  // namespace zkd::gpu
