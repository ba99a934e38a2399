// CUDA vs CPU for the element-wise and memory ops (kernels/elementwise.cu): fill (every dtype),
// the seeded random fills, strided copies (1 to 8 dims, every element size, offsets, broadcast
// strides), dtype conversions, add_inplace, add, scale, scale_by, relu forward and backward.
// Sizes include 1, odd sizes, sizes that are not multiples of 4 (the float4 path's tail) or of
// the block, one that wraps the capped grid, and unaligned views (the scalar path).
// Tolerances: the arithmetic ops do the same float32 operations as the CPU (no FMA contraction),
// so they must match exactly; only the random fills differ (an FMA, and CUDA's logf / cosf vs
// glibc's). Measured on an NVIDIA H200 (driver 580.159.04, CUDA 13.0): every exact op 0;
// fill_uniform max abs 2.4e-7, fill_normal max abs 9.5e-7.
#include <cmath>
#include <cstring>

#include "tests/cuda/kernel_compare.h"

namespace zkd {
namespace {

using test::gpu;
using test::gpu_device;
using test::random_tensor;

// 4100 * 1024 + 3 elements need more than the 4096-block grid cap at 4 elements per thread.
const std::vector<Shape> kShapes = {{1}, {7}, {3, 5, 17}, {2, 13, 9, 11}, {4100 * 1024 + 3}};
const DType kAllTypes[] = {DType::F32, DType::F64, DType::U8, DType::I32, DType::I64};

// A view of `base` through explicit shape, strides and offset (all in elements).
Tensor strided_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset) {
  return Tensor(base.storage(), shape, strides, base.offset() + offset, base.dtype());
}

TEST(ElementwiseCuda, FillEveryDtype) {
  ZKD_REQUIRE_GPU();
  for (DType dt : kAllTypes)
    for (const Shape& s : kShapes) {
      double v = dt == DType::U8 ? 201 : is_floating(dt) ? -2.75 : -123456;
      // Start from random contents so a skipped element shows.
      Tensor got = gpu(random_tensor(s, 3, DType::F64, Device::cpu(), 0, 250).to(dt));
      cuda::fill(got, v);
      Tensor want = Tensor::empty(s, dt);
      cpu::fill(want, v);
      ZKD_EXPECT_CLOSE("fill", got, want, 0, 0);
    }
}

TEST(ElementwiseCuda, RandomFillsMatchTheCpuDraws) {
  ZKD_REQUIRE_GPU();
  for (const Shape& s : std::vector<Shape>{{1}, {1001}, {3, 4099}})
    for (uint64_t first : {uint64_t{0}, uint64_t{12345}}) {
      Tensor got = Tensor::empty(s, DType::F32, gpu_device());
      Tensor want = Tensor::empty(s, DType::F32);
      cuda::fill_uniform(got, 7, first, -2, 3);
      cpu::fill_uniform(want, 7, first, -2, 3);
      // lo + (hi - lo) * u: an FMA on the GPU, two roundings on the CPU: 1 ulp (measured 2.4e-7).
      ZKD_EXPECT_CLOSE("fill_uniform", got, want, 1e-6, 1e-6);
      cuda::fill_normal(got, 7, first, 0.5, 2);
      cpu::fill_normal(want, 7, first, 0.5, 2);
      // CUDA's logf / cosf are within 1-2 ulp of glibc's; values reach ~11 (measured 9.5e-7).
      ZKD_EXPECT_CLOSE("fill_normal", got, want, 5e-6, 1e-5);
    }
}

TEST(ElementwiseCuda, FillRejectsNonFloatRandomFills) {
  ZKD_REQUIRE_GPU();
  Tensor t = Tensor::empty({5}, DType::F64, gpu_device());
  EXPECT_THROW(cuda::fill_uniform(t, 1, 0, 0, 1), Error);
  EXPECT_THROW(cuda::fill_normal(t, 1, 0, 0, 1), Error);
}

struct ViewCase {
  int64_t base;  // elements of the contiguous base buffer
  Shape shape, strides;
  int64_t offset;
};

const std::vector<ViewCase> kViews = {
    {105, {3, 7, 5}, {1, 3, 21}, 0},               // transpose of [5, 7, 3]
    {40, {4, 5}, {10, 1}, 2},                      // column slice with an offset
    {4, {3, 4}, {0, 1}, 0},                        // broadcast row (stride 0)
    {1001, {500}, {2}, 1},                         // every other element
    {2574, {2, 9, 11, 13}, {1287, 11, 1, 99}, 0},  // NCHW [2, 13, 9, 11] -> NHWC
    {256, {2, 2, 2, 2, 2, 2, 2, 2}, {1, 2, 4, 8, 16, 32, 64, 128}, 0},  // 8 unmergeable dims
    {100, {10, 9}, {9, 1}, 5},  // contiguous with an offset (memcpy)
};

TEST(ElementwiseCuda, CopyStridedEveryLayoutAndDtype) {
  ZKD_REQUIRE_GPU();
  for (DType dt : kAllTypes)
    for (const ViewCase& c : kViews) {
      Tensor host = random_tensor({c.base}, 11, DType::F64, Device::cpu(), 0, 250).to(dt);
      Tensor dev = gpu(host);
      Tensor want = Tensor::empty(c.shape, dt);
      cpu::copy_strided(want, strided_view(host, c.shape, c.strides, c.offset));
      Tensor got = Tensor::empty(c.shape, dt, gpu_device());
      cuda::copy_strided(got, strided_view(dev, c.shape, c.strides, c.offset));
      ZKD_EXPECT_CLOSE("copy_strided", got, want, 0, 0);
    }
}

TEST(ElementwiseCuda, CopyStridedTwoByteElements) {
  ZKD_REQUIRE_GPU();
  // bfloat16 has no arithmetic here, but a copy moves its bytes: compare the raw bytes.
  for (const ViewCase& c : kViews) {
    Tensor host = Tensor::empty({c.base}, DType::BF16);
    uint16_t* p = static_cast<uint16_t*>(host.raw());
    for (int64_t i = 0; i < c.base; ++i) p[i] = static_cast<uint16_t>(i * 40503u + 17u);
    Tensor want = Tensor::empty(c.shape, DType::BF16);
    cpu::copy_strided(want, strided_view(host, c.shape, c.strides, c.offset));
    Tensor got = Tensor::empty(c.shape, DType::BF16, gpu_device());
    cuda::copy_strided(got, strided_view(gpu(host), c.shape, c.strides, c.offset));
    Tensor back = got.to(Device::cpu());
    EXPECT_EQ(std::memcmp(back.raw(), want.raw(), want.nbytes()), 0)
        << "bf16 copy of shape " << shape_str(c.shape);
  }
}

TEST(ElementwiseCuda, CopyStridedRejectsNineUnmergeableDims) {
  ZKD_REQUIRE_GPU();
  Tensor dev = gpu(random_tensor({512}, 1, DType::F32));
  Tensor src = strided_view(dev, Shape(9, 2), {1, 2, 4, 8, 16, 32, 64, 128, 256}, 0);
  Tensor dst = Tensor::empty(Shape(9, 2), DType::F32, gpu_device());
  try {
    cuda::copy_strided(dst, src);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("copy: expected a source of at most 8"), std::string::npos)
        << e.what();
  }
}

