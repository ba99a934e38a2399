// augment_fwd_kernel: gathers a batch by index, crops, flips, converts and normalizes it in one
// pass; one thread per output element. See kernels/augment.h for the shared math.
#include "kernels/augment.h"

namespace zkd {

__global__ void augment_fwd_kernel(const uint8_t* __restrict__ images,
                                   const int64_t* __restrict__ labels,
                                   const int64_t* __restrict__ order, int64_t start, int64_t count,
                                   AugmentParams p, float* __restrict__ out,
                                   int64_t* __restrict__ out_labels) {
  const int64_t kPerImage = 3 * 32 * 32;
  int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count * kPerImage) return;
  int64_t b = i / kPerImage;
  int r = static_cast<int>(i - b * kPerImage);
  int c = r >> 10, y = (r >> 5) & 31, x = r & 31;
  int64_t src = order ? order[start + b] : start + b;
  const uint8_t* img = images + src * kPerImage;
  uint8_t v;
  if (p.augment) {
    AugmentDraw d = augment_draw(p.seed, p.epoch, static_cast<uint64_t>(src));
    v = augment_pixel(img, c, y, x, d);
  } else {
    v = img[r];
  }
  out[i] = augment_normalize(v, p.scale[c], p.bias[c]);
  if (r == 0) out_labels[b] = labels[src];
}

void augment_fwd(const uint8_t* images, const int64_t* labels, const int64_t* order, int64_t start,
                 int64_t count, AugmentParams p, float* out, int64_t* out_labels,
                 cudaStream_t stream) {
  if (count <= 0) return;
  const int kThreads = 256;
  int64_t total = count * 3 * 32 * 32;
  unsigned blocks = static_cast<unsigned>((total + kThreads - 1) / kThreads);
  augment_fwd_kernel<<<blocks, kThreads, 0, stream>>>(images, labels, order, start, count, p, out,
                                                      out_labels);
}

}  // namespace zkd
