// The bf16 policy (engine/core/precision.h) on the CPU: every bf16 op (conv2d forward /
// backward-data / backward-weights with groups and depthwise, the three linear GEMMs) against
// float64 references on random inputs with odd shapes, two ways:
//   exact-operands: the float64 op on the operands rounded to bf16 must match to float32 accuracy
//     (this pins what the op computes: round-to-nearest-even bf16 operands, float32 accumulation);
//   bf16 error: against the float64 op on the unrounded operands, within the bf16 error bound.
// Also: the policy's guard and parsing, ops replaying their forward's precision in the backward,
// fp32 and float64 untouched by the policy, determinism, and native vs emulated bf16 (on a CPU
// with AVX512-BF16; skipped visibly elsewhere).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/bf16_cpu.h"
#include "engine/core/cpu_settings.h"
#include "engine/ops/ops.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

Conv2dArgs args(int64_t stride, int64_t pad_h, int64_t pad_w, int64_t groups, Precision p) {
  Conv2dArgs a;
  a.stride_h = a.stride_w = stride;
  a.pad_h = pad_h;
  a.pad_w = pad_w;
  a.groups = groups;
  a.precision = p;
  return a;
}

struct Case {
  const char* name;
  int64_t N, C, H, W, K, R, S, stride, pad_h, pad_w, groups;
  bool bias;
  Conv2dArgs a(Precision p) const { return args(stride, pad_h, pad_w, groups, p); }
};

const Case kCases[] = {
    {"3x3_s1_p1_bias", 3, 5, 9, 7, 6, 3, 3, 1, 1, 1, 1, true},
    {"3x3_s2_p1_groups2", 2, 6, 11, 10, 4, 3, 3, 2, 1, 1, 2, false},
    {"depthwise_3x3_s2", 2, 8, 9, 9, 8, 3, 3, 2, 1, 1, 8, false},
    {"depthwise_x2_3x3_s1", 2, 4, 7, 8, 8, 3, 3, 1, 1, 1, 4, true},
    {"1x1_s2", 3, 4, 8, 8, 7, 1, 1, 2, 0, 0, 1, false},
    {"5x3_pad_2_1", 2, 3, 7, 9, 5, 5, 3, 1, 2, 1, 1, true},
    {"3x3_s1_p1_wide", 2, 37, 9, 9, 29, 3, 3, 1, 1, 1, 1, false},
};

Tensor f32(const Tensor& t) {
  return t.to(DType::F32);
}
// The float64 values of t rounded to bf16.
Tensor bf16_64(const Tensor& t) {
  return cpu::round_to_bf16(f32(t)).to(DType::F64);
}
Tensor abs64(const Tensor& t) {
  Tensor a = t.to(DType::F64).contiguous();
  Tensor out = Tensor::empty(a.shape(), DType::F64, a.device());
  for (int64_t i = 0; i < a.numel(); ++i) out.data<double>()[i] = std::fabs(a.data<double>()[i]);
  return out;
}

// Exact-operands check: float32 accumulation of bf16 products over <= 333 terms (C/g*R*S for
// the forward, K/g*R*S for backward-data, N*Ho*Wo for backward-weights) of values in [-1, 1];
// the fp32 oneDNN test measured <= 4.9e-6 over 144 terms; the longest sums here are ~2.3x longer,
// so 2e-5 absolute + 1e-5 relative. A wrongly rounded operand (truncation instead of nearest
// even, or no rounding) moves results by ~1e-3: far outside.
constexpr double kExactAtol = 2e-5, kExactRtol = 1e-5;

// bf16 error: each operand carries a relative error <= u = 2^-8 (8 significant bits, nearest
// even), so each product is off by <= (2u + u^2) |a||b| and the whole sum by
// <= (2u + u^2) sum |a||b| (plus float32 accumulation, < 1e-5 of it here). We check every element
// against that bound: |got - exact| <= kBoundFactor * (|a| * |b|)[i] + 1e-5, kBoundFactor
// = 2u + u^2 = 7.83e-3. The measured worst ratio error / sum|a||b| is printed ([bf16-bound]
// lines): 6.5e-4 .. 5.4e-3 over these cases (the worst where one product dominates a short sum),
// so the bound is within 1.5x of what occurs; NMSE against float64 is ~4-6e-6 everywhere.
constexpr double kU = 1.0 / 256, kBoundFactor = 2 * kU + kU * kU;

