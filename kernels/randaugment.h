// MLKD's strong view, shared by the CPU twin (datasets/randaugment_cpu.cpp) and the CUDA kernel
// (kernels/randaugment.cu): the official RandAugment(2, 10) -- two of 14 PIL ops drawn with
// replacement, magnitudes uniform in each op's range -- then Cutout, on the uint8 image after its
// own crop and flip. Every random choice and every pixel is computed by the inline functions
// below, with float / double products and sums rounded one at a time (no contraction into fma),
// so both backends produce the same bits. The PIL formulas each function reproduces, the RNG
// counter layout and the PIL tolerances: docs/randaugment.md.
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/augment.h"

namespace zkd {

// The official op list, in its order (the op id is the index).
enum RaOp : int {
  kRaAutoContrast = 0,
  kRaBrightness,
  kRaColor,
  kRaContrast,
  kRaEqualize,
  kRaIdentity,
  kRaPosterize,
  kRaRotate,
  kRaSharpness,
  kRaShearX,
  kRaShearY,
  kRaSolarize,
  kRaTranslateX,
  kRaTranslateY,
  kRaNumOps
};
constexpr int kRaOpsPerImage = 2;   // RandAugment(n = 2, m = 10): m is unused by the official code
constexpr int kRaPixels = 32 * 32;  // one channel plane
constexpr double kRaCutoutMax = 0.5;  // Cutout side = uniform[0, 0.5) * 32
// Sub-streams of RngStream::Augment (counter word 3): the weak view uses 0 (kernels/augment.h).
constexpr uint32_t kRaCropStream = 1, kRaOpStream = 2, kRaMagStream = 3, kRaCutoutStream = 4;

// Each op's magnitude range [lo, hi), the official augment_list.
ZKD_HD double ra_range_lo(int op) {
  constexpr double lo[kRaNumOps] = {0,   0.05, 0.05, 0.05, 0, 0,    4,
                                    -30, 0.05, -0.3, -0.3, 0, -0.3, -0.3};
  return lo[op];
}
ZKD_HD double ra_range_hi(int op) {
  constexpr double hi[kRaNumOps] = {1,  0.95, 0.95, 0.95, 1,   1,   8,
                                    30, 0.95, 0.3,  0.3,  256, 0.3, 0.3};
  return hi[op];
}

// Rounded-once arithmetic: plain operators on the host (the CPU twin is compiled with
// -ffp-contract=off), the _rn intrinsics on the device (nvcc would otherwise fuse a * b + c).
template <typename T>  // float or double
ZKD_HD T ra_mul(T a, T b) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == sizeof(float))
    return __fmul_rn(a, b);
  else
    return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
template <typename T>
ZKD_HD T ra_add(T a, T b) {
#if defined(__CUDA_ARCH__)
  if constexpr (sizeof(T) == sizeof(float))
    return __fadd_rn(a, b);
  else
    return __dadd_rn(a, b);
#else
  return a + b;
#endif
}

// ---- Random choices for one image -----------------------------------------------------------

struct RaDraw {
  AugmentDraw crop;            // the strong view's own crop and flip
  int op[kRaOpsPerImage];      // op ids in [0, 14)
  double mag[kRaOpsPerImage];  // lo + (hi - lo) * u, u in [0, 1) with 53 bits
  double cutout;               // uniform [0, 0.5): side / 32
  double cx, cy;               // the official np.random.uniform(32): 32 - 31 u, in (1, 32]
};

// Magnitude of `op` from a uniform u in [0, 1): the official min + (max - min) * random().
ZKD_HD double ra_magnitude(int op, double u) {
  double lo = ra_range_lo(op), hi = ra_range_hi(op);
  return ra_add(lo, ra_mul(ra_add(hi, -lo), u));
}

// Stream argument of philox_at for sub-stream `sub` of RngStream::Augment (counter words 2, 3).
ZKD_HD uint64_t ra_stream(uint32_t sub) {
  return static_cast<uint64_t>(RngStream::Augment) | (static_cast<uint64_t>(sub) << 32);
}

