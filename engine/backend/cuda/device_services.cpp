// The measurement services of gpu_api.h on CUDA (allocator statistics, the math-mode switch, an
// event timer on the compute stream) and the launch services of gpu_launch.h.
#include "engine/backend/cuda/allocator.h"
#include "engine/backend/cuda/context.h"
#include "engine/memory/gpu_api.h"
#include "engine/memory/gpu_launch.h"

namespace zkd::gpu {

cudaStream_t compute_stream() {
  return cuda::stream();
}

void check_launch(const char* kernel, const char* file, int line) {
  cuda::check_launch(kernel, file, line);
}

MemoryStats memory_stats() {
  cuda::AllocatorStats a = cuda::allocator_stats();
  MemoryStats m;
  m.allocated = static_cast<int64_t>(a.allocated);
  m.peak_allocated = static_cast<int64_t>(a.peak_allocated);
  m.reserved = static_cast<int64_t>(a.reserved);
  m.peak_reserved = static_cast<int64_t>(a.peak_reserved);
  m.device_mallocs = a.device_mallocs;
  return m;
}

void reset_peak_memory() {
  cuda::reset_peak_stats();
}

DeviceMemory device_memory() {
  size_t free_b = 0, total_b = 0;
  ZKD_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
  return {static_cast<int64_t>(free_b), static_cast<int64_t>(total_b)};
}

void set_strict_math(bool strict) {
  cuda::set_math_mode(strict ? cuda::MathMode::Strict : cuda::MathMode::Fast);
}

bool strict_math() {
  return cuda::math_mode() == cuda::MathMode::Strict;
}

DeviceTimer::DeviceTimer() {
  cudaEvent_t b, e;
  ZKD_CUDA_CHECK(cudaEventCreate(&b));
  ZKD_CUDA_CHECK(cudaEventCreate(&e));
  begin_ = b;
  end_ = e;
}

DeviceTimer::~DeviceTimer() {
  cudaEventDestroy(static_cast<cudaEvent_t>(begin_));
  cudaEventDestroy(static_cast<cudaEvent_t>(end_));
}

void DeviceTimer::start() {
  ZKD_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(begin_), cuda::stream()));
}

double DeviceTimer::stop_ms() {
  ZKD_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(end_), cuda::stream()));
  ZKD_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(end_)));
  float ms = 0;
  ZKD_CUDA_CHECK(
      cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(begin_), static_cast<cudaEvent_t>(end_)));
  return ms;
}

}  // namespace zkd::gpu
