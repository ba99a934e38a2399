// Weight initializers (see init.h). Values are drawn on the CPU and copied to the tensor's device.
#include "engine/nn/init.h"

#include <cmath>

namespace zkd::init {

namespace {
int64_t receptive(const Tensor& w) {
  int64_t r = 1;
  for (int64_t d = 2; d < w.dim(); ++d) r *= w.size(d);
  return r;
}
void assign(Variable& v, const Tensor& host) {
  v.data().copy_from(host.to(v.data().dtype()));
}
}  // namespace

int64_t fan_in(const Tensor& w) {
  ZKD_CHECK(w.dim() >= 2, "init", "expected a weight of at least 2 dims, got ",
            shape_str(w.shape()));
  return w.size(1) * receptive(w);
}

int64_t fan_out(const Tensor& w) {
  ZKD_CHECK(w.dim() >= 2, "init", "expected a weight of at least 2 dims, got ",
            shape_str(w.shape()));
  return w.size(0) * receptive(w);
}

void kaiming_uniform(Variable& w, double a, Generator& gen) {
  double gain = std::sqrt(2.0 / (1.0 + a * a));
  double bound = gain * std::sqrt(3.0 / static_cast<double>(fan_in(w.data())));
  uniform(w, -bound, bound, gen);
}

void kaiming_normal_fan_out(Variable& w, Generator& gen) {
  normal(w, 0.0, std::sqrt(2.0 / static_cast<double>(fan_out(w.data()))), gen);
}

void uniform(Variable& t, double lo, double hi, Generator& gen) {
  assign(t, zkd::uniform(t.shape(), lo, hi, gen, DType::F64));
}

void normal(Variable& t, double mean, double stddev, Generator& gen) {
  assign(t, zkd::normal(t.shape(), mean, stddev, gen, DType::F64));
}

void constant(Variable& t, double value) {
  assign(t, full(t.shape(), value, DType::F64));
}

}  // namespace zkd::init
