// Training-batch augmentation shared by the CPU loader and the CUDA kernel: for image `index`
// in epoch `epoch`, a random 32x32 crop of the image zero-padded by 4 and a horizontal flip with
// p = 0.5, drawn from Philox at (key = seed, counter = (index, epoch, RngStream::Augment, 0)),
// then float conversion and per-channel normalization as one fma. The host and device paths
// call the same inline functions, so their batches are bit-identical. Layout: docs/data.md.
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/philox.h"

#if defined(__CUDACC__) || defined(ZKD_WITH_CUDA)
#include <cuda_runtime_api.h>
#endif

namespace zkd {

constexpr int kAugmentPad = 4;  // crop offsets lie in [0, 2 * kAugmentPad]

// The random choices for one image: crop origin (dx, dy) in the 40x40 zero-padded image.
struct AugmentDraw {
  int dx, dy;
  bool flip;
};

// `view` is counter word 3: 0 for the weak (standard) view, 1 for MLKD's strong view
// (kernels/randaugment.h), so the two views crop and flip independently.
ZKD_HD AugmentDraw augment_draw(uint64_t seed, uint64_t epoch, uint64_t index, uint32_t view = 0) {
  // counter word 0 = index, word 1 = epoch (both < 2^32, checked by the loader).
  Philox4 r = philox_at(
      seed, static_cast<uint64_t>(RngStream::Augment) | (static_cast<uint64_t>(view) << 32),
      (epoch << 32) | (index & 0xffffffffu));
  const uint64_t kChoices = 2 * kAugmentPad + 1;  // 9 offsets; multiply-high maps a word to [0, 9)
  AugmentDraw d;
  d.dx = static_cast<int>((static_cast<uint64_t>(r.v[0]) * kChoices) >> 32);
  d.dy = static_cast<int>((static_cast<uint64_t>(r.v[1]) * kChoices) >> 32);
  d.flip = (r.v[2] >> 31) != 0;
  return d;
}

// Pixel (c, y, x) of the augmented image: crop(y, x') of the padded image with x' = 31 - x when
// flipped (the crop is taken first, then mirrored). img: uint8 [3, 32, 32].
ZKD_HD uint8_t augment_pixel(const uint8_t* img, int c, int y, int x, AugmentDraw d) {
  int sx = (d.flip ? 31 - x : x) + d.dx - kAugmentPad;
  int sy = y + d.dy - kAugmentPad;
  if (sx < 0 || sx >= 32 || sy < 0 || sy >= 32) return 0;
  return img[(c * 32 + sy) * 32 + sx];
}

// Per-channel normalization as one fused multiply-add, (v / 255 - mean) / std = v * scale + bias,
// rounded once on both the host (std fmaf, correctly rounded) and the device.
struct AugmentParams {
  uint64_t seed;
  uint64_t epoch;
  int augment;     // 0: normalize only (test batches)
  float scale[3];  // 1 / (255 std_c)
  float bias[3];   // -mean_c / std_c
};

ZKD_HD float augment_normalize(uint8_t v, float scale, float bias) {
  return fmaf(static_cast<float>(v), scale, bias);
}

#if defined(__CUDACC__) || defined(ZKD_WITH_CUDA)
// One launch per batch. images: uint8 [N, 3, 32, 32]; labels: int64 [N]; order: int64 [N] (the
// epoch's permutation; null = identity); batch element b is data-set image order[start + b].
// out: float32 [count, 3, 32, 32]; out_labels: int64 [count]. All pointers on the device.
void augment_fwd(const uint8_t* images, const int64_t* labels, const int64_t* order, int64_t start,
                 int64_t count, AugmentParams p, float* out, int64_t* out_labels,
                 cudaStream_t stream);
#endif

}  // namespace zkd
