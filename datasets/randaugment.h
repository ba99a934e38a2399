// MLKD's strong view on both backends: the official RandAugment(2, 10) and Cutout after the
// view's own crop and flip, then the CIFAR-100 normalization. The CPU functions here are the
// reference; the CUDA kernel (kernels/randaugment.cu) is bit-identical. Formulas, RNG layout and
// the PIL comparison: docs/randaugment.md.
#pragma once
#include <cstdint>

#include "datasets/augment.h"
#include "kernels/randaugment.h"

namespace zkd::data {

// One op of the list (op id = RaOp, magnitude in the op's units: the official `val`) on one
// image: src uint8 [3, 32, 32] -> dst uint8 [3, 32, 32] (dst must not alias src).
void randaugment_op(int op, double magnitude, const uint8_t* src, uint8_t* dst);

// The official Cutout(img, v), v = side / 32 in [0, 0.5), centre (cx, cy), in place on uint8
// [3, 32, 32]: the box of ra_cutout_box filled with (125, 123, 114).
void cutout(double v, double cx, double cy, uint8_t* img);

// The strong view of data-set image `index` (img: uint8 [3, 32, 32]) before normalization:
// crop + flip, two ops, Cutout, all drawn by ra_draw(seed, epoch, index). out: uint8 [3, 32, 32].
void strong_view_image(const uint8_t* img, uint64_t seed, uint64_t epoch, uint64_t index,
                       uint8_t* out);

// The batch form (same gather as augment_batch_*): writes a.out (float32 [count, 3, 32, 32],
// normalized) only; labels are the weak view's. a.params.augment is ignored (always augments).
void randaugment_batch_cpu(const AugmentArgs& a);
// Queued on zkd's compute stream, no host synchronization. Throws in a build without CUDA.
void randaugment_batch_cuda(const AugmentArgs& a);

}  // namespace zkd::data
