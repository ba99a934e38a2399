// CPU conv2d: im2col + GEMM (OpenBLAS) per image and group; backward by the transposed GEMMs
// and col2im. Reference for cuDNN and for the fp32 oneDNN path (conv_onednn.cpp), which fp32
// takes unless ZKD_CPU_REFERENCE=1; templated on float and double. Under the bf16 policy each op
// runs oneDNN's bf16 kernels, or emulates them (bf16_cpu.h): rounded operands, the fp32 path.
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/bf16_cpu.h"
#include "engine/backend/cpu/cpu_util.h"
#include "engine/backend/cpu/onednn_ops.h"

namespace zkd::cpu {

namespace {
struct Geometry {
  int64_t N, C, H, W, K, R, S, Ho, Wo, G, Cg, Kg;
  int64_t col_rows() const { return Cg * R * S; }
  int64_t col_cols() const { return Ho * Wo; }
};

Geometry geometry(const Shape& x, const Shape& w, const Conv2dArgs& a) {
  Geometry g{};
  g.N = x[0];
  g.C = x[1];
  g.H = x[2];
  g.W = x[3];
  g.K = w[0];
  g.R = w[2];
  g.S = w[3];
  g.Ho = conv_out_size(g.H, g.R, a.stride_h, a.pad_h);
  g.Wo = conv_out_size(g.W, g.S, a.stride_w, a.pad_w);
  g.G = a.groups;
  g.Cg = g.C / g.G;
  g.Kg = g.K / g.G;
  return g;
}

// col[(c, r, s), (oh, ow)] = x[c, oh * sh - ph + r, ow * sw - pw + s] (0 outside).
template <typename T>
void im2col(const T* x, const Geometry& g, const Conv2dArgs& a, T* col) {
  for (int64_t c = 0; c < g.Cg; ++c)
    for (int64_t r = 0; r < g.R; ++r)
      for (int64_t s = 0; s < g.S; ++s) {
        T* row = col + ((c * g.R + r) * g.S + s) * g.Ho * g.Wo;
        for (int64_t oh = 0; oh < g.Ho; ++oh) {
          int64_t h = oh * a.stride_h - a.pad_h + r;
          for (int64_t ow = 0; ow < g.Wo; ++ow) {
            int64_t w = ow * a.stride_w - a.pad_w + s;
            bool in = h >= 0 && h < g.H && w >= 0 && w < g.W;
            row[oh * g.Wo + ow] = in ? x[(c * g.H + h) * g.W + w] : T(0);
          }
        }
      }
}

// The adjoint of im2col: dx[c, h, w] += col[(c, r, s), (oh, ow)].
template <typename T>
void col2im(const T* col, const Geometry& g, const Conv2dArgs& a, T* dx) {
  for (int64_t c = 0; c < g.Cg; ++c)
    for (int64_t r = 0; r < g.R; ++r)
      for (int64_t s = 0; s < g.S; ++s) {
        const T* row = col + ((c * g.R + r) * g.S + s) * g.Ho * g.Wo;
        for (int64_t oh = 0; oh < g.Ho; ++oh) {
          int64_t h = oh * a.stride_h - a.pad_h + r;
          if (h < 0 || h >= g.H) continue;
          for (int64_t ow = 0; ow < g.Wo; ++ow) {
            int64_t w = ow * a.stride_w - a.pad_w + s;
            if (w >= 0 && w < g.W) dx[(c * g.H + h) * g.W + w] += row[oh * g.Wo + ow];
          }
        }
      }
}
}  // namespace

Tensor conv2d_fwd(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a) {
  if (bf16_compute(x, a.precision)) {
    if (bf16_native()) return onednn::conv2d_fwd(x, w, bias, a);
    return conv2d_fwd(round_to_bf16(x), round_to_bf16(w), bias, fp32_args(a));
  }
  if (fast_fp32(x)) return onednn::conv2d_fwd(x, w, bias, a);
  Geometry g = geometry(x.shape(), w.shape(), a);
  Tensor y = Tensor::empty({g.N, g.K, g.Ho, g.Wo}, x.dtype(), x.device());
  dispatch_float("conv2d", x.dtype(), [&](auto z) {
    using T = decltype(z);
    std::vector<T> col(g.col_rows() * g.col_cols());
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    T* py = y.data<T>();
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t gr = 0; gr < g.G; ++gr) {
        im2col(px + (n * g.C + gr * g.Cg) * g.H * g.W, g, a, col.data());
        gemm(false, false, g.Kg, g.col_cols(), g.col_rows(), T(1), pw + gr * g.Kg * g.col_rows(),
             g.col_rows(), col.data(), g.col_cols(), T(0),
             py + (n * g.K + gr * g.Kg) * g.col_cols(), g.col_cols());
      }
    if (bias.defined()) {
      const T* pb = bias.data<T>();
      for (int64_t n = 0; n < g.N; ++n)
        for (int64_t k = 0; k < g.K; ++k) {
          T* p = py + (n * g.K + k) * g.col_cols();
          for (int64_t i = 0; i < g.col_cols(); ++i) p[i] += pb[k];
        }
    }
  });
  return y;
}

