// Channel kernels (see channels.h): row copies over words of W bytes, W the widest of 16, 8, 4,
// 2, 1 dividing every byte size, offset and address involved.
#include <cstdint>
#include <initializer_list>

#include "kernels/channels.h"
#include "kernels/cuda_common.cuh"

namespace zkd::kernels {

namespace {

// dst[r * dst_pitch + dst_off + k] = src[r * src_pitch + src_off + k] for r < rows, k < width
// (all in words).
template <typename W>
__device__ __forceinline__ void copy_rows(W* dst, const W* src, int64_t rows, int64_t width,
                                          int64_t dst_pitch, int64_t dst_off, int64_t src_pitch,
                                          int64_t src_off) {
  int64_t n = rows * width;
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    int64_t r = i / width, k = i - r * width;
    dst[r * dst_pitch + dst_off + k] = src[r * src_pitch + src_off + k];
  }
}

template <typename W>
__global__ void concat_channels_kernel(W* y, const W* x, int64_t rows, int64_t width,
                                       int64_t y_pitch, int64_t y_off) {
  copy_rows(y, x, rows, width, y_pitch, y_off, width, int64_t(0));
}

template <typename W>
__global__ void split_channels_kernel(W* y, const W* x, int64_t rows, int64_t width,
                                      int64_t x_pitch, int64_t x_off) {
  copy_rows(y, x, rows, width, width, int64_t(0), x_pitch, x_off);
}

// plane: words per channel plane; one thread per output word.
template <typename W>
__global__ void channel_shuffle_kernel(W* y, const W* x, int64_t N, int64_t C, int64_t groups,
                                       int64_t plane) {
  int64_t n_words = N * C * plane, cpg = C / groups;
  for (int64_t i = global_thread(); i < n_words; i += grid_threads()) {
    int64_t row = i / plane, k = i - row * plane;
    int64_t co = row % C, n = row / C;
    int64_t ci = (co % groups) * cpg + co / groups;
    y[i] = x[(n * C + ci) * plane + k];
  }
}

// The widest word size dividing every value (byte counts and addresses).
int word_size(std::initializer_list<uint64_t> values) {
  for (int w : {16, 8, 4, 2}) {
    bool ok = true;
    for (uint64_t v : values) ok = ok && v % static_cast<uint64_t>(w) == 0;
    if (ok) return w;
  }
  return 1;
}

// Calls f(W{}) with the unsigned word type of w bytes.
template <typename F>
void with_word(int w, F&& f) {
  switch (w) {
    case 16:
      return f(uint4{});
    case 8:
      return f(uint64_t{});
    case 4:
      return f(uint32_t{});
    case 2:
      return f(uint16_t{});
    default:
      return f(uint8_t{});
  }
}

uint64_t addr(const void* p) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p));
}

}  // namespace

void concat_channels(void* y, const void* x, int64_t N, int64_t C, int64_t c0, int64_t c,
                     int64_t hw, int elem_size, cudaStream_t stream) {
  int64_t width = c * hw * elem_size, pitch = C * hw * elem_size, off = c0 * hw * elem_size;
  if (N * width <= 0) return;
  int w = word_size({static_cast<uint64_t>(width), static_cast<uint64_t>(pitch),
                     static_cast<uint64_t>(off), addr(y), addr(x)});
  with_word(w, [&](auto word) {
    using W = decltype(word);
    concat_channels_kernel<W><<<grid_for(N * width / w), kBlock, 0, stream>>>(
        static_cast<W*>(y), static_cast<const W*>(x), N, width / w, pitch / w, off / w);
  });
}

void split_channels(void* y, const void* x, int64_t N, int64_t C, int64_t c0, int64_t c, int64_t hw,
                    int elem_size, cudaStream_t stream) {
  int64_t width = c * hw * elem_size, pitch = C * hw * elem_size, off = c0 * hw * elem_size;
  if (N * width <= 0) return;
  int w = word_size({static_cast<uint64_t>(width), static_cast<uint64_t>(pitch),
                     static_cast<uint64_t>(off), addr(y), addr(x)});
  with_word(w, [&](auto word) {
    using W = decltype(word);
    split_channels_kernel<W><<<grid_for(N * width / w), kBlock, 0, stream>>>(
        static_cast<W*>(y), static_cast<const W*>(x), N, width / w, pitch / w, off / w);
  });
}

void channel_shuffle(void* y, const void* x, int64_t N, int64_t C, int64_t groups, int64_t hw,
                     int elem_size, cudaStream_t stream) {
  int64_t plane = hw * elem_size;
  if (N * C * plane <= 0 || groups <= 0) return;
  int w = word_size({static_cast<uint64_t>(plane), addr(y), addr(x)});
  with_word(w, [&](auto word) {
    using W = decltype(word);
    channel_shuffle_kernel<W><<<grid_for(N * C * plane / w), kBlock, 0, stream>>>(
        static_cast<W*>(y), static_cast<const W*>(x), N, C, groups, plane / w);
  });
}

}  // namespace zkd::kernels
