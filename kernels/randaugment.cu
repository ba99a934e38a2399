// randaugment_fwd_kernel: MLKD's strong view of a batch in one launch. One block per image, one
// thread per pixel (all three channels): gather, crop and flip into shared memory, two ops
// (histograms and the grey sum by shared-memory integer atomics, so their order does not
// matter), Cutout, normalization. The math is kernels/randaugment.h, shared with the CPU twin.
#include "kernels/randaugment.h"

namespace zkd {

namespace {
constexpr int kImage = 3 * kRaPixels;
}

__global__ void __launch_bounds__(kRaPixels)
    randaugment_fwd_kernel(const uint8_t* __restrict__ images, const int64_t* __restrict__ order,
                           int64_t start, AugmentParams p, float* __restrict__ out) {
  __shared__ uint8_t buf[2][kImage];
  __shared__ uint8_t lut[3 * 256];
  __shared__ int hist[3 * 256];
  __shared__ int lo[3], hi[3];
  __shared__ int luma_sum;
  const int b = blockIdx.x, t = threadIdx.x, x = t & 31, y = t >> 5;
  const int64_t src = order ? order[start + b] : start + b;
  const uint8_t* img = images + src * kImage;
  const RaDraw d = ra_draw(p.seed, p.epoch, static_cast<uint64_t>(src));  // same in every thread

  for (int c = 0; c < 3; ++c) buf[0][c * kRaPixels + t] = augment_pixel(img, c, y, x, d.crop);
  __syncthreads();
  int cur = 0;
  for (int k = 0; k < kRaOpsPerImage; ++k) {  // the op is uniform across the block
    RaPlan plan = ra_plan(d.op[k], d.mag[k]);
    const uint8_t* s = buf[cur];
    if (ra_uses_histogram(plan.op)) {
      if (t < 3 * 256) hist[t] = 0;
      if (t < 3) {
        lo[t] = 255;
        hi[t] = 0;
      }
      __syncthreads();
      for (int c = 0; c < 3; ++c) {
        int v = s[c * kRaPixels + t];
        atomicAdd(&hist[c * 256 + v], 1);
        atomicMin(&lo[c], v);
        atomicMax(&hi[c], v);
      }
      __syncthreads();
    }
    if (ra_uses_lut(plan.op)) {
      if (t < 3 * 256) {
        int c = t >> 8, i = t & 255, below = 0, l = 0, h = 255, count_hi = 0;
        if (ra_uses_histogram(plan.op)) {
          for (int j = 0; j < i; ++j) below += hist[c * 256 + j];
          l = lo[c];
          h = hi[c];
          count_hi = hist[c * 256 + h];
        }
        lut[t] = ra_lut_entry(plan, i, l, h, count_hi, below);
      }
      __syncthreads();
    }
    if (plan.op == kRaContrast) {
      if (t == 0) luma_sum = 0;
      __syncthreads();
      atomicAdd(&luma_sum, ra_luma(s[t], s[kRaPixels + t], s[2 * kRaPixels + t]));
      __syncthreads();
      plan.mean = ra_contrast_mean(luma_sum);
    }
    ra_apply_pixel(plan, lut, s, buf[cur ^ 1], x, y);
    __syncthreads();
    cur ^= 1;
  }
  const bool cut = ra_in_box(ra_cutout_box(d.cutout, d.cx, d.cy), x, y);
  float* o = out + static_cast<int64_t>(b) * kImage;
  for (int c = 0; c < 3; ++c) {
    uint8_t v = cut ? ra_cutout_fill(c) : buf[cur][c * kRaPixels + t];
    o[c * kRaPixels + t] = augment_normalize(v, p.scale[c], p.bias[c]);
  }
}

void randaugment_fwd(const uint8_t* images, const int64_t* order, int64_t start, int64_t count,
                     AugmentParams p, float* out, cudaStream_t stream) {
  if (count <= 0) return;
  randaugment_fwd_kernel<<<static_cast<unsigned>(count), kRaPixels, 0, stream>>>(images, order,
                                                                                 start, p, out);
}

}  // namespace zkd
