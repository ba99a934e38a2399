// cuDNN conv2d (legacy API, NCHW float32): forward, backward-data, backward-filter with stride,
// padding and groups (depthwise included), bias add and bias gradient by own kernels
// (kernels/bias_add.cu). Descriptors and the algorithm of each pass are cached per full problem
// key; each pass searches once per key under a 256 MiB workspace cap:
//   Strict: cuDNN's heuristic ranking (cudnnGet*_v7, no timing, so the choice is the same in
//           every run), deterministic FMA-only algorithms;
//   Fast:   the candidates are timed once (cudnnFind*Ex, like cudnn.benchmark), TF32 allowed;
// falling back to a default algorithm (IMPLICIT_GEMM forward, ALGO_1 backward: the deterministic
// ones) when none is usable.
// bf16 (Conv2dArgs::precision, engine/core/precision.h): its own plans, with bf16 x / w / y
// descriptors and float32 compute (cuDNN's pseudo-bf16 configuration) on tensor cores (Strict
// still asks for deterministic algorithms); each pass casts its two float32 inputs into bf16
// copies and its bf16 result back into the float32 output (bf16_cast.h). The weight gradient
// is summed in float32 inside cuDNN and rounded once to bf16 on output.
#include "engine/backend/cuda/cudnn_conv.h"

#include <array>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/cuda/bf16_cast.h"
#include "engine/backend/cuda/cudnn_desc.h"
#include "engine/backend/cuda/kernel_glue.h"
#include "kernels/bias_add.h"

namespace zkd::cuda {

namespace {

constexpr size_t kWorkspaceCap = size_t(256) << 20;

class FilterDesc {
 public:
  FilterDesc() { ZKD_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d_)); }
  ~FilterDesc() { cudnnDestroyFilterDescriptor(d_); }
  FilterDesc(const FilterDesc&) = delete;
  FilterDesc& operator=(const FilterDesc&) = delete;
  cudnnFilterDescriptor_t get() const { return d_; }

 private:
  cudnnFilterDescriptor_t d_ = nullptr;
};

class ConvDesc {
 public:
  ConvDesc() { ZKD_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&d_)); }
  ~ConvDesc() { cudnnDestroyConvolutionDescriptor(d_); }
  ConvDesc(const ConvDesc&) = delete;
  ConvDesc& operator=(const ConvDesc&) = delete;
  cudnnConvolutionDescriptor_t get() const { return d_; }

 private:
  cudnnConvolutionDescriptor_t d_ = nullptr;
};

// The full problem: N, C, H, W, K, C/groups, R, S, stride h/w, pad h/w, groups, dtype, layout
// (0 = NCHW, the only one so far), math mode.
using ConvKey = std::array<int64_t, 16>;

struct ConvKeyHash {
  size_t operator()(const ConvKey& k) const {
    uint64_t h = 1469598103934665603ull;  // FNV-1a over the fields
    for (int64_t v : k) h = (h ^ static_cast<uint64_t>(v)) * 1099511628211ull;
    return static_cast<size_t>(h);
  }
};

bool bf16(const Conv2dArgs& a) {
  return a.precision == Precision::BF16;
}

ConvKey make_key(const Shape& x, const Shape& w, const Conv2dArgs& a) {
  return {x[0],       x[1],
          x[2],       x[3],
          w[0],       w[1],
          w[2],       w[3],
          a.stride_h, a.stride_w,
          a.pad_h,    a.pad_w,
          a.groups,   static_cast<int64_t>(bf16(a) ? DType::BF16 : DType::F32),
          0,          static_cast<int64_t>(math_mode())};
}

// The algorithm of one pass: -1 until that pass first runs.
struct Choice {
  int algo = -1;
  size_t workspace = 0;
  cudnnMathType_t math = CUDNN_FMA_MATH;
};

struct ConvPlan {
  TensorDesc x, y;
  FilterDesc w;
  ConvDesc conv;
  Choice fwd, bwd_data, bwd_filter;
  bool bf16 = false;
};

// The math type a plan's search asks for: the math mode's (float32), tensor cores for bf16.
cudnnMathType_t plan_math(const ConvPlan& p) {
  return p.bf16 ? CUDNN_TENSOR_OP_MATH : cudnn_math_type();
}

// The device buffers of one call (Find runs the candidates on them and writes the output).
struct Buffers {
  void* x;
  void* w;
  void* y;
};

