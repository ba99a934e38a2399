// CPU element-wise ops, fills, copies, conversions, whole-tensor reductions and the SGD update.
#include <cmath>
#include <cstring>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/bf16_cpu.h"
#include "engine/backend/cpu/cpu_util.h"
#include "engine/core/bf16.h"

namespace zkd::cpu {

namespace {
template <typename T>
void fill_typed(Tensor& t, double v) {
  T* p = static_cast<T*>(t.raw());
  std::fill(p, p + t.numel(), static_cast<T>(v));
}
}  // namespace

void fill(Tensor& t, double value) {
  switch (t.dtype()) {
    case DType::F32:
      return fill_typed<float>(t, value);
    case DType::F64:
      return fill_typed<double>(t, value);
    case DType::U8:
      return fill_typed<uint8_t>(t, value);
    case DType::I32:
      return fill_typed<int32_t>(t, value);
    case DType::I64:
      return fill_typed<int64_t>(t, value);
    default:
      ZKD_FAIL("fill", "unsupported dtype ", dtype_name(t.dtype()));
  }
}

void fill_uniform(Tensor& t, uint64_t seed, uint64_t first, double lo, double hi) {
  dispatch_float("uniform", t.dtype(), [&](auto z) {
    using T = decltype(z);
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, float>) {
        p[i] = rng_uniform_at(seed, first, i, static_cast<float>(lo), static_cast<float>(hi));
      } else {
        Philox4 r = philox_at(seed, static_cast<uint64_t>(RngStream::Fill), first + i);
        p[i] = lo + (hi - lo) * philox_unit53(r.v[0], r.v[1]);
      }
    }
  });
}

void fill_normal(Tensor& t, uint64_t seed, uint64_t first, double mean, double stddev) {
  dispatch_float("normal", t.dtype(), [&](auto z) {
    using T = decltype(z);
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, float>) {
        p[i] = rng_normal_at(seed, first, i, static_cast<float>(mean), static_cast<float>(stddev));
      } else {
        Philox4 r = philox_at(seed, static_cast<uint64_t>(RngStream::Fill), first + i);
        double u1 = 1.0 - philox_unit53(r.v[0], r.v[1]), u2 = philox_unit53(r.v[2], r.v[3]);
        p[i] = mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
      }
    }
  });
}

void copy_strided(Tensor& dst, const Tensor& src) {
  ZKD_CHECK(dst.shape() == src.shape() && dst.dtype() == src.dtype() && dst.is_contiguous(), "copy",
            "expected a contiguous destination of the source's shape and dtype, got ", dst.str(),
            " <- ", src.str());
  size_t es = dtype_size(src.dtype());
  const char* s = static_cast<const char*>(src.raw());
  char* d = static_cast<char*>(dst.raw());
  int64_t n = src.numel();
  if (src.is_contiguous()) {
    std::memcpy(d, s, static_cast<size_t>(n) * es);
    return;
  }
  int64_t nd = src.dim();
  std::vector<int64_t> idx(nd, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (int64_t k = 0; k < nd; ++k) off += idx[k] * src.strides()[k];
    std::memcpy(d + i * es, s + off * static_cast<int64_t>(es), es);
    for (int64_t k = nd - 1; k >= 0; --k) {
      if (++idx[k] < src.shape()[k]) break;
      idx[k] = 0;
    }
  }
}

namespace {
template <typename S, typename D>
void convert_typed(const Tensor& x, Tensor& y) {
  const S* s = static_cast<const S*>(x.raw());
  D* d = static_cast<D*>(y.raw());
  for (int64_t i = 0; i < x.numel(); ++i) d[i] = static_cast<D>(s[i]);
}
template <typename S>
void convert_from(const Tensor& x, Tensor& y) {
  switch (y.dtype()) {
    case DType::F32:
      return convert_typed<S, float>(x, y);
    case DType::F64:
      return convert_typed<S, double>(x, y);
    case DType::U8:
      return convert_typed<S, uint8_t>(x, y);
    case DType::I32:
      return convert_typed<S, int32_t>(x, y);
    case DType::I64:
      return convert_typed<S, int64_t>(x, y);
    default:
      ZKD_FAIL("convert", "unsupported target dtype ", dtype_name(y.dtype()));
  }
}
}  // namespace