::testing::AssertionResult within_bf16_bound(const Tensor& got, const Tensor& exact,
                                             const Tensor& abs_sum, const char* what) {
  Tensor g = got.to(DType::F64);
  double worst = 0;
  for (int64_t i = 0; i < g.numel(); ++i) {
    double err = std::fabs(g.data<double>()[i] - exact.data<double>()[i]);
    double bound = kBoundFactor * abs_sum.data<double>()[i] + 1e-5;
    if (err > bound)
      return ::testing::AssertionFailure()
             << what << ": element " << i << " error " << err << " > bf16 bound " << bound;
    worst = std::max(worst, err / (abs_sum.data<double>()[i] + 1e-30));
  }
  std::printf("[bf16-bound] %s worst error / sum|a||b| = %.3g (bound %.3g)\n", what, worst,
              kBoundFactor);
  return ::testing::AssertionSuccess();
}

class Bf16Conv : public ::testing::TestWithParam<Case> {};

TEST_P(Bf16Conv, MatchesFloat64OnBf16OperandsAndStaysWithinBf16Error) {
  const Case& c = GetParam();
  Shape xs{c.N, c.C, c.H, c.W}, ws{c.K, c.C / c.groups, c.R, c.S};
  Tensor x = test::random_tensor(xs, 11);
  Tensor w = test::random_tensor(ws, 12);
  Tensor b = c.bias ? test::random_tensor({c.K}, 13) : Tensor();
  Conv2dArgs a16 = c.a(Precision::BF16), a64 = c.a(Precision::F32);
  Tensor y = cpu::conv2d_fwd(f32(x), f32(w), c.bias ? f32(b) : Tensor(), a16);
  Tensor dy = test::random_tensor(y.shape(), 14);
  Tensor dx = cpu::conv2d_bwd_data(f32(dy), f32(w), xs, a16);
  Tensor dw = cpu::conv2d_bwd_weight(f32(dy), f32(x), ws, a16);
  ASSERT_EQ(y.dtype(), DType::F32);
  ASSERT_EQ(dx.dtype(), DType::F32);
  ASSERT_EQ(dw.dtype(), DType::F32);

  // exact operands
  // (the bias is added in float32: not rounded)
  Tensor y_r =
      cpu::conv2d_fwd(bf16_64(x), bf16_64(w), c.bias ? f32(b).to(DType::F64) : Tensor(), a64);
  Tensor dx_r = cpu::conv2d_bwd_data(bf16_64(dy), bf16_64(w), xs, a64);
  Tensor dw_r = cpu::conv2d_bwd_weight(bf16_64(dy), bf16_64(x), ws, a64);
  EXPECT_TRUE(test::all_close(y.to(DType::F64), y_r, kExactAtol, kExactRtol, "forward"));
  EXPECT_TRUE(test::all_close(dx.to(DType::F64), dx_r, kExactAtol, kExactRtol, "backward-data"));
  EXPECT_TRUE(test::all_close(dw.to(DType::F64), dw_r, kExactAtol, kExactRtol, "backward-weights"));

  // bf16 error against the unrounded float64 op
  Tensor y_e = cpu::conv2d_fwd(x, w, c.bias ? b : Tensor(), a64);
  Tensor dx_e = cpu::conv2d_bwd_data(dy, w, xs, a64);
  Tensor dw_e = cpu::conv2d_bwd_weight(dy, x, ws, a64);
  Tensor y_abs = cpu::conv2d_fwd(abs64(x), abs64(w), Tensor(), a64);
  Tensor dx_abs = cpu::conv2d_bwd_data(abs64(dy), abs64(w), xs, a64);
  Tensor dw_abs = cpu::conv2d_bwd_weight(abs64(dy), abs64(x), ws, a64);
  EXPECT_TRUE(within_bf16_bound(y, y_e, y_abs, "conv2d_fwd"));
  EXPECT_TRUE(within_bf16_bound(dx, dx_e, dx_abs, "conv2d_bwd_data"));
  EXPECT_TRUE(within_bf16_bound(dw, dw_e, dw_abs, "conv2d_bwd_weight"));
  test::report_error("bf16_conv2d_fwd", y.to(DType::F64), y_e);
  test::report_error("bf16_conv2d_bwd_data", dx.to(DType::F64), dx_e);
  test::report_error("bf16_conv2d_bwd_weight", dw.to(DType::F64), dw_e);
}

