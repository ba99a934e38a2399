// CPU pooling: avg_pool2d and max_pool2d (padding, ceil_mode, PyTorch's window rules) and
// global average pooling, forward and backward.
#include <cmath>
#include <limits>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/cpu_util.h"

namespace zkd::cpu {

namespace {
// One output window of a pooling op: clamped bounds plus PyTorch's avg divisor.
struct Window {
  int64_t h0, h1, w0, w1, divisor;
};

Window window(int64_t oh, int64_t ow, int64_t H, int64_t W, const Pool2dArgs& a) {
  int64_t h0 = oh * a.stride_h - a.pad_h, w0 = ow * a.stride_w - a.pad_w;
  int64_t h1 = std::min(h0 + a.kernel_h, H + a.pad_h);
  int64_t w1 = std::min(w0 + a.kernel_w, W + a.pad_w);
  int64_t padded = (h1 - h0) * (w1 - w0);
  h0 = std::max<int64_t>(h0, 0);
  w0 = std::max<int64_t>(w0, 0);
  h1 = std::min(h1, H);
  w1 = std::min(w1, W);
  int64_t divisor = a.count_include_pad ? padded : (h1 - h0) * (w1 - w0);
  return {h0, h1, w0, w1, divisor};
}

struct PoolDims {
  int64_t planes, H, W, Ho, Wo;
  PoolDims(const Shape& x, const Pool2dArgs& a)
      : planes(x[0] * x[1]),
        H(x[2]),
        W(x[3]),
        Ho(pool_out_size(x[2], a.kernel_h, a.stride_h, a.pad_h, a.ceil_mode)),
        Wo(pool_out_size(x[3], a.kernel_w, a.stride_w, a.pad_w, a.ceil_mode)) {}
};
}  // namespace

Tensor avg_pool2d_fwd(const Tensor& x, const Pool2dArgs& a) {
  PoolDims d(x.shape(), a);
  Tensor y = Tensor::empty({x.size(0), x.size(1), d.Ho, d.Wo}, x.dtype(), x.device());
  dispatch_float("avg_pool2d", x.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t p = 0; p < d.planes; ++p) {
      const T* in = x.data<T>() + p * d.H * d.W;
      T* out = y.data<T>() + p * d.Ho * d.Wo;
      for (int64_t oh = 0; oh < d.Ho; ++oh)
        for (int64_t ow = 0; ow < d.Wo; ++ow) {
          Window win = window(oh, ow, d.H, d.W, a);
          double acc = 0;
          for (int64_t h = win.h0; h < win.h1; ++h)
            for (int64_t w = win.w0; w < win.w1; ++w) acc += in[h * d.W + w];
          out[oh * d.Wo + ow] = static_cast<T>(acc / static_cast<double>(win.divisor));
        }
    }
  });
  return y;
}

Tensor avg_pool2d_bwd(const Tensor& dy, const Shape& x_shape, const Pool2dArgs& a) {
  PoolDims d(x_shape, a);
  Tensor dx = zeros(x_shape, dy.dtype(), dy.device());
  dispatch_float("avg_pool2d", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t p = 0; p < d.planes; ++p) {
      const T* g = dy.data<T>() + p * d.Ho * d.Wo;
      T* out = dx.data<T>() + p * d.H * d.W;
      for (int64_t oh = 0; oh < d.Ho; ++oh)
        for (int64_t ow = 0; ow < d.Wo; ++ow) {
          Window win = window(oh, ow, d.H, d.W, a);
          T v = g[oh * d.Wo + ow] / static_cast<T>(win.divisor);
          for (int64_t h = win.h0; h < win.h1; ++h)
            for (int64_t w = win.w0; w < win.w1; ++w) out[h * d.W + w] += v;
        }
    }
  });
  return dx;
}

MaxPoolOut max_pool2d_fwd(const Tensor& x, const Pool2dArgs& a) {
  PoolDims d(x.shape(), a);
  Shape ys{x.size(0), x.size(1), d.Ho, d.Wo};
  MaxPoolOut r{Tensor::empty(ys, x.dtype(), x.device()), Tensor::empty(ys, DType::I32, x.device())};
  dispatch_float("max_pool2d", x.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t p = 0; p < d.planes; ++p) {
      const T* in = x.data<T>() + p * d.H * d.W;
      T* out = r.y.data<T>() + p * d.Ho * d.Wo;
      int32_t* idx = r.argmax.data<int32_t>() + p * d.Ho * d.Wo;
      for (int64_t oh = 0; oh < d.Ho; ++oh)
        for (int64_t ow = 0; ow < d.Wo; ++ow) {
          Window win = window(oh, ow, d.H, d.W, a);
          T best = -std::numeric_limits<T>::infinity();
          int64_t arg = win.h0 * d.W + win.w0;
          for (int64_t h = win.h0; h < win.h1; ++h)
            for (int64_t w = win.w0; w < win.w1; ++w) {
              T v = in[h * d.W + w];
              if (v > best || std::isnan(v)) {  // NaN propagates, as in PyTorch
                best = v;
                arg = h * d.W + w;
                if (std::isnan(v)) goto done;
              }
            }
        done:
          out[oh * d.Wo + ow] = best;
          idx[oh * d.Wo + ow] = static_cast<int32_t>(arg);
        }
    }
  });
  return r;
}

Tensor max_pool2d_bwd(const Tensor& dy, const Tensor& argmax, const Shape& x_shape) {
  Tensor dx = zeros(x_shape, dy.dtype(), dy.device());
  int64_t planes = x_shape[0] * x_shape[1], HW = x_shape[2] * x_shape[3];
  int64_t out_plane = dy.size(2) * dy.size(3);
  dispatch_float("max_pool2d", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t p = 0; p < planes; ++p) {
      const T* g = dy.data<T>() + p * out_plane;
      const int32_t* idx = argmax.data<int32_t>() + p * out_plane;
      T* out = dx.data<T>() + p * HW;
      for (int64_t i = 0; i < out_plane; ++i) out[idx[i]] += g[i];
    }
  });
  return dx;
}

Tensor global_avg_pool_fwd(const Tensor& x) {
  int64_t planes = x.size(0) * x.size(1), HW = x.size(2) * x.size(3);
  Tensor y = Tensor::empty({x.size(0), x.size(1)}, x.dtype(), x.device());
  dispatch_float("global_avg_pool", x.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t p = 0; p < planes; ++p) {
      const T* in = x.data<T>() + p * HW;
      double acc = 0;
      for (int64_t i = 0; i < HW; ++i) acc += in[i];
      y.data<T>()[p] = static_cast<T>(acc / static_cast<double>(HW));
    }
  });
  return y;
}

Tensor global_avg_pool_bwd(const Tensor& dy, const Shape& x_shape) {
  int64_t planes = x_shape[0] * x_shape[1], HW = x_shape[2] * x_shape[3];
  Tensor dx = Tensor::empty(x_shape, dy.dtype(), dy.device());
  dispatch_float("global_avg_pool", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t p = 0; p < planes; ++p) {
      T v = dy.data<T>()[p] / static_cast<T>(HW);
      T* out = dx.data<T>() + p * HW;
      for (int64_t i = 0; i < HW; ++i) out[i] = v;
    }
  });
  return dx;
}

}  // namespace zkd::cpu
