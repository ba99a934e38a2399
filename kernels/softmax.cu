// Softmax-family kernels (see softmax.h). A row is owned by a group of threads: a warp for rows
// of up to 1024 classes, the whole block for longer rows (so a few long rows still spread over
// the GPU). The group's threads stride over the K entries, then shuffles (and, for a block, shared
// memory) combine the max and the sums in a fixed order: deterministic. expf/logf, no fast math.
#include <cmath>

#include "kernels/cuda_common.cuh"
#include "kernels/softmax.h"

namespace zkd::kernels {

namespace {

constexpr int64_t kLongRow = 1024;  // rows longer than this get a block each

// Reductions over the group of kGroup threads owning a row; every thread gets the result.
// `scratch`: 32 floats of shared memory (used when the group is a block).
template <int kGroup>
__device__ __forceinline__ float group_sum(float v, float* scratch) {
  if constexpr (kGroup == 32)
    return warp_sum(v);
  else
    return block_sum(v, scratch);
}
template <int kGroup>
__device__ __forceinline__ float group_max(float v, float* scratch) {
  if constexpr (kGroup == 32)
    return warp_max(v);
  else
    return block_max(v, scratch);
}
template <int kGroup>
__device__ __forceinline__ int group_count(int v, int* scratch) {
  if constexpr (kGroup == 32)
    return warp_sum(v);
  else
    return block_sum(v, scratch);
}

// Calls f(row, lane) for every row this thread's group owns; lane in [0, kGroup). The loop is
// uniform over the group, so group reductions inside f are safe.
template <int kGroup, typename F>
__device__ __forceinline__ void for_each_row(int64_t B, F&& f) {
  constexpr int kRowsPerBlock = kBlock / kGroup;
  int lane = threadIdx.x % kGroup;
  int64_t step = static_cast<int64_t>(gridDim.x) * kRowsPerBlock;
  for (int64_t b = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / kGroup; b < B;
       b += step)
    f(b, lane);
}

// The row's max and sum_k exp(x - max).
struct RowStats {
  float max, sum;
};
template <int kGroup>
__device__ __forceinline__ RowStats row_stats(const float* x, int64_t K, int lane, float* scratch) {
  float mx = -INFINITY;
  for (int64_t k = lane; k < K; k += kGroup) mx = fmaxf(mx, x[k]);
  mx = group_max<kGroup>(mx, scratch);
  float s = 0.0f;
  for (int64_t k = lane; k < K; k += kGroup) s += expf(x[k] - mx);
  return {mx, group_sum<kGroup>(s, scratch)};
}

template <int kGroup>
__global__ void log_softmax_fwd_kernel(const float* x, float* y, int64_t B, int64_t K) {
  __shared__ float scratch[32];
  for_each_row<kGroup>(B, [&](int64_t b, int lane) {
    const float* xr = x + b * K;
    RowStats st = row_stats<kGroup>(xr, K, lane, scratch);
    float lse = st.max + logf(st.sum);
    for (int64_t k = lane; k < K; k += kGroup) y[b * K + k] = xr[k] - lse;
  });
}

template <int kGroup>
__global__ void softmax_fwd_kernel(const float* x, float* y, int64_t B, int64_t K) {
  __shared__ float scratch[32];
  for_each_row<kGroup>(B, [&](int64_t b, int lane) {
    const float* xr = x + b * K;
    RowStats st = row_stats<kGroup>(xr, K, lane, scratch);
    float inv = 1.0f / st.sum;
    for (int64_t k = lane; k < K; k += kGroup) y[b * K + k] = expf(xr[k] - st.max) * inv;
  });
}

template <int kGroup>
__global__ void softmax_bwd_kernel(const float* dy, const float* y, float* dx, int64_t B,
                                   int64_t K) {
  __shared__ float scratch[32];
  for_each_row<kGroup>(B, [&](int64_t b, int lane) {
    const float *g = dy + b * K, *p = y + b * K;
    float dot = 0.0f;
    for (int64_t k = lane; k < K; k += kGroup) dot += g[k] * p[k];
    dot = group_sum<kGroup>(dot, scratch);
    for (int64_t k = lane; k < K; k += kGroup) dx[b * K + k] = p[k] * (g[k] - dot);
  });
}

template <int kGroup>
__global__ void log_softmax_bwd_kernel(const float* dy, const float* y, float* dx, int64_t B,
                                       int64_t K) {
  __shared__ float scratch[32];
  for_each_row<kGroup>(B, [&](int64_t b, int lane) {
    const float *g = dy + b * K, *lp = y + b * K;
    float s = 0.0f;
    for (int64_t k = lane; k < K; k += kGroup) s += g[k];
    s = group_sum<kGroup>(s, scratch);
    for (int64_t k = lane; k < K; k += kGroup) dx[b * K + k] = g[k] - expf(lp[k]) * s;
  });
}

template <int kGroup>
__global__ void accumulate_topk_kernel(const float* logits, const int64_t* labels, float* counts,
                                       int64_t B, int64_t K) {
  __shared__ int scratch[32];
  for_each_row<kGroup>(B, [&](int64_t b, int lane) {
    int64_t lab = labels[b];
    if (lab < 0 || lab >= K) {  // poison the counts rather than read out of bounds
      if (lane == 0) {
        atomicAdd(counts, NAN);
        atomicAdd(counts + 1, NAN);
      }
      return;
    }
    const float* row = logits + b * K;
    float target = row[lab];
    // Other classes not below the label: ties go against it, a NaN ranks above it, and a NaN
    // label score is never correct (the CPU rule, engine/backend/cpu/softmax.cpp).
    int above = 0;
    for (int64_t k = lane; k < K; k += kGroup) above += k != lab && !(row[k] < target);
    above = group_count<kGroup>(above, scratch);
    bool label_scored = !isnan(target);
    // Adding 1.0f to integer-valued floats is exact, so the atomics' order does not matter.
    if (lane == 0 && label_scored && above < 1) atomicAdd(counts, 1.0f);
    if (lane == 0 && label_scored && above < 5) atomicAdd(counts + 1, 1.0f);
  });
}

// One block; the sum in double, like the CPU.
__global__ void cross_entropy_fwd_kernel(const float* log_probs, const int64_t* labels, float* loss,
                                         int64_t B, int64_t K) {
  __shared__ double scratch[32];
  double acc = 0;
  for (int64_t b = threadIdx.x; b < B; b += blockDim.x) {
    int64_t lab = labels[b];
    acc -= (lab >= 0 && lab < K) ? static_cast<double>(log_probs[b * K + lab]) : NAN;
  }
  acc = block_sum(acc, scratch);
  if (threadIdx.x == 0) *loss = static_cast<float>(acc / static_cast<double>(B));
}

__global__ void cross_entropy_bwd_kernel(const float* dloss, const float* log_probs,
                                         const int64_t* labels, float* dx, int64_t B, int64_t K) {
  float scale = *dloss / static_cast<float>(B);
  int64_t n = B * K;
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    int64_t b = i / K, k = i - b * K;
    float onehot = labels[b] == k ? 1.0f : 0.0f;
    dx[i] = scale * (expf(log_probs[i]) - onehot);
  }
}

// Launches the row kernel with a warp per row, or a block per row when K > kLongRow.
template <typename... Params, typename... Args>
void launch_rows(void (*warp_kernel)(Params...), void (*block_kernel)(Params...), int64_t B,
                 int64_t K, cudaStream_t stream, Args... args) {
  if (B <= 0 || K <= 0) return;
  if (K > kLongRow)
    block_kernel<<<grid_for(B * kBlock), kBlock, 0, stream>>>(args...);
  else
    warp_kernel<<<grid_for(B * 32), kBlock, 0, stream>>>(args...);
}

}  // namespace

