// The CUDA runtime pieces: the caching allocator (no cudaMalloc in steady state, 512-byte
// rounding, best fit with splitting and merging, peak accounting, free-the-cache-and-retry on
// out-of-memory, the OOM error text), device Storage through Tensor, the copies of gpu_api.h,
// the context (math mode, grow-only workspace) and the error checks.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "engine/backend/cuda/allocator.h"
#include "tests/cuda/gpu_compare.h"

namespace zkd {
namespace {

using cuda::allocator_stats;
using cuda::device_alloc;
using cuda::device_free;

// Restores "no memory limit" however the test ends.
struct LimitGuard {
  explicit LimitGuard(size_t bytes) { cuda::set_memory_limit(bytes); }
  ~LimitGuard() { cuda::set_memory_limit(0); }
};

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(AllocatorCuda, SteadyStateMakesNoNewDeviceAllocations) {
  ZKD_REQUIRE_GPU();
  cuda::stream();  // the context (and its cuBLAS workspace) exists before counting
  // Small, exactly 1 MiB, just over it, mid-size (20 MiB segments) and large requests.
  const size_t pattern[] = {1,       100, 4096,     512 << 10, 1 << 20, (1 << 20) + 1,
                            3 << 20, 700, 25 << 20, 9 << 20};
  int64_t after_first = -1;
  for (int it = 0; it < 6; ++it) {
    std::vector<void*> blocks;
    for (size_t s : pattern) {
      blocks.push_back(device_alloc(s));
      ASSERT_EQ(cudaMemsetAsync(blocks.back(), 0xab, s, cuda::stream()), cudaSuccess);
    }
    // Free in a different order each time (merging must give the same segments back).
    for (size_t i = 0; i < blocks.size(); ++i)
      device_free(blocks[(i * 7 + static_cast<size_t>(it)) % blocks.size()]);
    if (it == 0)
      after_first = allocator_stats().device_mallocs;
    else
      EXPECT_EQ(allocator_stats().device_mallocs, after_first) << "iteration " << it;
  }
  // The same through Tensors: their Storage returns each block on destruction.
  for (int it = 0; it < 4; ++it) {
    Tensor a = Tensor::empty({64, 3, 32, 32}, DType::F32, Device::cuda(0));
    Tensor b = Tensor::empty({1000}, DType::I64, Device::cuda(0));
    Tensor c = Tensor::empty({7, 13}, DType::F32, Device::cuda(0));
    if (it == 0) after_first = allocator_stats().device_mallocs;
    EXPECT_EQ(allocator_stats().device_mallocs, after_first) << "tensor iteration " << it;
  }
  EXPECT_EQ(cudaStreamSynchronize(cuda::stream()), cudaSuccess);
}

TEST(AllocatorCuda, RoundsTo512AndTracksPeaks) {
  ZKD_REQUIRE_GPU();
  cuda::stream();
  cuda::empty_cache();
  cuda::reset_peak_stats();
  const cuda::AllocatorStats s0 = allocator_stats();
  EXPECT_EQ(s0.peak_allocated, s0.allocated);

  void* a = device_alloc(1);
  EXPECT_EQ(cuda::block_size(a), 512u);
  EXPECT_EQ(allocator_stats().allocated, s0.allocated + 512);
  void* b = device_alloc(3 << 20);  // large pool: split exactly, or a tail of at most 1 MiB kept
  size_t bsize = cuda::block_size(b);
  EXPECT_GE(bsize, size_t(3) << 20);
  EXPECT_LE(bsize, size_t(4) << 20);
  const size_t peak = s0.allocated + 512 + bsize;
  EXPECT_EQ(allocator_stats().allocated, peak);
  EXPECT_EQ(allocator_stats().peak_allocated, peak);
  device_free(b);
  EXPECT_EQ(allocator_stats().allocated, s0.allocated + 512);
  EXPECT_EQ(allocator_stats().peak_allocated, peak);  // the peak stays
  void* c = device_alloc(1000);
  EXPECT_EQ(cuda::block_size(c), 1024u);
  EXPECT_EQ(allocator_stats().peak_allocated, peak);

  cuda::AllocatorStats s = allocator_stats();
  EXPECT_GE(s.reserved, s.allocated);
  EXPECT_GE(s.peak_reserved, s.reserved);
  cuda::reset_peak_stats();
  EXPECT_EQ(allocator_stats().peak_allocated, s.allocated);
  device_free(a);
  device_free(c);
  EXPECT_EQ(allocator_stats().allocated, s0.allocated);
}

TEST(AllocatorCuda, BestFitSplitsAndMergesCachedBlocks) {
  ZKD_REQUIRE_GPU();
  cuda::stream();
  cuda::empty_cache();  // what stays cached are tails of live segments: all under 20 MiB
  char* big = static_cast<char*>(device_alloc(60 << 20));  // its own 60 MiB segment
  const int64_t mallocs = allocator_stats().device_mallocs;
  device_free(big);
  // Both carved from the cached segment, in address order, without a cudaMalloc.
  void* a = device_alloc(24 << 20);
  void* b = device_alloc(30 << 20);
  EXPECT_EQ(a, big);
  EXPECT_EQ(b, big + (24 << 20));
  EXPECT_EQ(cuda::block_size(b), size_t(30) << 20);  // split off the remaining 36 MiB
  EXPECT_EQ(allocator_stats().device_mallocs, mallocs);
  device_free(a);
  device_free(b);
  // Merged back into one block: the whole segment serves a 60 MiB request again.
  EXPECT_EQ(device_alloc(60 << 20), big);
  EXPECT_EQ(allocator_stats().device_mallocs, mallocs);
  device_free(big);
  const int64_t frees = allocator_stats().device_frees;
  const size_t reserved = allocator_stats().reserved;
  cuda::empty_cache();
  EXPECT_GE(allocator_stats().device_frees, frees + 1);
  EXPECT_LE(allocator_stats().reserved, reserved - (size_t(60) << 20));
}

TEST(AllocatorCuda, OutOfMemoryFreesTheCacheRetriesThenNamesSizeAndPeaks) {
  ZKD_REQUIRE_GPU();
  cuda::stream();
  cuda::empty_cache();
  const size_t base = allocator_stats().reserved;
  device_free(device_alloc(40 << 20));  // a new 40 MiB segment, now cached and unused
  const int64_t frees = allocator_stats().device_frees, ooms = allocator_stats().ooms;
  LimitGuard limit(base + (64 << 20));
  // 60 MiB fits under the limit only once the cached 40 MiB are returned: free and retry.
  void* p = device_alloc(60 << 20);
  EXPECT_EQ(allocator_stats().device_frees, frees + 1);
  EXPECT_EQ(allocator_stats().ooms, ooms);
  try {
    device_alloc(size_t(256) << 20);
    FAIL() << "expected an out-of-memory error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_TRUE(contains(m, "cuda allocator: out of memory")) << m;
    EXPECT_TRUE(contains(m, "268435456 bytes")) << m;  // the request
    EXPECT_TRUE(contains(m, "peak")) << m;
    EXPECT_TRUE(contains(m, "memory limit")) << m;
  }
  EXPECT_EQ(allocator_stats().ooms, ooms + 1);
  device_free(p);
  // The allocator still works after the error.
  void* q = device_alloc(1 << 20);
  EXPECT_NE(q, nullptr);
  device_free(q);
}

TEST(AllocatorCuda, RejectsUnknownPointersAndDoubleFrees) {
  ZKD_REQUIRE_GPU();
  int on_stack = 0;
  EXPECT_THROW(device_free(&on_stack), Error);
  void* p = device_alloc(4096);
  device_free(p);
  try {
    device_free(p);
    FAIL() << "expected an error for a double free";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "double free")) << e.what();
  }
}