// The buffers a pass runs on: the float32 tensors themselves, or for a bf16 plan bf16 copies of
// its two inputs and a bf16 buffer for its output, which finish() casts into the float32 output.
struct Staging {
  Buffers b{};
  Tensor bf[3];  // bf16 plans: the bf16 tensor of each role (x, w, y)
  Tensor out32;  // the float32 output
  int out = 0;   // the role the pass writes
  void finish() {
    if (bf[out].defined()) bf16_into(bf[out], out32);
  }
};

// x, w, y: the float32 tensors of the conv's roles; out: 0, 1 or 2, the one the pass writes.
Staging stage(bool bf16, const Tensor& x, const Tensor& w, const Tensor& y, int out) {
  Staging s;
  const Tensor* t[3] = {&x, &w, &y};
  void* ptr[3];
  for (int i = 0; i < 3; ++i) {
    if (bf16) s.bf[i] = i == out ? empty_bf16(t[i]->shape(), *t[i]) : to_bf16(*t[i]);
    ptr[i] = bf16 ? s.bf[i].raw() : t[i]->raw();
  }
  s.b = Buffers{ptr[0], ptr[1], ptr[2]};
  s.out32 = *t[out];
  s.out = out;
  return s;
}

// Per-pass cuDNN entry points, so one search routine serves all three passes.
struct FwdPass {
  using Perf = cudnnConvolutionFwdAlgoPerf_t;
  static constexpr int kFallback = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  static int max_count(cudnnHandle_t h) {
    int n = 0;
    ZKD_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &n));
    return n;
  }
  static cudnnStatus_t get(cudnnHandle_t h, const ConvPlan& p, int n, int* got, Perf* perf) {
    return cudnnGetConvolutionForwardAlgorithm_v7(h, p.x.get(), p.w.get(), p.conv.get(), p.y.get(),
                                                  n, got, perf);
  }
  static cudnnStatus_t find(cudnnHandle_t h, const ConvPlan& p, const Buffers& b, int n, int* got,
                            Perf* perf, void* ws, size_t ws_bytes) {
    return cudnnFindConvolutionForwardAlgorithmEx(h, p.x.get(), b.x, p.w.get(), b.w, p.conv.get(),
                                                  p.y.get(), b.y, n, got, perf, ws, ws_bytes);
  }
  static cudnnStatus_t workspace(cudnnHandle_t h, const ConvPlan& p, int algo, size_t* bytes) {
    return cudnnGetConvolutionForwardWorkspaceSize(h, p.x.get(), p.w.get(), p.conv.get(), p.y.get(),
                                                   static_cast<cudnnConvolutionFwdAlgo_t>(algo),
                                                   bytes);
  }
};

struct BwdDataPass {
  using Perf = cudnnConvolutionBwdDataAlgoPerf_t;
  static constexpr int kFallback = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
  static int max_count(cudnnHandle_t h) {
    int n = 0;
    ZKD_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &n));
    return n;
  }
  static cudnnStatus_t get(cudnnHandle_t h, const ConvPlan& p, int n, int* got, Perf* perf) {
    return cudnnGetConvolutionBackwardDataAlgorithm_v7(h, p.w.get(), p.y.get(), p.conv.get(),
                                                       p.x.get(), n, got, perf);
  }
  static cudnnStatus_t find(cudnnHandle_t h, const ConvPlan& p, const Buffers& b, int n, int* got,
                            Perf* perf, void* ws, size_t ws_bytes) {
    return cudnnFindConvolutionBackwardDataAlgorithmEx(h, p.w.get(), b.w, p.y.get(), b.y,
                                                       p.conv.get(), p.x.get(), b.x, n, got, perf,
                                                       ws, ws_bytes);
  }
  static cudnnStatus_t workspace(cudnnHandle_t h, const ConvPlan& p, int algo, size_t* bytes) {
    return cudnnGetConvolutionBackwardDataWorkspaceSize(
        h, p.w.get(), p.y.get(), p.conv.get(), p.x.get(),
        static_cast<cudnnConvolutionBwdDataAlgo_t>(algo), bytes);
  }
};

