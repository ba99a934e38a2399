// Weight initializers drawing from the seeded Generator (PyTorch's formulas):
//   kaiming_uniform(a): U(+-gain * sqrt(3 / fan_in)), gain = sqrt(2 / (1 + a^2)); with a = sqrt(5)
//     this is PyTorch's default for conv and linear weights, U(+-1 / sqrt(fan_in));
//   kaiming_normal(fan_out, relu): N(0, sqrt(2 / fan_out));
//   normal(mean, std), uniform(lo, hi), constant(v).
// Fans follow PyTorch: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field.
#pragma once
#include "engine/autograd/variable.h"
#include "engine/core/rng.h"

namespace zkd::init {

int64_t fan_in(const Tensor& w);
int64_t fan_out(const Tensor& w);
void kaiming_uniform(Variable& w, double a, Generator& gen);
void kaiming_normal_fan_out(Variable& w, Generator& gen);
void uniform(Variable& t, double lo, double hi, Generator& gen);
void normal(Variable& t, double mean, double stddev, Generator& gen);
void constant(Variable& t, double value);

}  // namespace zkd::init
