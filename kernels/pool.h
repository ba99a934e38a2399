// Launchers of the pooling kernels (pool.cu): avg_pool2d and max_pool2d with padding and
// ceil_mode (PyTorch's window rules, as the CPU backend), and global average pooling, forward
// and backward, over float32 NCHW planes. Only enqueue work; the caller checks the launch.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd::kernels {

// One pooling problem: `planes` = N * C input planes of H x W, output planes of Ho x Wo (the
// caller computes Ho, Wo with pool_out_size). H * W and Ho * Wo must fit in an int32.
struct PoolGeometry {
  int64_t planes = 0, H = 0, W = 0, Ho = 0, Wo = 0;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  bool count_include_pad = true;
};

// x [planes, H, W] -> y [planes, Ho, Wo]: window mean (divisor per count_include_pad).
void avg_pool2d_fwd(const float* x, float* y, const PoolGeometry& g, cudaStream_t stream);
// dy [planes, Ho, Wo] -> dx [planes, H, W] (written whole; a gather, no atomics).
void avg_pool2d_bwd(const float* dy, float* dx, const PoolGeometry& g, cudaStream_t stream);
// x [planes, H, W] -> y, argmax [planes, Ho, Wo]; argmax = h * W + w inside the plane; NaN wins.
void max_pool2d_fwd(const float* x, float* y, int32_t* argmax, const PoolGeometry& g,
                    cudaStream_t stream);
// dx [planes, in_plane] += dy [planes, out_plane] scattered to argmax (atomicAdd). dx must be
// zeroed first. Deterministic whenever no input is the max of three or more windows (always
// when stride >= kernel); otherwise sums of 3+ terms may differ in the last bit between runs.
void max_pool2d_bwd(const float* dy, const int32_t* argmax, float* dx, int64_t planes,
                    int64_t in_plane, int64_t out_plane, cudaStream_t stream);
// x [planes, hw] -> y [planes]: plane means (one warp per plane, fixed order).
void global_avg_pool_fwd(const float* x, float* y, int64_t planes, int64_t hw, cudaStream_t stream);
// dy [planes] -> dx [planes, hw] = dy / hw.
void global_avg_pool_bwd(const float* dy, float* dx, int64_t planes, int64_t hw,
                         cudaStream_t stream);

}  // namespace zkd::kernels
