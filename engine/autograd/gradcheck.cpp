// gradcheck: analytic (backward) vs central-difference gradients in float64.
#include "engine/autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "engine/autograd/grad_mode.h"

namespace zkd {

namespace {
double weighted_sum(const Tensor& y, const Tensor& r) {
  const double* a = y.data<double>();
  const double* b = r.data<double>();
  double s = 0;
  for (int64_t i = 0; i < y.numel(); ++i) s += a[i] * b[i];
  return s;
}
}  // namespace

GradcheckResult gradcheck(const GradcheckFn& f, const std::vector<Variable>& inputs, double eps,
                          uint64_t seed) {
  for (const Variable& v : inputs) {
    ZKD_CHECK(!v.defined() || (v.dtype() == DType::F64 && v.device().is_cpu()), "gradcheck",
              "expected float64 CPU inputs, got ", v.data().str());
  }
  Variable y = f(inputs);
  Generator gen(seed);
  Tensor r = normal(y.shape(), 0.0, 1.0, gen, DType::F64);
  for (const Variable& v : inputs)
    if (v.defined()) const_cast<Variable&>(v).set_grad(Tensor());
  y.backward(r);

  GradcheckResult res;
  NoGradGuard no_grad;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Variable v = inputs[i];
    if (!v.defined() || !v.requires_grad()) continue;
    ZKD_CHECK(v.grad().defined(), "gradcheck", "expected a gradient for input ", i,
              ", got none (the graph does not reach it)");
    Tensor analytic = v.grad().contiguous();
    double* x = v.data().data<double>();
    for (int64_t j = 0; j < v.data().numel(); ++j) {
      double keep = x[j];
      x[j] = keep + eps;
      double lp = weighted_sum(f(inputs).data().contiguous(), r);
      x[j] = keep - eps;
      double lm = weighted_sum(f(inputs).data().contiguous(), r);
      x[j] = keep;
      double numeric = (lp - lm) / (2 * eps);
      double a = analytic.data<double>()[j];
      double err = std::fabs(a - numeric) / std::max(1.0, std::fabs(numeric));
      ++res.checked;
      if (err > res.max_error || !std::isfinite(err)) {
        res.max_error = std::isfinite(err) ? err : INFINITY;
        std::ostringstream os;
        os << "input " << i << " element " << j << ": analytic " << a << ", numeric " << numeric;
        res.worst = os.str();
      }
    }
  }
  return res;
}

}  // namespace zkd
