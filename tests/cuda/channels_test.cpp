// CUDA vs CPU for the channel kernels (kernels/channels.cu): concat_channels, split_channels
// (each one the other's backward) and channel_shuffle (its backward is the shuffle with C / g
// groups), on float32 and on 1- and 8-byte dtypes, with plane sizes that select every copy word
// (16 bytes down to 1). Pure data movement: the results must match exactly (measured 0 on an
// NVIDIA H200, driver 580.159.04, CUDA 13.0).
#include "tests/cuda/kernel_compare.h"

namespace zkd {
namespace {

using test::gpu;
using test::random_tensor;

Tensor input(const Shape& s, uint64_t seed, DType dt) {
  return random_tensor(s, seed, DType::F64, Device::cpu(), 0, 250).to(dt);
}

struct ConcatCase {
  int64_t N, H, W;
  std::vector<int64_t> channels;
};

// hw * elem_size: 140 (4-byte words), 64 (16), 1 (1 byte for uint8), N = 1, odd channels.
const std::vector<ConcatCase> kConcats = {
    {2, 5, 7, {3, 13, 1}}, {4, 4, 4, {8, 24}}, {3, 1, 1, {5, 2, 7, 1}}, {1, 3, 3, {116, 116}}};

TEST(ChannelsCuda, ConcatAndSplit) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 1;
  for (DType dt : {DType::F32, DType::U8, DType::I64})
    for (const ConcatCase& c : kConcats) {
      SCOPED_TRACE(std::string(dtype_name(dt)) + " N=" + std::to_string(c.N) +
                   " H=" + std::to_string(c.H) + " W=" + std::to_string(c.W));
      std::vector<Tensor> xs, gxs;
      for (int64_t ch : c.channels) {
        xs.push_back(input({c.N, ch, c.H, c.W}, seed++, dt));
        gxs.push_back(gpu(xs.back()));
      }
      Tensor want = cpu::concat_channels(xs);
      Tensor got = cuda::concat_channels(gxs);
      ZKD_EXPECT_CLOSE("concat_channels", got, want, 0, 0);

      // split: the backward of concat (and back to the inputs).
      std::vector<Tensor> parts = cuda::split_channels(got, c.channels);
      std::vector<Tensor> parts_want = cpu::split_channels(want, c.channels);
      ASSERT_EQ(parts.size(), c.channels.size());
      for (size_t i = 0; i < parts.size(); ++i) {
        ZKD_EXPECT_CLOSE("split_channels", parts[i], parts_want[i], 0, 0);
        ZKD_EXPECT_CLOSE("split_channels", parts[i], xs[i], 0, 0);
      }
    }
}

TEST(ChannelsCuda, SplitUnevenSizes) {
  ZKD_REQUIRE_GPU();
  Tensor x = input({2, 21, 3, 5}, 9, DType::F32);
  std::vector<int64_t> sizes = {1, 10, 3, 7};
  std::vector<Tensor> got = cuda::split_channels(gpu(x), sizes);
  std::vector<Tensor> want = cpu::split_channels(x, sizes);
  for (size_t i = 0; i < sizes.size(); ++i)
    ZKD_EXPECT_CLOSE("split_channels", got[i], want[i], 0, 0);
  EXPECT_THROW(cuda::split_channels(gpu(x), {10, 10}), Error);
}

TEST(ChannelsCuda, ShuffleAndItsInverse) {
  ZKD_REQUIRE_GPU();
  struct Case {
    Shape x;
    int64_t groups;
  };
  uint64_t seed = 30;
  for (DType dt : {DType::F32, DType::U8, DType::I64})
    for (const Case& c : std::vector<Case>{{{2, 12, 5, 7}, 3},
                                           {{2, 12, 5, 7}, 4},
                                           {{2, 12, 5, 7}, 1},
                                           {{2, 12, 5, 7}, 12},
                                           {{1, 232, 8, 8}, 2},
                                           {{3, 9, 1, 1}, 3},
                                           {{4, 240, 4, 4}, 3}}) {
      SCOPED_TRACE(std::string(dtype_name(dt)) + " x" + shape_str(c.x) +
                   " groups=" + std::to_string(c.groups));
      Tensor x = input(c.x, seed++, dt);
      Tensor want = cpu::channel_shuffle(x, c.groups);
      Tensor got = cuda::channel_shuffle(gpu(x), c.groups);
      ZKD_EXPECT_CLOSE("channel_shuffle", got, want, 0, 0);
      // The backward: a shuffle with C / groups groups restores the input.
      Tensor back = cuda::channel_shuffle(got, c.x[1] / c.groups);
      ZKD_EXPECT_CLOSE("channel_shuffle_bwd", back, cpu::channel_shuffle(want, c.x[1] / c.groups),
                       0, 0);
      ZKD_EXPECT_CLOSE("channel_shuffle_bwd", back, x, 0, 0);
    }
}

TEST(ChannelsCuda, RejectsBadGroups) {
  ZKD_REQUIRE_GPU();
  Tensor x = gpu(input({1, 10, 2, 2}, 1, DType::F32));
  EXPECT_THROW(cuda::channel_shuffle(x, 3), Error);
  EXPECT_THROW(cuda::channel_shuffle(x, 0), Error);
}

}  // namespace
}  // namespace zkd