TEST(RuntimeCuda, CopiesRoundTripAndHostSourceIsReusableAtOnce) {
  ZKD_REQUIRE_GPU();
  EXPECT_TRUE(gpu::built_with_cuda());
  EXPECT_TRUE(gpu::available());
  std::string d = gpu::describe();
  std::printf("[zkd-device] %s\n", d.c_str());  // for tests/gpu/check.sh's summary
  EXPECT_TRUE(contains(d, "sm_") && contains(d, "cuDNN 9") && contains(d, "driver")) << d;

  const int64_t n = 100003;  // not a multiple of any block size
  Tensor host = test::random_tensor({n}, 3, DType::F32);
  std::vector<float> want = host.to_vector<float>();
  Tensor dev = Tensor::empty({n}, DType::F32, Device::cuda(0));
  gpu::copy(dev.raw(), Device::cuda(0), host.raw(), Device::cpu(), host.nbytes());
  std::fill(host.data<float>(), host.data<float>() + n, 0.0f);  // reuse the source at once
  Tensor dev2 = Tensor::empty({n}, DType::F32, Device::cuda(0));
  gpu::copy(dev2.raw(), Device::cuda(0), dev.raw(), Device::cuda(0), dev.nbytes());
  std::vector<float> got(n);
  gpu::copy(got.data(), Device::cpu(), dev2.raw(), Device::cuda(0), dev2.nbytes());
  EXPECT_EQ(got, want);
  EXPECT_THROW(gpu::allocate(16, 1), Error);  // zkd drives cuda:0 only
}

