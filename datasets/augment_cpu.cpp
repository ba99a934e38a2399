// The CPU batch transform (the reference for the CUDA kernel) and the normalization constants.
#include <cmath>

#include "datasets/augment.h"
#include "datasets/image_set.h"

namespace zkd::data {

AugmentParams make_augment_params(uint64_t seed, uint64_t epoch, bool augment) {
  AugmentParams p{};
  p.seed = seed;
  p.epoch = epoch;
  p.augment = augment ? 1 : 0;
  for (int c = 0; c < 3; ++c) {
    double mean = kCifarMean[c], std = kCifarStd[c];
    p.scale[c] = static_cast<float>(1.0 / (255.0 * std));
    p.bias[c] = static_cast<float>(-mean / std);
  }
  return p;
}

void augment_image_cpu(const uint8_t* img, const AugmentDraw* d, const AugmentParams& p,
                       float* out) {
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        int r = (c * 32 + y) * 32 + x;
        uint8_t v = d ? augment_pixel(img, c, y, x, *d) : img[r];
        out[r] = augment_normalize(v, p.scale[c], p.bias[c]);
      }
}

void augment_batch_cpu(const AugmentArgs& a) {
  for (int64_t b = 0; b < a.count; ++b) {
    int64_t src = a.order ? a.order[a.start + b] : a.start + b;
    AugmentDraw d = augment_draw(a.params.seed, a.params.epoch, static_cast<uint64_t>(src));
    augment_image_cpu(a.images + src * kImagePixels, a.params.augment ? &d : nullptr, a.params,
                      a.out + b * kImagePixels);
    a.out_labels[b] = a.labels[src];
  }
}

#ifndef ZKD_WITH_CUDA
void augment_batch_cuda(const AugmentArgs&) {
  ZKD_FAIL("augment",
           "expected a build with CUDA for a GPU batch, got a CPU-only build (built "
           "without CUDA)");
}
#endif

Tensor denormalize_images(const Tensor& images) {
  check_dtype("denormalize_images", images, DType::F32, "images");
  check_rank("denormalize_images", images, 4, "[B, 3, H, W]");
  ZKD_CHECK(images.size(1) == 3, "denormalize_images", "expected 3 channels, got ", images.size(1));
  Tensor host = images.to(Device::cpu()).contiguous();
  Tensor out = Tensor::empty(host.shape(), DType::U8);
  const float* src = host.data<float>();
  uint8_t* dst = out.data<uint8_t>();
  int64_t plane = host.size(2) * host.size(3);
  for (int64_t i = 0; i < host.numel(); ++i) {
    int c = static_cast<int>((i / plane) % 3);
    double v = (static_cast<double>(src[i]) * kCifarStd[c] + kCifarMean[c]) * 255.0;
    dst[i] = static_cast<uint8_t>(std::lround(std::fmin(255.0, std::fmax(0.0, v))));
  }
  return out;
}

}  // namespace zkd::data