ZKD_HD RaDraw ra_draw(uint64_t seed, uint64_t epoch, uint64_t index) {
  const uint64_t counter = (epoch << 32) | (index & 0xffffffffu);
  RaDraw d;
  d.crop = augment_draw(seed, epoch, index, kRaCropStream);
  Philox4 o = philox_at(seed, ra_stream(kRaOpStream), counter);
  Philox4 m = philox_at(seed, ra_stream(kRaMagStream), counter);
  Philox4 c = philox_at(seed, ra_stream(kRaCutoutStream), counter);
  for (int k = 0; k < kRaOpsPerImage; ++k) {
    d.op[k] = static_cast<int>((static_cast<uint64_t>(o.v[k]) * kRaNumOps) >> 32);
    d.mag[k] = ra_magnitude(d.op[k], philox_unit53(m.v[2 * k], m.v[2 * k + 1]));
  }
  d.cutout = ra_mul(kRaCutoutMax, philox_unit53(o.v[2], o.v[3]));
  d.cx = ra_add(32.0, ra_mul(-31.0, philox_unit53(c.v[0], c.v[1])));
  d.cy = ra_add(32.0, ra_mul(-31.0, philox_unit53(c.v[2], c.v[3])));
  return d;
}

// ---- Per-op parameters from the magnitude ---------------------------------------------------

// What the per-pixel step of one op needs besides the image: scalars from the magnitude, and
// for the statistics ops (AutoContrast, Equalize, Contrast) values filled in from the image.
struct RaPlan {
  int op;
  double mag;
  float alpha;   // Brightness, Color, Contrast, Sharpness: PIL's blend factor (a float)
  int fix[6];    // Rotate, ShearX, ShearY: PIL's 16.16 fixed-point affine coefficients
  double shift;  // TranslateX / Y: the offset in pixels (magnitude * 32)
  int mean;      // Contrast: rounded mean of the grey image (filled from the image)
  int8_t tx[32],
      ty[32];  // TranslateX / Y: source column of output column x, row of row y (-1: none)
};

// Python's int() of a double pixel coordinate as PIL's COORD: -1 below 0.
ZKD_HD int ra_coord(double v) {
  return v < 0.0 ? -1 : static_cast<int>(v);
}

// PIL's FIX(v) = floor(v * 65536 + 0.5).
ZKD_HD int ra_fix(double v) {
  return static_cast<int>(floor(ra_add(ra_mul(v, 65536.0), 0.5)));
}

// sin and cos of |t| <= 0.53 (30 degrees) by their Taylor series to t^17 / t^16 (truncation
// below 1e-22), evaluated with rounded-once operations so both backends agree bit for bit.
ZKD_HD void ra_sincos(double t, double* s, double* c) {
  double t2 = ra_mul(t, t), ps = 1.0, pc = 1.0;
  for (int k = 8; k >= 1; --k) {  // Horner: 1 - t^2/(2k(2k+1)) (1 - ...), 1 - t^2/((2k-1)2k) (...)
    ps = ra_add(1.0, -ra_mul(ra_mul(t2, 1.0 / ((2.0 * k) * (2.0 * k + 1.0))), ps));
    pc = ra_add(1.0, -ra_mul(ra_mul(t2, 1.0 / ((2.0 * k - 1.0) * (2.0 * k))), pc));
  }
  *s = ra_mul(t, ps);
  *c = pc;
}