TEST(ContextCuda, MathModeWorkspaceAndErrorChecks) {
  ZKD_REQUIRE_GPU();
  {
    test::MathModeGuard fast(cuda::MathMode::Fast);
    EXPECT_EQ(cuda::cudnn_math_type(), CUDNN_DEFAULT_MATH);
    EXPECT_EQ(cuda::cublas_compute_type(), CUBLAS_COMPUTE_32F_FAST_TF32);
    test::MathModeGuard strict(cuda::MathMode::Strict);
    EXPECT_EQ(cuda::math_mode(), cuda::MathMode::Strict);
    EXPECT_EQ(cuda::cudnn_math_type(), CUDNN_FMA_MATH);
    EXPECT_EQ(cuda::cublas_compute_type(), CUBLAS_COMPUTE_32F);
  }
  // The workspace only grows: a smaller request returns the same memory.
  void* w1 = cuda::workspace(3 << 20);
  EXPECT_EQ(cuda::workspace(1000), w1);
  EXPECT_EQ(cuda::workspace(3 << 20), w1);
  EXPECT_NE(cuda::workspace(9 << 20), nullptr);

  try {
    ZKD_CUDA_CHECK(cudaErrorInvalidValue);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_TRUE(contains(m, "cudaErrorInvalidValue") && contains(m, "allocator_test.cpp")) << m;
  }
  try {
    ZKD_CUDNN_CHECK(CUDNN_STATUS_BAD_PARAM);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "CUDNN_STATUS_BAD_PARAM")) << e.what();
  }
  try {
    ZKD_CUBLAS_CHECK(CUBLAS_STATUS_INVALID_VALUE);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "CUBLAS_STATUS_INVALID_VALUE")) << e.what();
  }
  // A failed launch is reported by the check after it (here: a host function as the kernel).
  EXPECT_NO_THROW(ZKD_LAUNCH_CHECK("nothing_launched"));
  void* no_args[] = {nullptr};
  EXPECT_NE(cudaLaunchKernel(reinterpret_cast<const void*>(&contains), dim3(1), dim3(1), no_args, 0,
                             cuda::stream()),
            cudaSuccess);
  try {
    ZKD_LAUNCH_CHECK("contains");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "expected kernel contains to launch")) << e.what();
  }
}

}  // namespace
}  // namespace zkd
