// Gradient check by central differences in float64 on the CPU. For a function f of several
// inputs, compares the analytic gradient of L = sum(f(inputs) * r) (r a fixed random seed
// gradient) with (L(x + eps e_j) - L(x - eps e_j)) / (2 eps) for every element j of every input
// that requires grad.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "engine/autograd/variable.h"

namespace zkd {

struct GradcheckResult {
  double max_error = 0;  // max over elements of |analytic - numeric| / max(1, |numeric|)
  std::string worst;     // "input 1 element 7: analytic 0.12, numeric 0.13"
  int64_t checked = 0;   // number of elements compared
};

using GradcheckFn = std::function<Variable(const std::vector<Variable>&)>;

GradcheckResult gradcheck(const GradcheckFn& f, const std::vector<Variable>& inputs,
                          double eps = 1e-6, uint64_t seed = 7);

}  // namespace zkd