Tensor convert(const Tensor& x, DType dtype) {
  Tensor y = Tensor::empty(x.shape(), dtype, x.device());
  switch (x.dtype()) {
    case DType::F32:
      convert_from<float>(x, y);
      break;
    case DType::F64:
      convert_from<double>(x, y);
      break;
    case DType::U8:
      convert_from<uint8_t>(x, y);
      break;
    case DType::I32:
      convert_from<int32_t>(x, y);
      break;
    case DType::I64:
      convert_from<int64_t>(x, y);
      break;
    default:
      ZKD_FAIL("convert", "unsupported source dtype ", dtype_name(x.dtype()));
  }
  return y;
}

// Element-wise loops below this many elements stay on the calling thread; above it they split
// over the OpenMP threads (the pool oneDNN uses).
constexpr int64_t kParallelMin = 1 << 16;

// y[i] = f(a[i], more[i]...) over same-shaped contiguous float tensors. The operands arrive as
// plain pointer arguments and f has no branch the compiler cannot turn into a select, so the loop
// vectorizes (a branch on a data-dependent sign, as in ReLU's backward reading y through a
// captured pointer, mispredicted about half the time and cost ~20% of a resnet20 step).
template <typename T, typename F, typename... P>
void map_loop(int64_t n, T* py, const F& f, const P*... p) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) py[i] = f(p[i]...);
}
template <typename F, typename... More>
Tensor map(const char* op, F&& f, const Tensor& a, const More&... more) {
  (check_shape(op, more, a.shape(), "another operand"), ...);
  Tensor y = Tensor::empty(a.shape(), a.dtype(), a.device());
  dispatch_float(op, a.dtype(), [&](auto z) {
    using T = decltype(z);
    map_loop(a.numel(), y.data<T>(), f, a.data<T>(), more.template data<T>()...);
  });
  return y;
}

Tensor round_to_bf16(const Tensor& x) {
  ZKD_CHECK(x.dtype() == DType::F32, "round_to_bf16", "expected float32, got ",
            dtype_name(x.dtype()));
  return map(
      "round_to_bf16", [](auto v) { return decltype(v)(round_bf16(float(v))); }, x);
}

void add_inplace(Tensor& dst, const Tensor& src, double alpha) {
  check_shape("add_inplace", src, dst.shape(), "a source");
  dispatch_float("add_inplace", dst.dtype(), [&](auto z) {
    using T = decltype(z);
    T* d = dst.data<T>();
    const T* s = src.data<T>();
    const T k = static_cast<T>(alpha);
    const int64_t n = dst.numel();
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) d[i] += k * s[i];
  });
}

Tensor add(const Tensor& a, const Tensor& b) {
  return dispatch_float("add", a.dtype(), [&](auto z) {
    using T = decltype(z);
    return map(
        "add", [](T u, T v) { return u + v; }, a, b);
  });
}

Tensor scale(const Tensor& x, double alpha) {
  return dispatch_float("scale", x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T k = static_cast<T>(alpha);
    return map(
        "scale", [k](T v) { return k * v; }, x);
  });
}

Tensor scale_by(const Tensor& x, const Tensor& s) {
  return scale(x, s.item_double());
}

Tensor relu_fwd(const Tensor& x) {
  return dispatch_float("relu", x.dtype(), [&](auto z) {
    using T = decltype(z);
    return map(
        "relu", [](T v) { return v > T(0) ? v : T(0); }, x);
  });
}

Tensor relu_bwd(const Tensor& dy, const Tensor& y) {
  return dispatch_float("relu", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    return map(
        "relu", [](T g, T out) { return out > T(0) ? g : T(0); }, dy, y);
  });
}

Tensor sum_all(const Tensor& x) {
  Tensor y = Tensor::empty({}, x.dtype(), x.device());
  dispatch_float("sum", x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* p = x.data<T>();
    double acc = 0;
    for (int64_t i = 0; i < x.numel(); ++i) acc += p[i];
    *y.data<T>() = static_cast<T>(acc);
  });
  return y;
}

Tensor expand_scalar(const Tensor& s, const Shape& shape, double alpha) {
  Tensor y = Tensor::empty(shape, s.dtype(), s.device());
  fill(y, alpha * s.item_double());
  return y;
}

void sgd_update(Tensor& param, const Tensor& grad, Tensor& buf, const SgdArgs& a) {
  dispatch_float("sgd", param.dtype(), [&](auto z) {
    using T = decltype(z);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* m = buf.data<T>();
    const T lr = a.lr, mom = a.momentum, wd = a.weight_decay;
    const bool nesterov = a.nesterov;
    const int64_t n = param.numel();
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) {
      T d = g[i] + wd * p[i];
      m[i] = mom * m[i] + d;
      T step = nesterov ? d + mom * m[i] : m[i];
      p[i] -= lr * step;
    }
  });
}

}  // namespace zkd::cpu
