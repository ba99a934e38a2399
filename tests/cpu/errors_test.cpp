// Error paths: wrong rank, mismatched shapes, mixed devices and wrong dtypes raise zkd::Error
// with a message that names the op, what it expected and what it got.
#include <gtest/gtest.h>

#include "engine/ops/ops.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

// Runs f and checks that it throws zkd::Error whose message contains every fragment.
template <typename F>
void expect_error(F&& f, std::initializer_list<const char*> fragments) {
  try {
    f();
    ADD_FAILURE() << "expected a zkd::Error";
  } catch (const Error& e) {
    for (const char* frag : fragments)
      EXPECT_NE(std::string(e.what()).find(frag), std::string::npos)
          << "message '" << e.what() << "' lacks '" << frag << "'";
  }
}

Variable v(const Shape& s, DType dt = DType::F32) {
  return Variable(test::random_tensor(s, 1, dt));
}

// A tensor that claims to live on cuda:0 (never dereferenced: the device check comes first).
Variable on_fake_gpu(const Shape& s) {
  auto st = std::make_shared<Storage>();
  st->device = Device::cuda(0);
  return Variable(Tensor(st, s, contiguous_strides(s), 0, DType::F32));
}

TEST(Errors, WrongRank) {
  expect_error(
      [] {
        conv2d(v({8, 3, 32}), v({4, 3, 3, 3}), Variable(), {});
      },
      {"conv2d: expected a 4-D NCHW input, got shape [8, 3, 32]"});
  Tensor rm = zeros({3}), rvar = ones({3});
  expect_error(
      [&] {
        batch_norm2d(v({2, 3}), v({3}), v({3}), rm, rvar, true);
      },
      {"batch_norm2d: expected a 4-D NCHW input, got shape [2, 3]"});
  expect_error(
      [] {
        linear(v({2, 3, 4}), v({5, 4}), Variable());
      },
      {"linear: expected a 2-D [N, in_features] input, got shape [2, 3, 4]"});
  expect_error([] { softmax(v({5})); }, {"softmax: expected a 2-D [B, K] input, got shape [5]"});
  expect_error([] { max_pool2d(v({1, 4, 4}), {}); }, {"max_pool2d: expected a 4-D NCHW input"});
}

TEST(Errors, MismatchedShapes) {
  expect_error(
      [] {
        add(v({2, 3}), v({3, 2}));
      },
      {"add: expected two inputs of one shape, got [2, 3] and [3, 2]"});
  expect_error(
      [] {
        conv2d(v({1, 4, 8, 8}), v({6, 3, 3, 3}), Variable(), {});
      },
      {"conv2d: expected weight shape [6, 4, R, S]", "got [6, 3, 3, 3]"});
  expect_error(
      [] {
        Conv2dArgs a;
        a.stride_h = a.stride_w = 2;
        a.pad_h = a.pad_w = 1;
        conv2d(v({1, 1, 2, 2}), v({1, 1, 5, 5}), Variable(), a);  // PyTorch refuses it too
      },
      {"conv2d: expected an output of at least 1x1, got 0x0"});
  expect_error(
      [] {
        linear(v({2, 7}), v({5, 6}), Variable());
      },
      {"linear: expected a weight [out, 7]", "got [5, 6]"});
  expect_error(
      [] {
        concat_channels({v({1, 2, 4, 4}), v({1, 2, 5, 4})});
      },
      {"concat_channels: expected inputs that differ only in channels"});
  expect_error(
      [] {
        split_channels(v({1, 6, 2, 2}), {2, 2});
      },
      {"split_channels: expected split sizes summing to 6 channels, got 4"});
  expect_error(
      [] {
        channel_shuffle(v({1, 6, 2, 2}), 4);
      },
      {"channel_shuffle: expected channels 6 divisible by groups 4"});
  expect_error(
      [] {
        cross_entropy(v({4, 10}), from_vector<int64_t>({1, 2}, {2}));
      },
      {"cross_entropy: expected labels of shape [4], got [2]"});
  expect_error(
      [] {
        avg_pool2d(v({1, 1, 2, 2}), [] {
          Pool2dArgs a;
          a.kernel_h = a.kernel_w = 3;
          a.stride_h = a.stride_w = 1;
          return a;
        }());
      },
      {"avg_pool2d: expected an output of at least 1x1"});
  expect_error(
      [] {
        cross_entropy(v({2, 3}), from_vector<int64_t>({1, 3}, {2}));
      },
      {"cross_entropy: expected labels in [0, 3), got 3 at row 1"});
}

TEST(Errors, MixedDevices) {
  expect_error(
      [] {
        conv2d(v({1, 3, 4, 4}), on_fake_gpu({2, 3, 3, 3}), Variable(), {});
      },
      {"conv2d: expected tensors on one device, got cpu and cuda:0"});
  expect_error(
      [] {
        add(v({2, 2}), on_fake_gpu({2, 2}));
      },
      {"add: expected tensors on one device, got cpu and cuda:0"});
  expect_error(
      [] {
        linear(v({2, 3}), on_fake_gpu({4, 3}), Variable());
      },
      {"linear: expected tensors on one device"});
}

TEST(Errors, WrongDtype) {
  expect_error(
      [] {
        relu(v({2, 2}, DType::I64));
      },
      {"relu: expected a float32 or float64 tensor, got int64"});
  expect_error(
      [] {
        conv2d(v({1, 3, 4, 4}), v({2, 3, 3, 3}, DType::F64), Variable(), {});
      },
      {"conv2d: expected a float32 weight, got float64"});
  expect_error(
      [] {
        cross_entropy(v({2, 3}), from_vector<int32_t>({1, 2}, {2}));
      },
      {"cross_entropy: expected an int64 labels tensor, got int32"});
  expect_error([] { Variable(zeros({2}, DType::I32), true); },
               {"requires_grad: expected a floating-point tensor, got int32"});
}

}  // namespace
}  // namespace zkd
