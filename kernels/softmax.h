// Launchers of the softmax-family kernels (softmax.cu) over the rows of float32 [B, K] logits:
// softmax / log_softmax forward and backward, cross-entropy forward (mean over the batch) and
// backward, and top-1 / top-5 counting. A warp per row (a block per row when K > 1024), any
// K >= 1. Only enqueue work (no host synchronization; scalars such as dloss are read on the
// device); the caller checks launches.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd::kernels {

// x [B, K] -> y [B, K] = log_softmax(x) along K.
void log_softmax_fwd(const float* x, float* y, int64_t B, int64_t K, cudaStream_t stream);
// x [B, K] -> y [B, K] = softmax(x) along K.
void softmax_fwd(const float* x, float* y, int64_t B, int64_t K, cudaStream_t stream);
// dy, y [B, K] (y = softmax) -> dx = y * (dy - sum_k dy * y).
void softmax_bwd(const float* dy, const float* y, float* dx, int64_t B, int64_t K,
                 cudaStream_t stream);
// dy, y [B, K] (y = log_softmax) -> dx = dy - exp(y) * sum_k dy.
void log_softmax_bwd(const float* dy, const float* y, float* dx, int64_t B, int64_t K,
                     cudaStream_t stream);
// log_probs [B, K], labels int64 [B] -> loss[0] = -mean_b log_probs[b, labels[b]] (one block,
// fixed order). A label outside [0, K) is never read through: it makes the loss NaN.
void cross_entropy_fwd(const float* log_probs, const int64_t* labels, float* loss, int64_t B,
                       int64_t K, cudaStream_t stream);
// dloss [1] (on the device), log_probs [B, K], labels [B] ->
// dx [B, K] = dloss / B * (exp(log_probs) - onehot(labels)).
void cross_entropy_bwd(const float* dloss, const float* log_probs, const int64_t* labels, float* dx,
                       int64_t B, int64_t K, cudaStream_t stream);
// logits [B, K], labels [B]: counts[0] += rows whose label scores top-1, counts[1] += rows whose
// label is in the top 5 (fewer than 1 / 5 classes scored strictly higher). A label outside
// [0, K) makes both counts NaN.
void accumulate_topk(const float* logits, const int64_t* labels, float* counts, int64_t B,
                     int64_t K, cudaStream_t stream);

}  // namespace zkd::kernels