struct BwdFilterPass {
  using Perf = cudnnConvolutionBwdFilterAlgoPerf_t;
  static constexpr int kFallback = CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1;
  static int max_count(cudnnHandle_t h) {
    int n = 0;
    ZKD_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &n));
    return n;
  }
  static cudnnStatus_t get(cudnnHandle_t h, const ConvPlan& p, int n, int* got, Perf* perf) {
    return cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, p.x.get(), p.y.get(), p.conv.get(),
                                                         p.w.get(), n, got, perf);
  }
  static cudnnStatus_t find(cudnnHandle_t h, const ConvPlan& p, const Buffers& b, int n, int* got,
                            Perf* perf, void* ws, size_t ws_bytes) {
    return cudnnFindConvolutionBackwardFilterAlgorithmEx(h, p.x.get(), b.x, p.y.get(), b.y,
                                                         p.conv.get(), p.w.get(), b.w, n, got, perf,
                                                         ws, ws_bytes);
  }
  static cudnnStatus_t workspace(cudnnHandle_t h, const ConvPlan& p, int algo, size_t* bytes) {
    return cudnnGetConvolutionBackwardFilterWorkspaceSize(
        h, p.x.get(), p.y.get(), p.conv.get(), p.w.get(),
        static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo), bytes);
  }
};

bool capturing() {
  cudaStreamCaptureStatus s = cudaStreamCaptureStatusNone;
  ZKD_CUDA_CHECK(cudaStreamIsCapturing(stream(), &s));
  return s != cudaStreamCaptureStatusNone;
}

// Picks the algorithm of one pass (see the file comment).
template <typename P>
Choice search(const ConvPlan& p, const Buffers& b) {
  cudnnHandle_t h = cudnn();
  const bool strict = math_mode() == MathMode::Strict;
  ZKD_CUDNN_CHECK(cudnnSetConvolutionMathType(p.conv.get(), plan_math(p)));
  auto usable = [&](const typename P::Perf& q, size_t cap) {
    return q.status == CUDNN_STATUS_SUCCESS && q.memory <= cap &&
           (!strict ||
            (q.determinism == CUDNN_DETERMINISTIC && (p.bf16 || q.mathType == CUDNN_FMA_MATH)));
  };
  const int n = P::max_count(h);
  std::vector<typename P::Perf> ranked(n);
  int got = 0;
  ZKD_CUDNN_CHECK(P::get(h, p, n, &got, ranked.data()));
  if (!strict && !capturing()) {
    size_t ws_bytes = 0;  // the largest workspace a usable candidate asks for
    for (int i = 0; i < got; ++i)
      if (usable(ranked[i], kWorkspaceCap) && ranked[i].memory > ws_bytes)
        ws_bytes = ranked[i].memory;
    void* ws = workspace(ws_bytes);
    std::vector<typename P::Perf> timed(n);
    int timed_got = 0;
    ZKD_CUDNN_CHECK(P::find(h, p, b, n, &timed_got, timed.data(), ws, ws_bytes));
    for (int i = 0; i < timed_got; ++i)
      if (usable(timed[i], ws_bytes))
        return {static_cast<int>(timed[i].algo), timed[i].memory, timed[i].mathType};
  }
  for (int i = 0; i < got; ++i)
    if (usable(ranked[i], kWorkspaceCap))
      return {static_cast<int>(ranked[i].algo), ranked[i].memory, ranked[i].mathType};
  Choice c;
  c.algo = P::kFallback;
  c.math = plan_math(p);
  ZKD_CUDNN_CHECK(P::workspace(h, p, c.algo, &c.workspace));
  return c;
}

std::mutex g_plans_mu;
std::unordered_map<ConvKey, std::unique_ptr<ConvPlan>, ConvKeyHash> g_plans;
size_t g_searches = 0;  // guarded by g_plans_mu

