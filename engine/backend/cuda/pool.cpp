// CUDA pooling ops: avg_pool2d, max_pool2d (padding, ceil_mode) and global average pooling,
// forward and backward, around the launchers of kernels/pool.h. The argument checks (kernel,
// stride, padding, output size) are done by ops/pool.cpp; these check dtype, device and shapes.
#include "kernels/pool.h"

#include <cstdint>

#include "engine/backend/backend.h"
#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"

namespace zkd::cuda {

namespace {
kernels::PoolGeometry geometry(const char* op, const Shape& x, const Pool2dArgs& a) {
  ZKD_CHECK(x.size() == 4, op, "expected an NCHW input shape, got ", shape_str(x));
  kernels::PoolGeometry g;
  g.planes = x[0] * x[1];
  g.H = x[2];
  g.W = x[3];
  g.Ho = pool_out_size(x[2], a.kernel_h, a.stride_h, a.pad_h, a.ceil_mode);
  g.Wo = pool_out_size(x[3], a.kernel_w, a.stride_w, a.pad_w, a.ceil_mode);
  g.kernel_h = a.kernel_h;
  g.kernel_w = a.kernel_w;
  g.stride_h = a.stride_h;
  g.stride_w = a.stride_w;
  g.pad_h = a.pad_h;
  g.pad_w = a.pad_w;
  g.count_include_pad = a.count_include_pad;
  ZKD_CHECK(g.H * g.W <= INT32_MAX && g.Ho * g.Wo <= INT32_MAX, op,
            "expected planes of at most 2^31 - 1 elements (int32 indices), got ", shape_str(x));
  return g;
}

Shape out_shape(const Shape& x, const kernels::PoolGeometry& g) {
  return {x[0], x[1], g.Ho, g.Wo};
}
}  // namespace

Tensor avg_pool2d_fwd(const Tensor& x, const Pool2dArgs& a) {  // x [N, C, H, W]
  require_f32("avg_pool2d", x, "input");
  kernels::PoolGeometry g = geometry("avg_pool2d", x.shape(), a);
  Tensor y = Tensor::empty(out_shape(x.shape(), g), DType::F32, x.device());  // [N, C, Ho, Wo]
  kernels::avg_pool2d_fwd(x.data<float>(), y.data<float>(), g, stream());
  ZKD_LAUNCH_CHECK("avg_pool2d_fwd_kernel");
  return y;
}

Tensor avg_pool2d_bwd(const Tensor& dy, const Shape& x_shape, const Pool2dArgs& a) {
  require_f32("avg_pool2d", dy, "gradient");
  kernels::PoolGeometry g = geometry("avg_pool2d", x_shape, a);
  check_shape("avg_pool2d", dy, out_shape(x_shape, g), "gradient");  // dy [N, C, Ho, Wo]
  Tensor dx = Tensor::empty(x_shape, DType::F32, dy.device());       // [N, C, H, W]
  kernels::avg_pool2d_bwd(dy.data<float>(), dx.data<float>(), g, stream());
  ZKD_LAUNCH_CHECK("avg_pool2d_bwd_kernel");
  return dx;
}

MaxPoolOut max_pool2d_fwd(const Tensor& x, const Pool2dArgs& a) {  // x [N, C, H, W]
  require_f32("max_pool2d", x, "input");
  kernels::PoolGeometry g = geometry("max_pool2d", x.shape(), a);
  Shape ys = out_shape(x.shape(), g);  // [N, C, Ho, Wo]
  MaxPoolOut r{Tensor::empty(ys, DType::F32, x.device()),
               Tensor::empty(ys, DType::I32, x.device())};
  kernels::max_pool2d_fwd(x.data<float>(), r.y.data<float>(), r.argmax.data<int32_t>(), g,
                          stream());
  ZKD_LAUNCH_CHECK("max_pool2d_fwd_kernel");
  return r;
}

// dy, argmax [N, C, Ho, Wo] -> dx [N, C, H, W]
Tensor max_pool2d_bwd(const Tensor& dy, const Tensor& argmax, const Shape& x_shape) {
  require_f32("max_pool2d", dy, "gradient");
  ZKD_CHECK(x_shape.size() == 4, "max_pool2d", "expected an NCHW input shape, got ",
            shape_str(x_shape));
  ZKD_CHECK(dy.dim() == 4 && dy.size(0) == x_shape[0] && dy.size(1) == x_shape[1], "max_pool2d",
            "expected a gradient [", x_shape[0], ", ", x_shape[1], ", Ho, Wo], got ",
            shape_str(dy.shape()));
  check_shape("max_pool2d", argmax, dy.shape(), "argmax");
  check_dtype("max_pool2d", argmax, DType::I32, "argmax");
  check_same_device("max_pool2d", dy, argmax);
  Tensor dx = Tensor::empty(x_shape, DType::F32, dy.device());
  int64_t planes = x_shape[0] * x_shape[1];
  ZKD_CUDA_CHECK(cudaMemsetAsync(dx.raw(), 0, dx.nbytes(), stream()));
  kernels::max_pool2d_bwd(dy.data<float>(), argmax.data<int32_t>(), dx.data<float>(), planes,
                          x_shape[2] * x_shape[3], dy.size(2) * dy.size(3), stream());
  ZKD_LAUNCH_CHECK("max_pool2d_bwd_kernel");
  return dx;
}

Tensor global_avg_pool_fwd(const Tensor& x) {  // x [N, C, H, W] -> [N, C]
  require_f32("global_avg_pool", x, "input");
  check_rank("global_avg_pool", x, 4, "NCHW");
  Tensor y = Tensor::empty({x.size(0), x.size(1)}, DType::F32, x.device());
  kernels::global_avg_pool_fwd(x.data<float>(), y.data<float>(), x.size(0) * x.size(1),
                               x.size(2) * x.size(3), stream());
  ZKD_LAUNCH_CHECK("global_avg_pool_fwd_kernel");
  return y;
}

Tensor global_avg_pool_bwd(const Tensor& dy, const Shape& x_shape) {  // dy [N, C] -> [N, C, H, W]
  require_f32("global_avg_pool", dy, "gradient");
  ZKD_CHECK(x_shape.size() == 4, "global_avg_pool", "expected an NCHW input shape, got ",
            shape_str(x_shape));
  check_shape("global_avg_pool", dy, {x_shape[0], x_shape[1]}, "gradient");
  Tensor dx = Tensor::empty(x_shape, DType::F32, dy.device());
  kernels::global_avg_pool_bwd(dy.data<float>(), dx.data<float>(), x_shape[0] * x_shape[1],
                               x_shape[2] * x_shape[3], stream());
  ZKD_LAUNCH_CHECK("global_avg_pool_bwd_kernel");
  return dx;
}

}  // namespace zkd::cuda
