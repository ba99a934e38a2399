// CPU helpers of the distillation losses (docs/distillers.md): sigmoid and its backward, the
// maximum of each row, and the fraction of entries at most the median (np.percentile(x, 50)).
#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/cpu_util.h"

namespace zkd::cpu {

Tensor sigmoid_fwd(const Tensor& x) {
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  dispatch_float("sigmoid", x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) py[i] = T(1) / (T(1) + std::exp(-px[i]));
  });
  return y;
}

Tensor sigmoid_bwd(const Tensor& dy, const Tensor& y) {
  Tensor dx = Tensor::empty(y.shape(), y.dtype(), y.device());
  dispatch_float("sigmoid", y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* pg = dy.data<T>();
    const T* py = y.data<T>();
    T* pd = dx.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) pd[i] = pg[i] * py[i] * (T(1) - py[i]);
  });
  return dx;
}

Tensor max_rows(const Tensor& x) {  // [B, K] -> [B]
  ZKD_CHECK(x.dim() == 2 && x.size(1) >= 1 && x.is_contiguous(), "max_rows",
            "expected a contiguous [B, K] with K >= 1, got shape ", shape_str(x.shape()));
  const int64_t B = x.size(0), K = x.size(1);
  Tensor y = Tensor::empty({B}, x.dtype(), x.device());
  dispatch_float("max_rows", x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t b = 0; b < B; ++b) py[b] = *std::max_element(px + b * K, px + (b + 1) * K);
  });
  return y;
}

Tensor fraction_le_median(const Tensor& x) {  // [N] -> []
  const int64_t N = x.numel();
  ZKD_CHECK(N >= 1 && x.is_contiguous(), "fraction_le_median",
            "expected at least one contiguous value, got shape ", shape_str(x.shape()));
  Tensor y = Tensor::empty({}, x.dtype(), x.device());
  dispatch_float("fraction_le_median", x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    std::vector<T> s(px, px + N);
    std::sort(s.begin(), s.end());
    // np.percentile(x, 50), method "linear": position (N - 1) / 2 between sorted neighbours,
    // rounded as numpy's _lerp does for a weight >= 0.5: hi - (hi - lo) * 0.5.
    const int64_t lo = (N - 1) / 2, hi = N / 2;
    const T med = lo == hi ? s[lo] : s[hi] - (s[hi] - s[lo]) * T(0.5);
    int64_t count = 0;
    for (int64_t i = 0; i < N; ++i) count += px[i] <= med ? 1 : 0;
    *y.data<T>() = static_cast<T>(static_cast<double>(count) / static_cast<double>(N));
  });
  return y;
}

}  // namespace zkd::cpu
