// Launchers of the channel kernels (channels.cu) on NCHW tensors: copy one input into its
// channel slice of a concat, copy one channel slice out (split), and channel_shuffle. Pure data
// movement of elem_size-byte elements (any dtype); the copies use 16-byte words when sizes and
// addresses allow. Only enqueue work; the caller checks the launch.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zkd::kernels {

// y [N, C, hw] channels [c0, c0 + c) = x [N, c, hw].
void concat_channels(void* y, const void* x, int64_t N, int64_t C, int64_t c0, int64_t c,
                     int64_t hw, int elem_size, cudaStream_t stream);
// y [N, c, hw] = x [N, C, hw] channels [c0, c0 + c).
void split_channels(void* y, const void* x, int64_t N, int64_t C, int64_t c0, int64_t c, int64_t hw,
                    int elem_size, cudaStream_t stream);
// y [N, C, hw]: channel j * groups + i = x channel i * (C / groups) + j (C divisible by groups).
void channel_shuffle(void* y, const void* x, int64_t N, int64_t C, int64_t groups, int64_t hw,
                     int elem_size, cudaStream_t stream);

}  // namespace zkd::kernels