// PIL's Image.transform(AFFINE, (a0, a1, a2, a3, a4, a5), NEAREST) on 32x32: output (x, y)
// reads input (a0 x' + a1 y' + a2, a3 x' + a4 y' + a5) at pixel centres x' = x + 0.5; PIL
// evaluates it in 16.16 fixed point when a1 or a3 is non-zero.
ZKD_HD void ra_fix_affine(const double a[6], int fix[6]) {
  fix[0] = ra_fix(a[0]);
  fix[1] = ra_fix(a[1]);
  fix[2] = ra_fix(ra_add(ra_add(a[2], ra_mul(a[0], 0.5)), ra_mul(a[1], 0.5)));
  fix[3] = ra_fix(a[3]);
  fix[4] = ra_fix(a[4]);
  fix[5] = ra_fix(ra_add(ra_add(a[5], ra_mul(a[3], 0.5)), ra_mul(a[4], 0.5)));
}

ZKD_HD RaPlan ra_plan(int op, double mag) {
  RaPlan p{};
  p.op = op;
  p.mag = mag;
  p.alpha = static_cast<float>(mag);
  p.shift = ra_mul(mag, 32.0);
  double a[6] = {1, 0, 0, 0, 1, 0};
  if (op == kRaRotate) {
    // Image.rotate(mag): counter-clockwise about (16, 16); the inverse map is a rotation by
    // -mag: a = (cos, sin, ., -sin, cos, .) of t = -mag degrees, then the centre offsets.
    double s, c;
    ra_sincos(ra_mul(-mag, 3.141592653589793 / 180.0), &s, &c);
    a[0] = c;
    a[1] = s;
    a[3] = -s;
    a[4] = c;
    a[2] = ra_add(ra_add(ra_add(ra_mul(a[0], -16.0), ra_mul(a[1], -16.0)), 0.0), 16.0);
    a[5] = ra_add(ra_add(ra_add(ra_mul(a[3], -16.0), ra_mul(a[4], -16.0)), 0.0), 16.0);
  } else if (op == kRaShearX) {
    a[1] = mag;
  } else if (op == kRaShearY) {
    a[3] = mag;
  }
  ra_fix_affine(a, p.fix);
  // PIL's ImagingScaleAffine (a1 = a3 = 0): xo = a2 + 0.5, then xo += 1 per column, in double
  // and in order (not a2 + 0.5 + x, which can round differently); the same for rows.
  double xo = ra_add(op == kRaTranslateX ? p.shift : 0.0, 0.5);
  double yo = ra_add(op == kRaTranslateY ? p.shift : 0.0, 0.5);
  for (int i = 0; i < 32; ++i) {
    int sx = ra_coord(xo), sy = ra_coord(yo);
    p.tx[i] = static_cast<int8_t>(sx < 32 ? sx : -1);
    p.ty[i] = static_cast<int8_t>(sy < 32 ? sy : -1);
    xo = ra_add(xo, 1.0);
    yo = ra_add(yo, 1.0);
  }
  return p;
}

// ---- Image statistics and lookup tables -----------------------------------------------------

