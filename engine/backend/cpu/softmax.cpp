// CPU softmax / log_softmax over the last dim, cross-entropy on logits with int64 labels, and
// top-1 / top-5 counting. Row reductions in double.
#include <cmath>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/cpu_util.h"

namespace zkd::cpu {

namespace {
// log_softmax of one row into out.
template <typename T>
void log_softmax_row(const T* x, int64_t K, T* out) {
  double mx = x[0];
  for (int64_t k = 1; k < K; ++k) mx = std::max<double>(mx, x[k]);
  double s = 0;
  for (int64_t k = 0; k < K; ++k) s += std::exp(double(x[k]) - mx);
  double lse = mx + std::log(s);
  for (int64_t k = 0; k < K; ++k) out[k] = static_cast<T>(double(x[k]) - lse);
}

void check_label_range(const char* op, const int64_t* labels, int64_t B, int64_t K) {
  for (int64_t i = 0; i < B; ++i)
    ZKD_CHECK(labels[i] >= 0 && labels[i] < K, op, "expected labels in [0, ", K, "), got ",
              labels[i], " at row ", i);
}
}  // namespace

Tensor log_softmax_fwd(const Tensor& x) {
  int64_t B = x.size(0), K = x.size(1);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  dispatch_float("log_softmax", x.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t b = 0; b < B; ++b) log_softmax_row(x.data<T>() + b * K, K, y.data<T>() + b * K);
  });
  return y;
}

Tensor softmax_fwd(const Tensor& x) {
  Tensor y = log_softmax_fwd(x);
  dispatch_float("softmax", x.dtype(), [&](auto z) {
    using T = decltype(z);
    T* p = y.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) p[i] = static_cast<T>(std::exp(double(p[i])));
  });
  return y;
}

Tensor softmax_bwd(const Tensor& dy, const Tensor& y) {
  int64_t B = y.size(0), K = y.size(1);
  Tensor dx = Tensor::empty(y.shape(), y.dtype(), y.device());
  dispatch_float("softmax", y.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t b = 0; b < B; ++b) {
      const T* g = dy.data<T>() + b * K;
      const T* p = y.data<T>() + b * K;
      double dot = 0;
      for (int64_t k = 0; k < K; ++k) dot += double(g[k]) * p[k];
      for (int64_t k = 0; k < K; ++k) dx.data<T>()[b * K + k] = static_cast<T>(p[k] * (g[k] - dot));
    }
  });
  return dx;
}

Tensor log_softmax_bwd(const Tensor& dy, const Tensor& y) {
  int64_t B = y.size(0), K = y.size(1);
  Tensor dx = Tensor::empty(y.shape(), y.dtype(), y.device());
  dispatch_float("log_softmax", y.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t b = 0; b < B; ++b) {
      const T* g = dy.data<T>() + b * K;
      const T* lp = y.data<T>() + b * K;
      double s = 0;
      for (int64_t k = 0; k < K; ++k) s += g[k];
      for (int64_t k = 0; k < K; ++k)
        dx.data<T>()[b * K + k] = static_cast<T>(g[k] - std::exp(double(lp[k])) * s);
    }
  });
  return dx;
}

CrossEntropyOut cross_entropy_fwd(const Tensor& logits, const Tensor& labels) {
  int64_t B = logits.size(0), K = logits.size(1);
  const int64_t* lab = labels.data<int64_t>();
  check_label_range("cross_entropy", lab, B, K);
  CrossEntropyOut r{Tensor::empty({}, logits.dtype(), logits.device()), log_softmax_fwd(logits)};
  dispatch_float("cross_entropy", logits.dtype(), [&](auto z) {
    using T = decltype(z);
    double acc = 0;
    for (int64_t b = 0; b < B; ++b) acc -= r.log_probs.data<T>()[b * K + lab[b]];
    *r.loss.data<T>() = static_cast<T>(acc / static_cast<double>(B));
  });
  return r;
}

Tensor cross_entropy_bwd(const Tensor& dloss, const Tensor& log_probs, const Tensor& labels) {
  int64_t B = log_probs.size(0), K = log_probs.size(1);
  const int64_t* lab = labels.data<int64_t>();
  Tensor dx = Tensor::empty(log_probs.shape(), log_probs.dtype(), log_probs.device());
  double scale = dloss.item_double() / static_cast<double>(B);
  dispatch_float("cross_entropy", log_probs.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < K; ++k) {
        double p = std::exp(double(log_probs.data<T>()[b * K + k]));
        dx.data<T>()[b * K + k] = static_cast<T>(scale * (p - (k == lab[b] ? 1.0 : 0.0)));
      }
  });
  return dx;
}

void accumulate_topk(const Tensor& logits, const Tensor& labels, Tensor& counts) {
  int64_t B = logits.size(0), K = logits.size(1);
  const int64_t* lab = labels.data<int64_t>();
  check_label_range("accuracy", lab, B, K);
  dispatch_float("accuracy", logits.dtype(), [&](auto z) {
    using T = decltype(z);
    float* c = counts.data<float>();
    for (int64_t b = 0; b < B; ++b) {
      const T* row = logits.data<T>() + b * K;
      // The label counts as ranked r only when exactly r other classes are not below it: ties
      // go against the label and a NaN anywhere in the row ranks above it (a NaN label score
      // is never correct), so constant or NaN outputs score 0.
      const T target = row[lab[b]];
      if (std::isnan(static_cast<double>(target))) continue;
      int64_t above = 0;
      for (int64_t k = 0; k < K; ++k) above += k != lab[b] && !(row[k] < target);
      c[0] += above < 1;
      c[1] += above < 5;
    }
  });
}

}  // namespace zkd::cpu
