// The CUDA context of the engine (one per process, device 0 unless set): one compute stream,
// cuDNN and cuBLAS handles bound to it, one grow-only workspace, the math mode, and launch
// checking. Only code under engine/backend/cuda/ and datasets' GPU glue include this header.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstddef>

namespace zkd::cuda {

// Math modes: Strict = fp32 everywhere (TF32 off; parity tests use it); Fast = TF32 tensor
// cores allowed for conv and GEMM (the default for training). Switchable at run time.
enum class MathMode { Strict, Fast };
void set_math_mode(MathMode m);
MathMode math_mode();

cudaStream_t stream();          // the compute stream every op runs on
cudnnHandle_t cudnn();          // bound to stream()
cublasHandle_t cublas();        // bound to stream()
void* workspace(size_t bytes);  // grow-only scratch on the stream (valid until the next call)
void synchronize();             // waits for the compute stream

// The library settings of the current math mode: cuDNN CUDNN_FMA_MATH (Strict) or
// CUDNN_DEFAULT_MATH (Fast, TF32 allowed); cuBLAS CUBLAS_COMPUTE_32F or _32F_FAST_TF32.
cudnnMathType_t cudnn_math_type();
cublasComputeType_t cublas_compute_type();

// Throws zkd::Error naming the call, file and line when a CUDA / cuDNN / cuBLAS call fails.
void check_cuda(cudaError_t e, const char* call, const char* file, int line);
void check_cudnn(cudnnStatus_t s, const char* call, const char* file, int line);
void check_cublas(cublasStatus_t s, const char* call, const char* file, int line);
// After each kernel launch: checks the launch, and with ZKD_CUDA_SYNC=1 in the environment
// synchronizes so an asynchronous fault is reported at the launch that caused it.
void check_launch(const char* kernel, const char* file, int line);

}  // namespace zkd::cuda

#define ZKD_CUDA_CHECK(call) ::zkd::cuda::check_cuda((call), #call, __FILE__, __LINE__)
#define ZKD_CUDNN_CHECK(call) ::zkd::cuda::check_cudnn((call), #call, __FILE__, __LINE__)
#define ZKD_CUBLAS_CHECK(call) ::zkd::cuda::check_cublas((call), #call, __FILE__, __LINE__)
#define ZKD_LAUNCH_CHECK(name) ::zkd::cuda::check_launch((name), __FILE__, __LINE__)