// PIL's RGB -> L: (19595 R + 38470 G + 7471 B + 2^15) >> 16.
ZKD_HD int ra_luma(int r, int g, int b) {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

// Contrast: PIL's int(mean(L) + 0.5) of the 1024 grey values summing to luma_sum.
ZKD_HD int ra_contrast_mean(int luma_sum) {
  return (luma_sum + 512) >> 10;
}

ZKD_HD bool ra_uses_lut(int op) {
  return op == kRaAutoContrast || op == kRaEqualize || op == kRaPosterize || op == kRaSolarize;
}
ZKD_HD bool ra_uses_histogram(int op) {
  return op == kRaAutoContrast || op == kRaEqualize;
}

// Entry i of one channel's lookup table. For AutoContrast and Equalize: lo / hi are the least
// and greatest values of the channel, count_hi the number of pixels at hi, below_i the number
// of pixels with a value < i (all over the 1024 pixels of the channel).
ZKD_HD uint8_t ra_lut_entry(const RaPlan& p, int i, int lo, int hi, int count_hi, int below_i) {
  switch (p.op) {
    case kRaAutoContrast: {  // ImageOps.autocontrast(cutoff = 0): double scale and offset
      if (hi <= lo) return static_cast<uint8_t>(i);
      double scale = 255.0 / (hi - lo), offset = ra_mul(-static_cast<double>(lo), scale);
      double v = ra_add(ra_mul(static_cast<double>(i), scale), offset);
      int iv = static_cast<int>(v);  // Python's int(): toward zero
      return static_cast<uint8_t>(iv < 0 ? 0 : (iv > 255 ? 255 : iv));
    }
    case kRaEqualize: {  // ImageOps.equalize: step = (n - count(hi)) // 255, clipped by point()
      if (hi <= lo) return static_cast<uint8_t>(i);
      int step = (kRaPixels - count_hi) / 255;
      if (step == 0) return static_cast<uint8_t>(i);
      int v = (step / 2 + below_i) / step;
      return static_cast<uint8_t>(v > 255 ? 255 : v);
    }
    case kRaPosterize: {  // bits = max(1, int(mag)); keep the top bits
      int bits = static_cast<int>(p.mag);
      if (bits < 1) bits = 1;
      return static_cast<uint8_t>(i & ~((1 << (8 - bits)) - 1));
    }
    case kRaSolarize:  // i < threshold ? i : 255 - i
      return static_cast<uint8_t>(static_cast<double>(i) < p.mag ? i : 255 - i);
    default:
      return static_cast<uint8_t>(i);
  }
}

// ---- Per-pixel step -------------------------------------------------------------------------

// Image.blend(degenerate, image, alpha) for 0 <= alpha <= 1: (uint8)(d + alpha (v - d)) in float.
ZKD_HD uint8_t ra_blend(int degenerate, int v, float alpha) {
  float r =
      ra_add(static_cast<float>(degenerate), ra_mul(alpha, static_cast<float>(v - degenerate)));
  return static_cast<uint8_t>(static_cast<int>(r));
}

// ImageFilter.SMOOTH (3x3 kernel 1 1 1 / 1 5 1 / 1 1 1, scale 13) at an interior pixel of the
// channel plane `ch`: PIL's float sum 0.5 + row y+1 + row y + row y-1, each row left to right.
ZKD_HD uint8_t ra_smooth(const uint8_t* ch, int y, int x) {
  const float k = 1.0f / 13.0f, kc = 5.0f / 13.0f;
  float ss = 0.5f;
  for (int dy = 1; dy >= -1; --dy) {
    const uint8_t* row = ch + (y + dy) * 32 + x;
    float mid = dy == 0 ? kc : k;
    float r = ra_add(
        ra_add(ra_mul(static_cast<float>(row[-1]), k), ra_mul(static_cast<float>(row[0]), mid)),
        ra_mul(static_cast<float>(row[1]), k));
    ss = ra_add(ss, r);
  }
  ss = ss < 0.0f ? 0.0f : (ss > 255.0f ? 255.0f : ss);
  return static_cast<uint8_t>(ss);
}

// Source pixel of output (x, y) for the geometric ops; false when it falls outside (filled 0).
ZKD_HD bool ra_source(const RaPlan& p, int x, int y, int* sx, int* sy) {
  if (p.op == kRaTranslateX || p.op == kRaTranslateY) {
    *sx = p.tx[x];
    *sy = p.ty[y];
  } else {  // PIL's affine_fixed: 16.16 integers, floor by arithmetic shift
    int xx = p.fix[2] + y * p.fix[1] + x * p.fix[0];
    int yy = p.fix[5] + y * p.fix[4] + x * p.fix[3];
    *sx = xx >> 16;
    *sy = yy >> 16;
  }
  return *sx >= 0 && *sx < 32 && *sy >= 0 && *sy < 32;
}

// Output pixel (x, y), all three channels, of op p applied to src (uint8 [3, 32, 32]) into dst.
// lut: uint8 [3, 256] for the LUT ops.
ZKD_HD void ra_apply_pixel(const RaPlan& p, const uint8_t* lut, const uint8_t* src, uint8_t* dst,
                           int x, int y) {
  const int i = y * 32 + x;
  const int r = src[i], g = src[kRaPixels + i], b = src[2 * kRaPixels + i];
  int v[3] = {r, g, b};
  switch (p.op) {
    case kRaAutoContrast:
    case kRaEqualize:
    case kRaPosterize:
    case kRaSolarize:
      for (int c = 0; c < 3; ++c) v[c] = lut[c * 256 + v[c]];
      break;
    case kRaBrightness:
      for (int c = 0; c < 3; ++c) v[c] = ra_blend(0, v[c], p.alpha);
      break;
    case kRaColor: {
      int l = ra_luma(r, g, b);
      for (int c = 0; c < 3; ++c) v[c] = ra_blend(l, v[c], p.alpha);
      break;
    }
    case kRaContrast:
      for (int c = 0; c < 3; ++c) v[c] = ra_blend(p.mean, v[c], p.alpha);
      break;
    case kRaSharpness:
      if (x > 0 && x < 31 && y > 0 && y < 31)  // PIL's filter copies the one-pixel border
        for (int c = 0; c < 3; ++c)
          v[c] = ra_blend(ra_smooth(src + c * kRaPixels, y, x), v[c], p.alpha);
      break;
    case kRaRotate:
    case kRaShearX:
    case kRaShearY:
    case kRaTranslateX:
    case kRaTranslateY: {
      int sx, sy;
      bool in = ra_source(p, x, y, &sx, &sy);
      for (int c = 0; c < 3; ++c) v[c] = in ? src[c * kRaPixels + sy * 32 + sx] : 0;
      break;
    }
    default:  // Identity
      break;
  }
  for (int c = 0; c < 3; ++c) dst[c * kRaPixels + i] = static_cast<uint8_t>(v[c]);
}

// ---- Cutout -------------------------------------------------------------------------------

// The official Cutout(img, v) with v = side / 32 and centre (cx, cy) from np.random.uniform(32):
// x0 = int(max(0, cx - v/2)), x1 = min(32, x0 + v) and likewise for y; PIL's rectangle fills
// the inclusive integer box [x0, int(x1)] x [y0, int(y1)]. v <= 0 leaves the image alone.
ZKD_HD uint8_t ra_cutout_fill(int c) {
  return c == 0 ? 125 : (c == 1 ? 123 : 114);
}
struct RaBox {
  int x0, y0, x1, y1;  // inclusive; empty when x1 < x0
};
ZKD_HD RaBox ra_cutout_box(double v, double cx, double cy) {
  RaBox box{0, 0, -1, -1};
  if (v <= 0.0) return box;
  double side = ra_mul(v, 32.0), half = ra_mul(side, 0.5);
  double fx = ra_add(cx, -half), fy = ra_add(cy, -half);
  box.x0 = static_cast<int>(fx > 0.0 ? fx : 0.0);
  box.y0 = static_cast<int>(fy > 0.0 ? fy : 0.0);
  double ex = ra_add(static_cast<double>(box.x0), side),
         ey = ra_add(static_cast<double>(box.y0), side);
  box.x1 = static_cast<int>(ex < 32.0 ? ex : 32.0);
  box.y1 = static_cast<int>(ey < 32.0 ? ey : 32.0);
  return box;
}
ZKD_HD bool ra_in_box(const RaBox& b, int x, int y) {
  return x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1;
}

#if defined(__CUDACC__) || defined(ZKD_WITH_CUDA)
// One launch per batch, one block per image. images: uint8 [N, 3, 32, 32]; order: int64 [N] or
// null (identity); batch element b is image order[start + b]; out: float32 [count, 3, 32, 32],
// normalized with p.scale / p.bias. p.seed / p.epoch select the draws; p.augment is ignored.
void randaugment_fwd(const uint8_t* images, const int64_t* order, int64_t start, int64_t count,
                     AugmentParams p, float* out, cudaStream_t stream);
#endif

}  // namespace zkd
