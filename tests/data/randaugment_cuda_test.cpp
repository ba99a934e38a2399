// CPU vs CUDA strong views (MLKD): for the same seed and epoch, randaugment_fwd_kernel's batches
// are bit-identical to the CPU twin, over enough images that every op appears in both slots
// many times, odd batch sizes and the last partial batch included; the weak view is unchanged
// by enabling the strong one. Skips visibly without a GPU.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "datasets/loader.h"
#include "datasets/randaugment.h"
#include "engine/memory/gpu_api.h"
#include "tests/common/test_util.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {

static void expect_identical_strong(const ImageSet& s, int64_t batch, uint64_t seed,
                                    std::initializer_list<int64_t> epochs) {
  Loader cpu(s, Device::cpu(), batch, seed), gpu(s, Device::cuda(0), batch, seed);
  cpu.enable_strong_view();
  gpu.enable_strong_view();
  for (int64_t e : epochs) {
    cpu.start_epoch(e);
    gpu.start_epoch(e);
    int64_t mismatched = 0, values = 0;
    for (int64_t i = 0; i < cpu.num_batches(); ++i) {
      Batch a = cpu.batch(i), b = gpu.batch(i);
      ASSERT_TRUE(b.strong_images.is_cuda());
      ASSERT_EQ(a.strong_images.shape(), b.strong_images.shape());
      std::vector<float> x = a.strong_images.to_vector<float>(),
                         y = b.strong_images.to_vector<float>();
      for (size_t k = 0; k < x.size(); ++k)
        mismatched += std::memcmp(&x[k], &y[k], sizeof(float)) != 0;
      values += static_cast<int64_t>(x.size());
      ASSERT_EQ(a.images.to_vector<float>(), b.images.to_vector<float>())
          << "weak view, batch " << i;
    }
    std::printf("[randaugment-cuda] epoch %lld: %lld of %lld strong-view values differ\n",
                static_cast<long long>(e), static_cast<long long>(mismatched),
                static_cast<long long>(values));
    EXPECT_EQ(mismatched, 0) << "epoch " << e;
  }
}

TEST(RandAugmentCuda, StrongViewBitIdenticalToCpu) {
  ZKD_REQUIRE_GPU();
  ImageSet s = test::synthetic_set(2003, 41);  // 31 batches of 64 and one of 19
  int seen[kRaNumOps][kRaOpsPerImage] = {};
  for (int64_t i = 0; i < s.size(); ++i) {
    RaDraw d = ra_draw(99, 1, static_cast<uint64_t>(i));
    for (int k = 0; k < kRaOpsPerImage; ++k) ++seen[d.op[k]][k];
  }
  for (int op = 0; op < kRaNumOps; ++op)
    for (int k = 0; k < kRaOpsPerImage; ++k) EXPECT_GT(seen[op][k], 50) << "op " << op;
  expect_identical_strong(s, 64, 99, {1, 2});
  expect_identical_strong(s, 333, 12345678901ull, {0});
}

TEST(RandAugmentCuda, StrongViewOfRealImagesBitIdenticalToCpu) {
  ZKD_REQUIRE_GPU();
  const char* path = std::getenv("ZKD_CIFAR100");
  if (!path || !*path) GTEST_SKIP() << "ZKD_CIFAR100 is not set: real-image check skipped";
  ImageSet test = load_cifar100_split(path, "test");
  expect_identical_strong(test, 512, 7, {0});
}

// Cost of a whole epoch of batches with and without the strong view (printed for
// docs/randaugment.md; no bound).
TEST(RandAugmentCuda, EpochTime) {
  ZKD_REQUIRE_GPU();
  ImageSet s = test::synthetic_set(50000, 43);
  for (int64_t batch : {64, 512}) {
    for (bool strong : {false, true}) {
      Loader l(s, Device::cuda(0), batch, 1);
      if (strong) l.enable_strong_view();
      l.batch(0);
      gpu::synchronize();
      auto t0 = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < l.num_batches(); ++i) l.batch(i);
      gpu::synchronize();
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      std::printf("[randaugment-cuda] batch %lld, %s: %.2f ms per epoch (%.1f us per batch)\n",
                  static_cast<long long>(batch), strong ? "weak + strong" : "weak only", ms,
                  1000.0 * ms / static_cast<double>(l.num_batches()));
    }
  }
}

}  // namespace zkd::data
