// For code outside the engine that launches CUDA kernels of its own (datasets/*_cuda.cpp): the
// compute stream every op runs on and the launch check, without the CUDA backend's own headers
// (cuDNN, cuBLAS, dispatch). Include only from sources compiled with CUDA.
#pragma once
#include <cuda_runtime.h>

namespace zkd::gpu {

cudaStream_t compute_stream();  // the stream every op runs on (kernels queued there stay ordered)
// Throws zkd::Error naming the kernel, file and line when the last launch failed.
void check_launch(const char* kernel, const char* file, int line);

}  // namespace zkd::gpu

#define ZKD_GPU_LAUNCH_CHECK(name) ::zkd::gpu::check_launch((name), __FILE__, __LINE__)
