// CPU vs CUDA batches: for the same seed and epoch, the CUDA kernel's batches (train: shuffle,
// crop, flip, normalize; test: normalize) are bit-identical to the CPU reference, odd sizes and
// the last partial batch included. Skips visibly without a GPU.
#include <gtest/gtest.h>

#include <cstring>

#include "datasets/loader.h"
#include "tests/common/test_util.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {

static void expect_identical_epochs(const ImageSet& s, int64_t batch, uint64_t seed, bool train,
                                    std::initializer_list<int64_t> epochs) {
  Loader cpu(s, Device::cpu(), batch, seed, train), gpu(s, Device::cuda(0), batch, seed, train);
  ASSERT_EQ(cpu.num_batches(), gpu.num_batches());
  for (int64_t e : epochs) {
    cpu.start_epoch(e);
    gpu.start_epoch(e);
    for (int64_t i = 0; i < cpu.num_batches(); ++i) {
      Batch a = cpu.batch(i), b = gpu.batch(i);
      ASSERT_TRUE(b.images.is_cuda() && b.labels.is_cuda());
      ASSERT_EQ(a.images.shape(), b.images.shape());
      std::vector<float> x = a.images.to_vector<float>(), y = b.images.to_vector<float>();
      ASSERT_EQ(0, std::memcmp(x.data(), y.data(), x.size() * sizeof(float)))
          << "epoch " << e << " batch " << i << (train ? " (train)" : " (test)");
      ASSERT_EQ(a.labels.to_vector<int64_t>(), b.labels.to_vector<int64_t>());
    }
  }
}

TEST(AugmentCuda, TrainBatchesBitIdenticalToCpu) {
  ZKD_REQUIRE_GPU();
  ImageSet s = test::synthetic_set(203, 21);  // 3 batches of 64 and one of 11
  expect_identical_epochs(s, 64, 99, true, {0, 1, 17});
  ImageSet big = test::synthetic_set(5000, 22);  // 9 batches of 512 and one of 392
  expect_identical_epochs(big, 512, 12345678901ull, true, {4});
}

TEST(AugmentCuda, TestBatchesBitIdenticalToCpu) {
  ZKD_REQUIRE_GPU();
  ImageSet s = test::synthetic_set(150, 23);
  expect_identical_epochs(s, 64, 0, false, {0});
}

TEST(AugmentCuda, BatchBuffersAreReused) {
  ZKD_REQUIRE_GPU();
  ImageSet s = test::synthetic_set(300, 24);
  Loader gpu(s, Device::cuda(0), 64, 5);
  void* first = gpu.batch(0).images.raw();
  for (int64_t i = 1; i < gpu.num_batches(); ++i) EXPECT_EQ(gpu.batch(i).images.raw(), first);
}

}  // namespace zkd::data
