// The batch transform behind the Loader, on both backends: gather by index, (train) random crop
// of the 4-padded image and horizontal flip, normalize with the CIFAR-100 mean and std. The CPU
// version is the reference; the CUDA one (one kernel, kernels/augment.cu) is bit-identical.
#pragma once
#include <cstdint>

#include "engine/tensor/tensor.h"
#include "kernels/augment.h"

namespace zkd::data {

// Normalization of the CIFAR-100 recipe (mdistiller's constants).
constexpr float kCifarMean[3] = {0.5071f, 0.4867f, 0.4408f};
constexpr float kCifarStd[3] = {0.2675f, 0.2565f, 0.2761f};

AugmentParams make_augment_params(uint64_t seed, uint64_t epoch, bool augment);

// Raw-pointer form shared by both backends; see augment_fwd in kernels/augment.h for the layout.
struct AugmentArgs {
  const uint8_t* images = nullptr;  // [N, 3, 32, 32]
  const int64_t* labels = nullptr;  // [N]
  const int64_t* order = nullptr;   // [N] or null (identity)
  int64_t start = 0, count = 0;
  AugmentParams params{};
  float* out = nullptr;           // [count, 3, 32, 32]
  int64_t* out_labels = nullptr;  // [count]
};

void augment_batch_cpu(const AugmentArgs& a);
// One image of the CPU transform with a given draw (null: normalize only). img: uint8
// [3, 32, 32]; out: float32 [3, 32, 32]. What augment_batch_cpu does per image, so a fixed (crop,
// flip) gives the same floats as a training batch that drew it (the teacher-logit cache).
void augment_image_cpu(const uint8_t* img, const AugmentDraw* d, const AugmentParams& p,
                       float* out);
// Queued on zkd's compute stream, no host synchronization. Throws in a build without CUDA.
void augment_batch_cuda(const AugmentArgs& a);

// float32 [B, 3, 32, 32] normalized images (any device) -> uint8 [B, 3, 32, 32] on the host:
// the inverse of the normalization, rounded (exact for values made by this transform).
Tensor denormalize_images(const Tensor& images);

}  // namespace zkd::data