INSTANTIATE_TEST_SUITE_P(Shapes, Bf16Conv, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Bf16Linear, MatchesFloat64OnBf16OperandsAndStaysWithinBf16Error) {
  const int64_t N = 5, I = 37, O = 11;
  Tensor x = test::random_tensor({N, I}, 21), w = test::random_tensor({O, I}, 22);
  Tensor b = test::random_tensor({O}, 23), dy = test::random_tensor({N, O}, 24);
  const Precision p = Precision::BF16;
  Tensor y = cpu::linear_fwd(f32(x), f32(w), f32(b), p);
  Tensor dx = cpu::linear_bwd_input(f32(dy), f32(w), p);
  Tensor dw = cpu::linear_bwd_weight(f32(dy), f32(x), p);
  EXPECT_TRUE(test::all_close(y.to(DType::F64),
                              cpu::linear_fwd(bf16_64(x), bf16_64(w), f32(b).to(DType::F64)),
                              kExactAtol, kExactRtol, "linear forward"));
  EXPECT_TRUE(test::all_close(dx.to(DType::F64), cpu::linear_bwd_input(bf16_64(dy), bf16_64(w)),
                              kExactAtol, kExactRtol, "linear backward-input"));
  EXPECT_TRUE(test::all_close(dw.to(DType::F64), cpu::linear_bwd_weight(bf16_64(dy), bf16_64(x)),
                              kExactAtol, kExactRtol, "linear backward-weight"));
  EXPECT_TRUE(within_bf16_bound(y, cpu::linear_fwd(x, w, b),
                                cpu::linear_fwd(abs64(x), abs64(w), Tensor()), "linear_fwd"));
  EXPECT_TRUE(within_bf16_bound(dx, cpu::linear_bwd_input(dy, w),
                                cpu::linear_bwd_input(abs64(dy), abs64(w)), "linear_bwd_input"));
  EXPECT_TRUE(within_bf16_bound(dw, cpu::linear_bwd_weight(dy, x),
                                cpu::linear_bwd_weight(abs64(dy), abs64(x)), "linear_bwd_weight"));
}

// A bf16 result is not the fp32 one (else the policy did nothing).
TEST(Bf16Policy, Bf16DiffersFromFp32) {
  Tensor x = test::random_tensor({2, 8, 7, 7}, 31, DType::F32);
  Tensor w = test::random_tensor({8, 8, 3, 3}, 32, DType::F32);
  test::Diff d = test::diff(cpu::conv2d_fwd(x, w, Tensor(), args(1, 1, 1, 1, Precision::BF16)),
                            cpu::conv2d_fwd(x, w, Tensor(), args(1, 1, 1, 1, Precision::F32)));
  EXPECT_GT(d.max_abs, 1e-4);
}

TEST(Bf16Policy, GuardSetsAndRestoresAndParses) {
  EXPECT_EQ(compute_precision(), Precision::F32);
  {
    PrecisionScope s(Precision::BF16);
    EXPECT_EQ(compute_precision(), Precision::BF16);
    {
      PrecisionScope inner(Precision::F32);
      EXPECT_EQ(compute_precision(), Precision::F32);
    }
    EXPECT_EQ(compute_precision(), Precision::BF16);
  }
  EXPECT_EQ(compute_precision(), Precision::F32);
  EXPECT_EQ(parse_precision("bf16"), Precision::BF16);
  EXPECT_EQ(parse_precision("fp32"), Precision::F32);
  EXPECT_STREQ(precision_name(Precision::BF16), "bf16");
  try {
    parse_precision("fp16");
    ADD_FAILURE() << "fp16 accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "precision: expected fp32 or bf16, got 'fp16'");
  }
}

