// The CPU twin of the strong-view kernel: the per-op function (also what the PIL tests check),
// Cutout, the whole view of one image, and the batch loop. Compiled with -ffp-contract=off so
// the float / double steps of kernels/randaugment.h round exactly as on the device.
#include <cstring>

#include "datasets/image_set.h"
#include "datasets/randaugment.h"

namespace zkd::data {

void randaugment_op(int op, double magnitude, const uint8_t* src, uint8_t* dst) {
  ZKD_CHECK(op >= 0 && op < kRaNumOps, "randaugment_op", "expected an op id in [0, ", kRaNumOps,
            "), got ", op);
  RaPlan p = ra_plan(op, magnitude);
  uint8_t lut[3 * 256];
  if (ra_uses_lut(op)) {
    for (int c = 0; c < 3; ++c) {
      int hist[256] = {0};
      const uint8_t* ch = src + c * kRaPixels;
      for (int i = 0; i < kRaPixels; ++i) ++hist[ch[i]];
      int lo = 0, hi = 255;
      while (hist[lo] == 0) ++lo;
      while (hist[hi] == 0) --hi;
      int below = 0;
      for (int i = 0; i < 256; ++i) {
        lut[c * 256 + i] = ra_lut_entry(p, i, lo, hi, hist[hi], below);
        below += hist[i];
      }
    }
  }
  if (op == kRaContrast) {
    int sum = 0;
    for (int i = 0; i < kRaPixels; ++i)
      sum += ra_luma(src[i], src[kRaPixels + i], src[2 * kRaPixels + i]);
    p.mean = ra_contrast_mean(sum);
  }
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) ra_apply_pixel(p, lut, src, dst, x, y);
}

void cutout(double v, double cx, double cy, uint8_t* img) {
  RaBox box = ra_cutout_box(v, cx, cy);
  for (int c = 0; c < 3; ++c)
    for (int y = box.y0; y <= box.y1 && y < 32; ++y)
      for (int x = box.x0; x <= box.x1 && x < 32; ++x)
        img[(c * 32 + y) * 32 + x] = ra_cutout_fill(c);
}

void strong_view_image(const uint8_t* img, uint64_t seed, uint64_t epoch, uint64_t index,
                       uint8_t* out) {
  RaDraw d = ra_draw(seed, epoch, index);
  uint8_t a[kImagePixels], b[kImagePixels];
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) a[(c * 32 + y) * 32 + x] = augment_pixel(img, c, y, x, d.crop);
  randaugment_op(d.op[0], d.mag[0], a, b);
  randaugment_op(d.op[1], d.mag[1], b, out);
  cutout(d.cutout, d.cx, d.cy, out);
}

void randaugment_batch_cpu(const AugmentArgs& a) {
  uint8_t view[kImagePixels];
  for (int64_t b = 0; b < a.count; ++b) {
    int64_t src = a.order ? a.order[a.start + b] : a.start + b;
    strong_view_image(a.images + src * kImagePixels, a.params.seed, a.params.epoch,
                      static_cast<uint64_t>(src), view);
    float* out = a.out + b * kImagePixels;
    for (int i = 0; i < kImagePixels; ++i) {
      int c = i / kRaPixels;
      out[i] = augment_normalize(view[i], a.params.scale[c], a.params.bias[c]);
    }
  }
}

#ifndef ZKD_WITH_CUDA
void randaugment_batch_cuda(const AugmentArgs&) {
  ZKD_FAIL("randaugment",
           "expected a build with CUDA for a GPU strong view, got a CPU-only build (built "
           "without CUDA)");
}
#endif

}  // namespace zkd::data
