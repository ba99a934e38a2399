// Argument checks shared by several differentiable ops (engine/ops/*.cpp): logits [B, K] and
// int64 labels [B] on the logits' device.
#pragma once
#include "engine/tensor/tensor.h"

namespace zkd {

void check_logits(const char* op, const Tensor& x);
void check_labels(const char* op, const Tensor& logits, const Tensor& labels);

}  // namespace zkd
