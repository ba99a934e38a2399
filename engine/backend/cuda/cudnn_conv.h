// Introspection of the cuDNN convolution plan cache (cudnn_conv.cpp), for tests and logs: one plan
// per full problem key (N, C, H, W, K, C/groups, R, S, strides, paddings, groups, dtype, layout,
// math mode) holding its descriptors and the algorithm chosen for each pass.
#pragma once
#include <cstddef>
#include <string>

#include "engine/backend/op_args.h"

namespace zkd::cuda {

size_t conv_plan_count();          // number of cached problem keys
void clear_conv_plans();           // drops every plan (the next call of each key searches again)
size_t conv_algorithm_searches();  // algorithm searches since the last clear (one per key/pass)
// The algorithms chosen for the plan of this problem in the current math mode, as
// "fwd=<n> bwd_data=<n> bwd_filter=<n>" (-1: that pass has not run yet), or "" without a plan.
std::string conv_plan_algorithms(const Shape& x_shape, const Shape& w_shape, const Conv2dArgs& a);

}  // namespace zkd::cuda