// Ops under the guard: conv2d and linear compute in bf16 (the backend's bf16 result, bit for bit),
// their backward replays bf16 outside the guard; without the guard, bit for bit the fp32 ops.
struct Grads {
  Tensor y, dx, dw, dv;
};
Grads small_graph(const Tensor& x, const Tensor& w, const Tensor& v, bool bf16) {
  Variable xv(x, true), wv(w, true), vv(v, true);
  Variable out;
  {
    PrecisionScope s(bf16 ? Precision::BF16 : Precision::F32);
    Variable h = relu(conv2d(xv, wv, Variable(), args(1, 1, 1, 1, Precision::F32)));
    out = linear(flatten(h), vv, Variable());
  }
  sum(out).backward();
  return {out.data(), xv.grad(), wv.grad(), vv.grad()};
}

TEST(Bf16Policy, OpsFollowTheGuardAndBackwardReplaysIt) {
  Tensor x = test::random_tensor({2, 3, 5, 5}, 41, DType::F32);
  Tensor w = test::random_tensor({4, 3, 3, 3}, 42, DType::F32);
  Tensor v = test::random_tensor({6, 100}, 43, DType::F32);
  Grads g16 = small_graph(x, w, v, true), g32 = small_graph(x, w, v, false);

  Conv2dArgs a16 = args(1, 1, 1, 1, Precision::BF16), a32 = args(1, 1, 1, 1, Precision::F32);
  auto chain = [&](const Conv2dArgs& a, Precision p) {
    Tensor h = cpu::relu_fwd(cpu::conv2d_fwd(x, w, Tensor(), a));
    Tensor hf = h.reshape({2, 100});
    Tensor y = cpu::linear_fwd(hf, v, Tensor(), p);
    Tensor dy = Tensor::empty(y.shape(), DType::F32, y.device());
    cpu::fill(dy, 1.0);
    Tensor dv = cpu::linear_bwd_weight(dy, hf, p);
    Tensor dh = cpu::relu_bwd(cpu::linear_bwd_input(dy, v, p).reshape(h.shape()), h);
    return Grads{y, cpu::conv2d_bwd_data(dh, w, x.shape(), a),
                 cpu::conv2d_bwd_weight(dh, x, w.shape(), a), dv};
  };
  Grads b16 = chain(a16, Precision::BF16), b32 = chain(a32, Precision::F32);
  for (auto [got, want, what] : {std::tuple{g16.y, b16.y, "bf16 y"},
                                 {g16.dx, b16.dx, "bf16 dx"},
                                 {g16.dw, b16.dw, "bf16 dw"},
                                 {g16.dv, b16.dv, "bf16 dv"},
                                 {g32.y, b32.y, "fp32 y"},
                                 {g32.dx, b32.dx, "fp32 dx"},
                                 {g32.dw, b32.dw, "fp32 dw"},
                                 {g32.dv, b32.dv, "fp32 dv"}})
    EXPECT_TRUE(test::all_close(got, want, 0, 0, what));
  EXPECT_GT(test::diff(g16.dw, g32.dw).max_abs, 0.0) << "the guard did not reach the backward";
}

// float64 (the gradient checks) ignores the policy.
TEST(Bf16Policy, Float64IgnoresThePolicy) {
  Tensor x = test::random_tensor({2, 3, 5, 5}, 51), w = test::random_tensor({4, 3, 3, 3}, 52);
  Tensor plain = conv2d(Variable(x), Variable(w), Variable(), Conv2dArgs{}).data();
  PrecisionScope s(Precision::BF16);
  EXPECT_TRUE(test::all_close(conv2d(Variable(x), Variable(w), Variable(), Conv2dArgs{}).data(),
                              plain, 0, 0, "float64 under bf16"));
}