Tensor conv2d_bwd_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                       const Conv2dArgs& a) {
  if (bf16_compute(dy, a.precision)) {
    if (bf16_native()) return onednn::conv2d_bwd_data(dy, w, x_shape, a);
    return conv2d_bwd_data(round_to_bf16(dy), round_to_bf16(w), x_shape, fp32_args(a));
  }
  if (fast_fp32(dy)) return onednn::conv2d_bwd_data(dy, w, x_shape, a);
  Geometry g = geometry(x_shape, w.shape(), a);
  Tensor dx = zeros(x_shape, dy.dtype(), dy.device());
  dispatch_float("conv2d", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    std::vector<T> col(g.col_rows() * g.col_cols());
    const T* pdy = dy.data<T>();
    const T* pw = w.data<T>();
    T* pdx = dx.data<T>();
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t gr = 0; gr < g.G; ++gr) {
        // col [CgRS, HoWo] = W_g^T [CgRS, Kg] * dy_g [Kg, HoWo]
        gemm(true, false, g.col_rows(), g.col_cols(), g.Kg, T(1), pw + gr * g.Kg * g.col_rows(),
             g.col_rows(), pdy + (n * g.K + gr * g.Kg) * g.col_cols(), g.col_cols(), T(0),
             col.data(), g.col_cols());
        col2im(col.data(), g, a, pdx + (n * g.C + gr * g.Cg) * g.H * g.W);
      }
  });
  return dx;
}

Tensor conv2d_bwd_weight(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                         const Conv2dArgs& a) {
  if (bf16_compute(dy, a.precision)) {
    if (bf16_native()) return onednn::conv2d_bwd_weight(dy, x, w_shape, a);
    return conv2d_bwd_weight(round_to_bf16(dy), round_to_bf16(x), w_shape, fp32_args(a));
  }
  if (fast_fp32(dy)) return onednn::conv2d_bwd_weight(dy, x, w_shape, a);
  Geometry g = geometry(x.shape(), w_shape, a);
  Tensor dw = zeros(w_shape, dy.dtype(), dy.device());
  dispatch_float("conv2d", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    std::vector<T> col(g.col_rows() * g.col_cols());
    const T* pdy = dy.data<T>();
    const T* px = x.data<T>();
    T* pdw = dw.data<T>();
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t gr = 0; gr < g.G; ++gr) {
        im2col(px + (n * g.C + gr * g.Cg) * g.H * g.W, g, a, col.data());
        // dW_g [Kg, CgRS] += dy_g [Kg, HoWo] * col^T [HoWo, CgRS]
        gemm(false, true, g.Kg, g.col_rows(), g.col_cols(), T(1),
             pdy + (n * g.K + gr * g.Kg) * g.col_cols(), g.col_cols(), col.data(), g.col_cols(),
             T(1), pdw + gr * g.Kg * g.col_rows(), g.col_rows());
      }
  });
  return dw;
}

Tensor conv2d_bwd_bias(const Tensor& dy) {
  int64_t N = dy.size(0), K = dy.size(1), HW = dy.size(2) * dy.size(3);
  Tensor db = Tensor::empty({K}, dy.dtype(), dy.device());
  dispatch_float("conv2d", dy.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* p = dy.data<T>();
    for (int64_t k = 0; k < K; ++k) {
      double acc = 0;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t i = 0; i < HW; ++i) acc += p[(n * K + k) * HW + i];
      db.data<T>()[k] = static_cast<T>(acc);
    }
  });
  return db;
}

}  // namespace zkd::cpu
