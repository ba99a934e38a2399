// CPU channel ops on NCHW: concat and split along dim 1, channel_shuffle. Pure data movement,
// so they work on any element size.
#include <cstring>

#include "engine/backend/backend.h"

namespace zkd::cpu {

Tensor concat_channels(const std::vector<Tensor>& xs) {
  const Tensor& f = xs[0];
  int64_t N = f.size(0), HW = f.size(2) * f.size(3), C = 0;
  for (const Tensor& t : xs) C += t.size(1);
  Tensor y = Tensor::empty({N, C, f.size(2), f.size(3)}, f.dtype(), f.device());
  size_t es = dtype_size(f.dtype());
  char* out = static_cast<char*>(y.raw());
  for (int64_t n = 0; n < N; ++n) {
    int64_t c0 = 0;
    for (const Tensor& t : xs) {
      size_t block = static_cast<size_t>(t.size(1) * HW) * es;
      std::memcpy(out + static_cast<size_t>((n * C + c0) * HW) * es,
                  static_cast<const char*>(t.raw()) + n * block, block);
      c0 += t.size(1);
    }
  }
  return y;
}

std::vector<Tensor> split_channels(const Tensor& x, const std::vector<int64_t>& sizes) {
  int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
  size_t es = dtype_size(x.dtype());
  std::vector<Tensor> out;
  int64_t c0 = 0;
  for (int64_t cs : sizes) {
    Tensor t = Tensor::empty({N, cs, x.size(2), x.size(3)}, x.dtype(), x.device());
    size_t block = static_cast<size_t>(cs * HW) * es;
    for (int64_t n = 0; n < N; ++n)
      std::memcpy(static_cast<char*>(t.raw()) + n * block,
                  static_cast<const char*>(x.raw()) + static_cast<size_t>((n * C + c0) * HW) * es,
                  block);
    c0 += cs;
    out.push_back(t);
  }
  return out;
}

// Viewing channels as [groups, C / groups], output channel j * groups + i is input channel
// i * (C / groups) + j (a transpose); the inverse is a shuffle with C / groups groups.
Tensor channel_shuffle(const Tensor& x, int64_t groups) {
  int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3), cpg = C / groups;
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  size_t plane = static_cast<size_t>(HW) * dtype_size(x.dtype());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < groups; ++i)
      for (int64_t j = 0; j < cpg; ++j)
        std::memcpy(static_cast<char*>(y.raw()) + (n * C + j * groups + i) * plane,
                    static_cast<const char*>(x.raw()) + (n * C + i * cpg + j) * plane, plane);
  return y;
}

}  // namespace zkd::cpu
