// CUDA channel ops on NCHW tensors: concat and split along dim 1 and channel_shuffle, around the
// launchers of kernels/channels.h. Pure data movement, so any dtype works. ops/shape_ops.cpp
// checks the shapes against each other; these check devices and sizes the kernels rely on.
#include "kernels/channels.h"

#include "engine/backend/backend.h"
#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"

namespace zkd::cuda {

namespace {
void require_nchw(const char* op, const Tensor& t) {
  ZKD_CHECK(t.defined() && t.is_cuda() && t.is_contiguous(), op,
            "expected a contiguous CUDA tensor, got ",
            t.defined() ? t.str() : "an undefined tensor");
  check_rank(op, t, 4, "NCHW");
}
}  // namespace

// xs[i] [N, C_i, H, W] -> [N, sum C_i, H, W]
Tensor concat_channels(const std::vector<Tensor>& xs) {
  const char* op = "concat_channels";
  ZKD_CHECK(!xs.empty(), op, "expected at least one input, got none");
  const Tensor& f = xs[0];
  require_nchw(op, f);
  int64_t C = 0;
  for (const Tensor& t : xs) {
    require_nchw(op, t);
    check_same_device(op, f, t);
    check_dtype(op, t, f.dtype());
    ZKD_CHECK(t.size(0) == f.size(0) && t.size(2) == f.size(2) && t.size(3) == f.size(3), op,
              "expected inputs that differ only in channels, got ", shape_str(f.shape()), " and ",
              shape_str(t.shape()));
    C += t.size(1);
  }
  int64_t N = f.size(0), hw = f.size(2) * f.size(3);
  Tensor y = Tensor::empty({N, C, f.size(2), f.size(3)}, f.dtype(), f.device());
  int es = static_cast<int>(dtype_size(f.dtype()));
  int64_t c0 = 0;
  for (const Tensor& t : xs) {
    kernels::concat_channels(y.raw(), t.raw(), N, C, c0, t.size(1), hw, es, stream());
    ZKD_LAUNCH_CHECK("concat_channels_kernel");
    c0 += t.size(1);
  }
  return y;
}

// x [N, C, H, W] -> one [N, sizes[i], H, W] per size (the sizes sum to C)
std::vector<Tensor> split_channels(const Tensor& x, const std::vector<int64_t>& sizes) {
  const char* op = "split_channels";
  require_nchw(op, x);
  int64_t total = 0;
  for (int64_t s : sizes) {
    ZKD_CHECK(s > 0, op, "expected positive split sizes, got ", s);
    total += s;
  }
  ZKD_CHECK(total == x.size(1), op, "expected split sizes summing to ", x.size(1),
            " channels, got ", total);
  int64_t N = x.size(0), C = x.size(1), hw = x.size(2) * x.size(3);
  int es = static_cast<int>(dtype_size(x.dtype()));
  std::vector<Tensor> out;
  int64_t c0 = 0;
  for (int64_t cs : sizes) {
    Tensor t = Tensor::empty({N, cs, x.size(2), x.size(3)}, x.dtype(), x.device());
    kernels::split_channels(t.raw(), x.raw(), N, C, c0, cs, hw, es, stream());
    ZKD_LAUNCH_CHECK("split_channels_kernel");
    out.push_back(t);
    c0 += cs;
  }
  return out;
}

Tensor channel_shuffle(const Tensor& x, int64_t groups) {  // x [N, g*c, H, W] -> same shape
  const char* op = "channel_shuffle";
  require_nchw(op, x);
  ZKD_CHECK(groups >= 1 && x.size(1) % groups == 0, op, "expected channels ", x.size(1),
            " divisible by groups ", groups);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  kernels::channel_shuffle(y.raw(), x.raw(), x.size(0), x.size(1), groups, x.size(2) * x.size(3),
                           static_cast<int>(dtype_size(x.dtype())), stream());
  ZKD_LAUNCH_CHECK("channel_shuffle_kernel");
  return y;
}

}  // namespace zkd::cuda