TEST(ElementwiseCuda, ConvertEveryPair) {
  ZKD_REQUIRE_GPU();
  for (DType from : kAllTypes)
    for (DType to : kAllTypes) {
      // In range of both types (uint8 takes [0, 250]); fractions test float -> int truncation.
      double lo = (from == DType::U8 || to == DType::U8) ? 0 : -1000;
      Tensor x = random_tensor({3, 1001}, 5, DType::F64, Device::cpu(), lo, 250).to(from);
      Tensor want = cpu::convert(x, to);
      Tensor got = cuda::convert(gpu(x), to);
      EXPECT_EQ(got.dtype(), to);
      ZKD_EXPECT_CLOSE("convert", got, want, 0, 0);
    }
}

// The arithmetic ops on float32 tensors a, b (CPU) and ga, gb (their copies on the GPU, maybe
// unaligned views): GPU vs CPU, exactly. add_inplace comes last and overwrites ga.
void check_arithmetic(const Tensor& a, const Tensor& b, Tensor ga, const Tensor& gb) {
  ZKD_EXPECT_CLOSE("add", cuda::add(ga, gb), cpu::add(a, b), 0, 0);
  ZKD_EXPECT_CLOSE("scale", cuda::scale(ga, 0.37), cpu::scale(a, 0.37), 0, 0);
  Tensor s = from_vector<float>({-1.75f}, {});
  ZKD_EXPECT_CLOSE("scale_by", cuda::scale_by(ga, gpu(s)), cpu::scale_by(a, s), 0, 0);

  Tensor y = cpu::relu_fwd(a), gy = cuda::relu_fwd(ga);
  ZKD_EXPECT_CLOSE("relu_fwd", gy, y, 0, 0);
  ZKD_EXPECT_CLOSE("relu_bwd", cuda::relu_bwd(gb, gy), cpu::relu_bwd(b, y), 0, 0);

  Tensor want = a.clone();
  cpu::add_inplace(want, b, -0.3);
  cuda::add_inplace(ga, gb, -0.3);
  ZKD_EXPECT_CLOSE("add_inplace", ga, want, 0, 0);
}

TEST(ElementwiseCuda, ArithmeticMatchesCpuExactly) {
  ZKD_REQUIRE_GPU();
  uint64_t seed = 100;
  for (const Shape& s : kShapes) {
    Tensor a = random_tensor(s, seed++, DType::F32, Device::cpu(), -2, 2);
    Tensor b = random_tensor(s, seed++, DType::F32, Device::cpu(), -2, 2);
    check_arithmetic(a, b, gpu(a), gpu(b));
  }
}

TEST(ElementwiseCuda, ArithmeticOnUnalignedViews) {
  ZKD_REQUIRE_GPU();
  // Views 1 and 3 elements into a buffer (like parameters inside a flat buffer) are not 16-byte
  // aligned, so the kernels take their scalar path.
  uint64_t seed = 200;
  for (const Shape& s : kShapes) {
    int64_t n = shape_numel(s);
    Tensor a = random_tensor({n + 1}, seed++, DType::F32, Device::cpu(), -2, 2);
    Tensor b = random_tensor({n + 3}, seed++, DType::F32, Device::cpu(), -2, 2);
    check_arithmetic(a.view_at(1, s), b.view_at(3, s), gpu(a).view_at(1, s), gpu(b).view_at(3, s));
  }
}

TEST(ElementwiseCuda, RejectsOtherDtypesAndSizes) {
  ZKD_REQUIRE_GPU();
  Tensor d = random_tensor({4}, 1, DType::F64, gpu_device());
  try {
    cuda::add(d, d);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("add: expected a float32"), std::string::npos) << e.what();
  }
  Tensor x = random_tensor({4}, 1, DType::F32, gpu_device());
  EXPECT_THROW(cuda::scale_by(x, random_tensor({2}, 2, DType::F32, gpu_device())), Error);
  EXPECT_THROW(cuda::add(x, random_tensor({5}, 2, DType::F32, gpu_device())), Error);
}

}  // namespace
}  // namespace zkd
