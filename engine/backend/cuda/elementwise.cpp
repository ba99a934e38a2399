// CUDA element-wise and memory ops (fill, random fills, strided copy, convert, add, scale, relu):
// checks and output allocation around the launchers of kernels/elementwise.h. No host
// synchronization: every op only enqueues work on the compute stream.
#include <utility>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"
#include "kernels/elementwise.h"

namespace zkd::cuda {

void fill(Tensor& t, double value) {
  ZKD_CHECK(t.is_cuda() && t.is_contiguous(), "fill", "expected a contiguous CUDA tensor, got ",
            t.str());
  dispatch_dtype("fill", t.dtype(), [&](auto z) {
    using T = decltype(z);
    kernels::fill(static_cast<T*>(t.raw()), t.numel(), static_cast<T>(value), stream());
  });
  ZKD_LAUNCH_CHECK("fill_kernel");
}

void fill_uniform(Tensor& t, uint64_t seed, uint64_t first, double lo, double hi) {
  require_f32("uniform", t, "tensor");
  kernels::fill_uniform(t.data<float>(), t.numel(), seed, first, static_cast<float>(lo),
                        static_cast<float>(hi), stream());
  ZKD_LAUNCH_CHECK("fill_uniform_kernel");
}

void fill_normal(Tensor& t, uint64_t seed, uint64_t first, double mean, double stddev) {
  require_f32("normal", t, "tensor");
  kernels::fill_normal(t.data<float>(), t.numel(), seed, first, static_cast<float>(mean),
                       static_cast<float>(stddev), stream());
  ZKD_LAUNCH_CHECK("fill_normal_kernel");
}

namespace {
// The source layout with size-1 dims dropped and dims merged where one row-major run covers
// them (a contiguous inner block of a strided view becomes one dim).
kernels::StridedLayout collapse(const Tensor& src) {
  std::vector<std::pair<int64_t, int64_t>> dims;  // (size, stride), outermost first
  for (int64_t k = 0; k < src.dim(); ++k) {
    int64_t size = src.shape()[k], stride = src.strides()[k];
    if (size == 1) continue;
    if (!dims.empty() && dims.back().second == stride * size) {
      dims.back().first *= size;
      dims.back().second = stride;
    } else {
      dims.emplace_back(size, stride);
    }
  }
  ZKD_CHECK(dims.size() <= static_cast<size_t>(kernels::kMaxCopyDims), "copy",
            "expected a source of at most ", kernels::kMaxCopyDims,
            " non-mergeable dims on CUDA, got shape ", shape_str(src.shape()), " with strides ",
            shape_str(src.strides()));
  kernels::StridedLayout l;
  l.ndim = static_cast<int>(dims.size());
  for (size_t k = 0; k < dims.size(); ++k) {
    l.shape[k] = dims[k].first;
    l.strides[k] = dims[k].second;
  }
  return l;
}
}  // namespace

void copy_strided(Tensor& dst, const Tensor& src) {
  ZKD_CHECK(dst.shape() == src.shape() && dst.dtype() == src.dtype() && dst.is_contiguous(), "copy",
            "expected a contiguous destination of the source's shape and dtype, got ", dst.str(),
            " <- ", src.str());
  ZKD_CHECK(dst.is_cuda() && src.device() == dst.device(), "copy",
            "expected source and destination on one CUDA device, got ", dst.str(), " <- ",
            src.str());
  if (dst.numel() == 0) return;
  if (src.is_contiguous()) {
    ZKD_CUDA_CHECK(
        cudaMemcpyAsync(dst.raw(), src.raw(), dst.nbytes(), cudaMemcpyDeviceToDevice, stream()));
    return;
  }
  int es = static_cast<int>(dtype_size(src.dtype()));
  ZKD_CHECK(es == 1 || es == 2 || es == 4 || es == 8, "copy",
            "expected an element size of 1, 2, 4 or 8 bytes, got ", es);
  kernels::copy_strided(dst.raw(), src.raw(), src.numel(), es, collapse(src), stream());
  ZKD_LAUNCH_CHECK("copy_strided_kernel");
}

Tensor convert(const Tensor& x, DType dtype) {
  ZKD_CHECK(x.is_cuda() && x.is_contiguous(), "convert", "expected a contiguous CUDA tensor, got ",
            x.str());
  Tensor y = Tensor::empty(x.shape(), dtype, x.device());
  dispatch_dtype("convert", x.dtype(), [&](auto zs) {
    using S = decltype(zs);
    dispatch_dtype("convert", dtype, [&](auto zd) {
      using D = decltype(zd);
      kernels::convert(static_cast<const S*>(x.raw()), static_cast<D*>(y.raw()), x.numel(),
                       stream());
    });
  });
  ZKD_LAUNCH_CHECK("convert_kernel");
  return y;
}

void add_inplace(Tensor& dst, const Tensor& src, double alpha) {
  require_f32("add_inplace", dst, "destination");
  require_f32("add_inplace", src, "source");
  require_numel("add_inplace", src, dst.numel(), dst, "source");
  kernels::add_inplace(dst.data<float>(), src.data<float>(), dst.numel(), static_cast<float>(alpha),
                       stream());
  ZKD_LAUNCH_CHECK("add_inplace_kernel");
}

Tensor add(const Tensor& a, const Tensor& b) {  // a, b [any], same shape
  require_f32("add", a, "first input");
  require_f32("add", b, "second input");
  require_numel("add", b, a.numel(), a, "second input");
  Tensor y = Tensor::empty(a.shape(), DType::F32, a.device());
  kernels::add(a.data<float>(), b.data<float>(), y.data<float>(), a.numel(), stream());
  ZKD_LAUNCH_CHECK("add_kernel");
  return y;
}

Tensor scale(const Tensor& x, double alpha) {
  require_f32("scale", x, "input");
  Tensor y = Tensor::empty(x.shape(), DType::F32, x.device());
  kernels::scale(x.data<float>(), y.data<float>(), x.numel(), static_cast<float>(alpha), stream());
  ZKD_LAUNCH_CHECK("scale_kernel");
  return y;
}

Tensor scale_by(const Tensor& x, const Tensor& s) {  // x [any], s one element
  require_f32("scale_by", x, "input");
  require_f32("scale_by", s, "scalar");
  require_numel("scale_by", s, 1, x, "scalar");
  Tensor y = Tensor::empty(x.shape(), DType::F32, x.device());
  kernels::scale_by(x.data<float>(), s.data<float>(), y.data<float>(), x.numel(), stream());
  ZKD_LAUNCH_CHECK("scale_by_kernel");
  return y;
}

Tensor relu_fwd(const Tensor& x) {
  require_f32("relu", x, "input");
  Tensor y = Tensor::empty(x.shape(), DType::F32, x.device());
  kernels::relu_fwd(x.data<float>(), y.data<float>(), x.numel(), stream());
  ZKD_LAUNCH_CHECK("relu_fwd_kernel");
  return y;
}

Tensor relu_bwd(const Tensor& dy, const Tensor& y) {  // dy, y [any], same shape
  require_f32("relu", dy, "gradient");
  require_f32("relu", y, "saved output");
  require_numel("relu", y, dy.numel(), dy, "saved output");
  Tensor dx = Tensor::empty(dy.shape(), DType::F32, dy.device());
  kernels::relu_bwd(dy.data<float>(), y.data<float>(), dx.data<float>(), dy.numel(), stream());
  ZKD_LAUNCH_CHECK("relu_bwd_kernel");
  return dx;
}

}  // namespace zkd::cuda
