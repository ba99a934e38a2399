// CUDA vs CPU for the whole-tensor reductions (kernels/reduce.cu): sum_all (double partial sums
// in a fixed order: deterministic, run to run) and expand_scalar (its backward, the scalar read
// on the device), on sizes from 1 to one that wraps the capped grid.
// Tolerances: both backends add in double and round once to float32, so they agree to within
// 1 ulp of the sum (they may differ only when the double sums round differently); expand_scalar
// computes alpha * s in double on both and must match exactly. Measured on an NVIDIA H200
// (driver 580.159.04, CUDA 13.0): sum_all 0 vs the CPU, 5.4e-8 relative vs float64;
// expand_scalar 0.
#include "tests/cuda/kernel_compare.h"

namespace zkd {
namespace {

using test::gpu;
using test::random_tensor;

// 4096 blocks * 256 threads * 8 elements + 5: the partial pass wraps its grid-stride loop.
const std::vector<Shape> kShapes = {{1}, {7}, {3, 5, 17}, {64, 100}, {1000003}, {4096 * 2048 + 5}};

TEST(ReduceCuda, SumAllMatchesTheCpuAndRepeats) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 1;
  for (const Shape& s : kShapes)
    for (double lo : {-1.0, 0.5}) {  // cancelling and same-sign sums
      SCOPED_TRACE("sum_all x" + shape_str(s) + " lo=" + std::to_string(lo));
      Tensor x = random_tensor(s, seed++, DType::F32, Device::cpu(), lo, 1.5);
      Tensor gx = gpu(x);
      Tensor got = cuda::sum_all(gx);
      EXPECT_EQ(got.dim(), 0);
      ZKD_EXPECT_CLOSE("sum_all", got, cpu::sum_all(x), 0, 1.2e-7);
      ZKD_EXPECT_CLOSE("sum_all/f64", got, cpu::sum_all(x.to(DType::F64)), 0, 1.2e-7);
      // Deterministic: the same input gives the same bits.
      EXPECT_EQ(cuda::sum_all(gx).item<float>(), got.item<float>());
    }
}

TEST(ReduceCuda, ExpandScalar) {
  ZKD_REQUIRE_GPU();
  Tensor s = from_vector<float>({1.3f}, {});
  for (const Shape& shape : std::vector<Shape>{{}, {1}, {3, 5, 7}, {2, 13, 9, 11}, {1000003}}) {
    SCOPED_TRACE("expand_scalar to " + shape_str(shape));
    double alpha = 1.0 / static_cast<double>(shape_numel(shape));
    Tensor got = cuda::expand_scalar(gpu(s), shape, alpha);
    ZKD_EXPECT_CLOSE("expand_scalar", got, cpu::expand_scalar(s, shape, alpha), 0, 0);
  }
}

TEST(ReduceCuda, RejectsOtherDtypes) {
  ZKD_REQUIRE_GPU();
  EXPECT_THROW(cuda::sum_all(random_tensor({4}, 1, DType::F64, test::gpu_device())), Error);
  EXPECT_THROW(cuda::expand_scalar(random_tensor({2}, 1, DType::F32, test::gpu_device()), {3}, 1),
               Error);
}

}  // namespace
}  // namespace zkd