void log_softmax_fwd(const float* x, float* y, int64_t B, int64_t K, cudaStream_t stream) {
  launch_rows(log_softmax_fwd_kernel<32>, log_softmax_fwd_kernel<kBlock>, B, K, stream, x, y, B, K);
}

void softmax_fwd(const float* x, float* y, int64_t B, int64_t K, cudaStream_t stream) {
  launch_rows(softmax_fwd_kernel<32>, softmax_fwd_kernel<kBlock>, B, K, stream, x, y, B, K);
}

void softmax_bwd(const float* dy, const float* y, float* dx, int64_t B, int64_t K,
                 cudaStream_t stream) {
  launch_rows(softmax_bwd_kernel<32>, softmax_bwd_kernel<kBlock>, B, K, stream, dy, y, dx, B, K);
}

void log_softmax_bwd(const float* dy, const float* y, float* dx, int64_t B, int64_t K,
                     cudaStream_t stream) {
  launch_rows(log_softmax_bwd_kernel<32>, log_softmax_bwd_kernel<kBlock>, B, K, stream, dy, y, dx,
              B, K);
}

void cross_entropy_fwd(const float* log_probs, const int64_t* labels, float* loss, int64_t B,
                       int64_t K, cudaStream_t stream) {
  if (B <= 0 || K <= 0) return;
  cross_entropy_fwd_kernel<<<1, kBlock, 0, stream>>>(log_probs, labels, loss, B, K);
}

void cross_entropy_bwd(const float* dloss, const float* log_probs, const int64_t* labels, float* dx,
                       int64_t B, int64_t K, cudaStream_t stream) {
  if (B <= 0 || K <= 0) return;
  cross_entropy_bwd_kernel<<<grid_for(B * K), kBlock, 0, stream>>>(dloss, log_probs, labels, dx, B,
                                                                   K);
}

void accumulate_topk(const float* logits, const int64_t* labels, float* counts, int64_t B,
                     int64_t K, cudaStream_t stream) {
  launch_rows(accumulate_topk_kernel<32>, accumulate_topk_kernel<kBlock>, B, K, stream, logits,
              labels, counts, B, K);
}

}  // namespace zkd::kernels