// Same inputs and thread count: the same bf16 bits, call after call.
TEST(Bf16Policy, Deterministic) {
  Tensor x = test::random_tensor({4, 16, 11, 11}, 61, DType::F32);
  Tensor w = test::random_tensor({24, 16, 3, 3}, 62, DType::F32);
  Conv2dArgs a = args(2, 1, 1, 1, Precision::BF16);
  Tensor y1 = cpu::conv2d_fwd(x, w, Tensor(), a), y2 = cpu::conv2d_fwd(x, w, Tensor(), a);
  Tensor dy = test::random_tensor(y1.shape(), 63, DType::F32);
  EXPECT_TRUE(test::all_close(y1, y2, 0, 0, "forward"));
  EXPECT_TRUE(test::all_close(cpu::conv2d_bwd_weight(dy, x, w.shape(), a),
                              cpu::conv2d_bwd_weight(dy, x, w.shape(), a), 0, 0, "bwd weights"));
  EXPECT_TRUE(test::all_close(cpu::conv2d_bwd_data(dy, w, x.shape(), a),
                              cpu::conv2d_bwd_data(dy, w, x.shape(), a), 0, 0, "bwd data"));
}

// oneDNN's native bf16 kernels against the emulation (both: bf16 operands, float32 sums; only
// the summation order differs): fp32-level agreement. Needs a CPU with AVX512-BF16.
TEST(Bf16Native, MatchesEmulation) {
  if (!cpu_has_bf16() || cpu_reference())
    GTEST_SKIP() << "this CPU has no AVX512-BF16 (or the reference switch is on): bf16 runs "
                    "emulated only";
  for (const Case& c : kCases) {
    Shape xs{c.N, c.C, c.H, c.W}, ws{c.K, c.C / c.groups, c.R, c.S};
    Tensor x = test::random_tensor(xs, 71, DType::F32);
    Tensor w = test::random_tensor(ws, 72, DType::F32);
    Conv2dArgs a = c.a(Precision::BF16);
    Tensor y = cpu::conv2d_fwd(x, w, Tensor(), a);
    Tensor dy = test::random_tensor(y.shape(), 73, DType::F32);
    Tensor dx = cpu::conv2d_bwd_data(dy, w, xs, a), dw = cpu::conv2d_bwd_weight(dy, x, ws, a);
    set_cpu_bf16_emulated(true);
    Tensor ye = cpu::conv2d_fwd(x, w, Tensor(), a);
    Tensor dxe = cpu::conv2d_bwd_data(dy, w, xs, a), dwe = cpu::conv2d_bwd_weight(dy, x, ws, a);
    set_cpu_bf16_emulated(false);
    EXPECT_TRUE(test::all_close(y, ye, kExactAtol, kExactRtol, c.name));
    EXPECT_TRUE(test::all_close(dx, dxe, kExactAtol, kExactRtol, c.name));
    EXPECT_TRUE(test::all_close(dw, dwe, kExactAtol, kExactRtol, c.name));
  }
  Tensor x = test::random_tensor({5, 37}, 74, DType::F32),
         w = test::random_tensor({11, 37}, 75, DType::F32);
  Tensor b = test::random_tensor({11}, 76, DType::F32),
         dy = test::random_tensor({5, 11}, 77, DType::F32);
  const Precision p = Precision::BF16;
  Tensor y = cpu::linear_fwd(x, w, b, p), dx = cpu::linear_bwd_input(dy, w, p),
         dw = cpu::linear_bwd_weight(dy, x, p);
  set_cpu_bf16_emulated(true);
  Tensor ye = cpu::linear_fwd(x, w, b, p), dxe = cpu::linear_bwd_input(dy, w, p),
         dwe = cpu::linear_bwd_weight(dy, x, p);
  set_cpu_bf16_emulated(false);
  EXPECT_TRUE(test::all_close(y, ye, kExactAtol, kExactRtol, "linear forward"));
  EXPECT_TRUE(test::all_close(dx, dxe, kExactAtol, kExactRtol, "linear backward-input"));
  EXPECT_TRUE(test::all_close(dw, dwe, kExactAtol, kExactRtol, "linear backward-weight"));
}

}  // namespace
}  // namespace zkd
