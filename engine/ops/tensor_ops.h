// Tensor functions without autograd, for the code above the engine (metrics, running sums,
// probes, the statistics of the MLKD masks): each checks its arguments and runs the backend op of
// the tensor's device, so nothing outside engine/ touches the dispatch. The differentiable ops
// are in ops.h.
#pragma once
#include "engine/tensor/tensor.h"

namespace zkd {

void fill_(Tensor& t, double value);                             // t = value, any shape
void add_scaled_(Tensor& dst, const Tensor& src, double alpha);  // dst += alpha * src, same numel
Tensor scaled(const Tensor& x, double alpha);                    // alpha * x, any shape
Tensor sum_of(const Tensor& x);                                  // [] the sum of all elements
// counts [2] float32 += (rows of logits [B, K] whose label (int64 [B]) is the top-1, in the top-5).
void accumulate_topk_(const Tensor& logits, const Tensor& labels, Tensor& counts);
Tensor softmax_rows(const Tensor& x);   // [B, K] -> [B, K], over the last dim
Tensor max_of_rows(const Tensor& x);    // [B, K] -> [B]
Tensor sum_over_rows(const Tensor& x);  // [B, K] -> [K]: the sum over dim 0
// x [N] -> [] the fraction of entries <= the median of x (np.percentile(x, 50) semantics).
Tensor fraction_at_most_median(const Tensor& x);

}  // namespace zkd
