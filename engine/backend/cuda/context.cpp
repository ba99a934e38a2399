// The per-process CUDA context (see context.h): created on first use for device 0 with one
// non-blocking compute stream, cuDNN and cuBLAS handles bound to it, a fixed cuBLAS workspace and a
// grow-only scratch workspace (both from the caching allocator), plus the math mode and the error
// checks shared by every CUDA source.
#include "engine/backend/cuda/context.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "engine/backend/cuda/allocator.h"
#include "engine/core/error.h"
#include "engine/memory/gpu_api.h"

namespace zkd::cuda {

namespace {

// cuBLAS's own scratch: 32 MiB is what NVIDIA recommends for Hopper. Set explicitly so cuBLAS
// never allocates behind the caching allocator (and so a later CUDA-graph capture is safe).
constexpr size_t kCublasWorkspace = 32 << 20;

struct Context {
  cudaStream_t stream = nullptr;
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
  int cublas_mode = -1;  // the MathMode last applied to the cuBLAS handle
  std::mutex ws_mu;
  void* ws = nullptr;
  size_t ws_bytes = 0;
};

Context* make_context() {
  ZKD_CHECK(gpu::available(), "cuda", "expected a usable CUDA device to create the context, got ",
            gpu::describe());
  auto* c = new Context;  // never destroyed: handles outlive static tensors at exit
  ZKD_CUDA_CHECK(cudaSetDevice(0));
  ZKD_CUDA_CHECK(cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking));
  ZKD_CUDNN_CHECK(cudnnCreate(&c->cudnn));
  ZKD_CUDNN_CHECK(cudnnSetStream(c->cudnn, c->stream));
  ZKD_CUBLAS_CHECK(cublasCreate(&c->cublas));
  ZKD_CUBLAS_CHECK(cublasSetStream(c->cublas, c->stream));
  ZKD_CUBLAS_CHECK(cublasSetWorkspace(c->cublas, device_alloc(kCublasWorkspace), kCublasWorkspace));
  return c;
}

Context& ctx() {
  static Context* c = make_context();  // a throwing first call is retried by the next one
  return *c;
}

MathMode mode_from_env() {
  const char* v = std::getenv("ZKD_MATH");
  if (!v || !*v || std::strcmp(v, "fast") == 0) return MathMode::Fast;
  if (std::strcmp(v, "strict") == 0) return MathMode::Strict;
  ZKD_FAIL("cuda", "expected ZKD_MATH to be \"strict\" or \"fast\", got \"", v, "\"");
}

std::atomic<int> g_mode{-1};  // -1: not yet read from the environment

bool sync_after_launch() {
  static const bool on = [] {
    const char* v = std::getenv("ZKD_CUDA_SYNC");
    return v && std::strcmp(v, "1") == 0;
  }();
  return on;
}

}  // namespace

void set_math_mode(MathMode m) {
  g_mode.store(static_cast<int>(m));
}

MathMode math_mode() {
  int m = g_mode.load();
  if (m < 0) {
    int expected = -1;
    g_mode.compare_exchange_strong(expected, static_cast<int>(mode_from_env()));
    m = g_mode.load();
  }
  return static_cast<MathMode>(m);
}

cudaStream_t stream() {
  return ctx().stream;
}
cudnnHandle_t cudnn() {
  return ctx().cudnn;
}

cublasHandle_t cublas() {
  Context& c = ctx();
  int m = static_cast<int>(math_mode());
  if (c.cublas_mode != m) {
    // Strict: no tensor-op math for fp32; Fast: TF32 tensor cores allowed.
    ZKD_CUBLAS_CHECK(cublasSetMathMode(c.cublas, m == static_cast<int>(MathMode::Strict)
                                                     ? CUBLAS_DEFAULT_MATH
                                                     : CUBLAS_TF32_TENSOR_OP_MATH));
    c.cublas_mode = m;
  }
  return c.cublas;
}

void* workspace(size_t bytes) {
  Context& c = ctx();
  std::lock_guard<std::mutex> lock(c.ws_mu);
  if (bytes > c.ws_bytes) {
    // The old block goes back to the cache; work already queued on the one stream that uses it
    // runs before anything queued later can reuse it.
    if (c.ws) device_free(c.ws);
    c.ws = nullptr;
    c.ws_bytes = 0;
    c.ws = device_alloc(bytes);
    c.ws_bytes = block_size(c.ws);
  }
  return c.ws;
}

void synchronize() {
  ZKD_CUDA_CHECK(cudaStreamSynchronize(stream()));
}

cudnnMathType_t cudnn_math_type() {
  return math_mode() == MathMode::Strict ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH;
}

cublasComputeType_t cublas_compute_type() {
  return math_mode() == MathMode::Strict ? CUBLAS_COMPUTE_32F : CUBLAS_COMPUTE_32F_FAST_TF32;
}

void check_cuda(cudaError_t e, const char* call, const char* file, int line) {
  if (e == cudaSuccess) return;
  ZKD_FAIL("cuda", "expected cudaSuccess from ", call, " at ", file, ":", line, ", got ",
           cudaGetErrorName(e), " (", cudaGetErrorString(e), ")");
}

void check_cudnn(cudnnStatus_t s, const char* call, const char* file, int line) {
  if (s == CUDNN_STATUS_SUCCESS) return;
  char detail[512] = {0};
  cudnnGetLastErrorString(detail, sizeof detail);
  ZKD_FAIL("cudnn", "expected CUDNN_STATUS_SUCCESS from ", call, " at ", file, ":", line, ", got ",
           cudnnGetErrorString(s), detail[0] ? std::string(" (") + detail + ")" : "");
}

void check_cublas(cublasStatus_t s, const char* call, const char* file, int line) {
  if (s == CUBLAS_STATUS_SUCCESS) return;
  ZKD_FAIL("cublas", "expected CUBLAS_STATUS_SUCCESS from ", call, " at ", file, ":", line,
           ", got ", cublasGetStatusName(s), " (", cublasGetStatusString(s), ")");
}

void check_launch(const char* kernel, const char* file, int line) {
  cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess)
    ZKD_FAIL("cuda", "expected kernel ", kernel, " to launch at ", file, ":", line, ", got ",
             cudaGetErrorName(e), " (", cudaGetErrorString(e), ")");
  if (!sync_after_launch()) return;
  e = cudaStreamSynchronize(stream());
  if (e != cudaSuccess)
    ZKD_FAIL("cuda", "expected kernel ", kernel, " launched at ", file, ":", line,
             " to run (ZKD_CUDA_SYNC=1), got ", cudaGetErrorName(e), " (", cudaGetErrorString(e),
             ")");
}

}  // namespace zkd::cuda