// The plan of this problem, made (descriptors set, no algorithm yet) on first use.
ConvPlan& plan_for(const Shape& x, const Shape& w, const Conv2dArgs& a) {
  ConvKey key = make_key(x, w, a);
  std::lock_guard<std::mutex> lock(g_plans_mu);
  auto it = g_plans.find(key);
  if (it != g_plans.end()) return *it->second;
  auto p = std::make_unique<ConvPlan>();
  int64_t ho = conv_out_size(x[2], w[2], a.stride_h, a.pad_h);
  int64_t wo = conv_out_size(x[3], w[3], a.stride_w, a.pad_w);
  p->bf16 = bf16(a);
  const cudnnDataType_t t = p->bf16 ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT;
  p->x.set(x[0], x[1], x[2], x[3], t);
  p->y.set(x[0], w[0], ho, wo, t);
  ZKD_CUDNN_CHECK(cudnnSetFilter4dDescriptor(p->w.get(), t, CUDNN_TENSOR_NCHW,
                                             static_cast<int>(w[0]), static_cast<int>(w[1]),
                                             static_cast<int>(w[2]), static_cast<int>(w[3])));
  ZKD_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(
      p->conv.get(), static_cast<int>(a.pad_h), static_cast<int>(a.pad_w),
      static_cast<int>(a.stride_h), static_cast<int>(a.stride_w), 1, 1, CUDNN_CROSS_CORRELATION,
      CUDNN_DATA_FLOAT));
  ZKD_CUDNN_CHECK(cudnnSetConvolutionGroupCount(p->conv.get(), static_cast<int>(a.groups)));
  int dims[4] = {0, 0, 0, 0};
  ZKD_CUDNN_CHECK(
      cudnnGetConvolutionNdForwardOutputDim(p->conv.get(), p->x.get(), p->w.get(), 4, dims));
  ZKD_CHECK(dims[0] == x[0] && dims[1] == w[0] && dims[2] == ho && dims[3] == wo, "conv2d",
            "expected cuDNN's output shape [", x[0], ", ", w[0], ", ", ho, ", ", wo, "], got [",
            dims[0], ", ", dims[1], ", ", dims[2], ", ", dims[3], "]");
  return *g_plans.emplace(key, std::move(p)).first->second;
}

// Validates the NCHW shapes shared by the three passes; returns y's shape [N, K, Ho, Wo].
Shape check_conv(const char* op, const Shape& x, const Shape& w, const Conv2dArgs& a) {
  ZKD_CHECK(x.size() == 4 && w.size() == 4, op, "expected a 4-D input and weight, got ",
            shape_str(x), " and ", shape_str(w));
  ZKD_CHECK(
      a.groups >= 1 && x[1] % a.groups == 0 && w[0] % a.groups == 0 && w[1] * a.groups == x[1], op,
      "expected weight [K, C/groups, R, S] for input ", shape_str(x), " and groups ", a.groups,
      ", got ", shape_str(w));
  ZKD_CHECK(x[2] + 2 * a.pad_h >= w[2] && x[3] + 2 * a.pad_w >= w[3] && a.stride_h >= 1 &&
                a.stride_w >= 1 && a.pad_h >= 0 && a.pad_w >= 0,
            op, "expected a kernel that fits the padded input and strides >= 1, got input ",
            shape_str(x), ", weight ", shape_str(w), ", stride ", a.stride_h, "x", a.stride_w,
            ", padding ", a.pad_h, "x", a.pad_w);
  Shape y{x[0], w[0], conv_out_size(x[2], w[2], a.stride_h, a.pad_h),
          conv_out_size(x[3], w[3], a.stride_w, a.pad_w)};
  return y;
}

Choice& ensure(Choice& c, Choice (*find)(const ConvPlan&, const Buffers&), const ConvPlan& p,
               const Buffers& b) {
  if (c.algo < 0) {
    c = find(p, b);
    std::lock_guard<std::mutex> lock(g_plans_mu);
    ++g_searches;
  }
  ZKD_CUDNN_CHECK(cudnnSetConvolutionMathType(p.conv.get(), c.math));
  return c;
}

}  // namespace

Tensor conv2d_fwd(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a) {
  const char* op = "conv2d";
  require_f32(op, x, "input");
  require_f32(op, w, "weight");
  Shape ys = check_conv(op, x.shape(), w.shape(), a);
  int64_t N = ys[0], K = ys[1], HoWo = ys[2] * ys[3];
  if (bias.defined()) {
    require_f32(op, bias, "bias");
    check_shape(op, bias, {K}, "bias");
  }
  Tensor y = Tensor::empty(ys, DType::F32, x.device());
  if (y.numel() == 0) return y;
  ConvPlan& p = plan_for(x.shape(), w.shape(), a);
  Staging st = stage(p.bf16, x, w, y, 2);
  const Buffers& b = st.b;
  Choice& c = ensure(p.fwd, search<FwdPass>, p, b);
  const float one = 1, zero = 0;
  ZKD_CUDNN_CHECK(
      cudnnConvolutionForward(cudnn(), &one, p.x.get(), b.x, p.w.get(), b.w, p.conv.get(),
                              static_cast<cudnnConvolutionFwdAlgo_t>(c.algo),
                              workspace(c.workspace), c.workspace, &zero, p.y.get(), b.y));
  st.finish();
  if (bias.defined()) {
    bias_add_fwd(y.data<float>(), bias.data<float>(), N, K, HoWo, stream());
    ZKD_LAUNCH_CHECK("bias_add_fwd_kernel");
  }
  return y;
}

Tensor conv2d_bwd_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                       const Conv2dArgs& a) {
  const char* op = "conv2d backward (data)";
  require_f32(op, dy, "output gradient");
  require_f32(op, w, "weight");
  check_shape(op, dy, check_conv(op, x_shape, w.shape(), a), "output gradient");
  Tensor dx = Tensor::empty(x_shape, DType::F32, dy.device());
  if (dx.numel() == 0) return dx;
  ConvPlan& p = plan_for(x_shape, w.shape(), a);
  Staging st = stage(p.bf16, dx, w, dy, 0);
  const Buffers& b = st.b;
  Choice& c = ensure(p.bwd_data, search<BwdDataPass>, p, b);
  const float one = 1, zero = 0;
  ZKD_CUDNN_CHECK(
      cudnnConvolutionBackwardData(cudnn(), &one, p.w.get(), b.w, p.y.get(), b.y, p.conv.get(),
                                   static_cast<cudnnConvolutionBwdDataAlgo_t>(c.algo),
                                   workspace(c.workspace), c.workspace, &zero, p.x.get(), b.x));
  st.finish();
  return dx;
}

Tensor conv2d_bwd_weight(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                         const Conv2dArgs& a) {
  const char* op = "conv2d backward (weight)";
  require_f32(op, dy, "output gradient");
  require_f32(op, x, "input");
  check_shape(op, dy, check_conv(op, x.shape(), w_shape, a), "output gradient");
  Tensor dw = Tensor::empty(w_shape, DType::F32, dy.device());
  if (dw.numel() == 0) return dw;
  if (x.numel() == 0) {  // an empty batch contributes nothing
    ZKD_CUDA_CHECK(cudaMemsetAsync(dw.data<float>(), 0, dw.nbytes(), stream()));
    return dw;
  }
  ConvPlan& p = plan_for(x.shape(), w_shape, a);
  Staging st = stage(p.bf16, x, dw, dy, 1);
  const Buffers& b = st.b;
  Choice& c = ensure(p.bwd_filter, search<BwdFilterPass>, p, b);
  const float one = 1, zero = 0;
  ZKD_CUDNN_CHECK(
      cudnnConvolutionBackwardFilter(cudnn(), &one, p.x.get(), b.x, p.y.get(), b.y, p.conv.get(),
                                     static_cast<cudnnConvolutionBwdFilterAlgo_t>(c.algo),
                                     workspace(c.workspace), c.workspace, &zero, p.w.get(), b.w));
  st.finish();
  return dw;
}

Tensor conv2d_bwd_bias(const Tensor& dy) {
  const char* op = "conv2d backward (bias)";
  require_f32(op, dy, "output gradient");
  check_rank(op, dy, 4, "NCHW");
  int64_t N = dy.size(0), K = dy.size(1), HW = dy.size(2) * dy.size(3);
  Tensor db = Tensor::empty({K}, DType::F32, dy.device());
  bias_add_bwd(dy.data<float>(), db.data<float>(), N, K, HW, stream());
  ZKD_LAUNCH_CHECK("bias_add_bwd_kernel");
  return db;
}

size_t conv_plan_count() {
  std::lock_guard<std::mutex> lock(g_plans_mu);
  return g_plans.size();
}

void clear_conv_plans() {
  std::lock_guard<std::mutex> lock(g_plans_mu);
  g_plans.clear();
  g_searches = 0;
}

size_t conv_algorithm_searches() {
  std::lock_guard<std::mutex> lock(g_plans_mu);
  return g_searches;
}

std::string conv_plan_algorithms(const Shape& x_shape, const Shape& w_shape, const Conv2dArgs& a) {
  std::lock_guard<std::mutex> lock(g_plans_mu);
  auto it = g_plans.find(make_key(x_shape, w_shape, a));
  if (it == g_plans.end()) return "";
  const ConvPlan& p = *it->second;
  return "fwd=" + std::to_string(p.fwd.algo) + " bwd_data=" + std::to_string(p.bwd_data.algo) +
         " bwd_filter=" + std::to_string(p.bwd_filter.algo);
}

}  // namespace zkd::cuda
