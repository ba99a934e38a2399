// Philox4x32-10 counter-based random numbers (Salmon et al., SC'11), usable on host and device.
// The same (key, counter) gives the same four words on the CPU and on the GPU, so seeded
// initialization, shuffling and augmentation draw identical numbers on both backends. This header
// depends on nothing of zkd: the engine's Generator (engine/core/rng.h) and the kernels both use
// it.
#pragma once
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define ZKD_HD __host__ __device__ __forceinline__
#else
#define ZKD_HD inline
#endif

namespace zkd {

// Streams keep unrelated consumers of one seed apart.
enum class RngStream : uint64_t { Init = 0, Shuffle = 1, Augment = 2, Fill = 3 };

struct Philox4 {
  uint32_t v[4];
};

ZKD_HD void philox_mulhilo(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  uint64_t p = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(p >> 32);
  *lo = static_cast<uint32_t>(p);
}

// counter = (c0, c1, c2, c3), key = (k0, k1); ten rounds.
ZKD_HD Philox4 philox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                          uint32_t k1) {
  for (int r = 0; r < 10; ++r) {
    uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(0xD2511F53u, c0, &hi0, &lo0);
    philox_mulhilo(0xCD9E8D57u, c2, &hi1, &lo1);
    uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return Philox4{{c0, c1, c2, c3}};
}

// The words for (seed, stream, index): key = seed, counter = (index, stream).
ZKD_HD Philox4 philox_at(uint64_t seed, uint64_t stream, uint64_t index) {
  return philox4x32(static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32),
                    static_cast<uint32_t>(stream), static_cast<uint32_t>(stream >> 32),
                    static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// A uniform float in [0, 1) from the top 24 bits of a word (exact in float32).
ZKD_HD float philox_unit(uint32_t w) {
  return static_cast<float>(w >> 8) * (1.0f / 16777216.0f);
}
// A uniform double in [0, 1) from two words (53 bits).
ZKD_HD double philox_unit53(uint32_t a, uint32_t b) {
  uint64_t x = (static_cast<uint64_t>(a >> 5) << 26) | (b >> 6);
  return static_cast<double>(x) * (1.0 / 9007199254740992.0);
}

// Element-wise draws shared by the CPU and CUDA fills: value i of a draw at (seed, first).
ZKD_HD float rng_uniform_at(uint64_t seed, uint64_t first, uint64_t i, float lo, float hi) {
  Philox4 r = philox_at(seed, static_cast<uint64_t>(RngStream::Fill), first + i);
  return lo + (hi - lo) * philox_unit(r.v[0]);
}
// N(mean, stddev) by Box-Muller on the first two words of counter first + i.
ZKD_HD float rng_normal_at(uint64_t seed, uint64_t first, uint64_t i, float mean, float stddev) {
  Philox4 r = philox_at(seed, static_cast<uint64_t>(RngStream::Fill), first + i);
  float u1 = 1.0f - philox_unit(r.v[0]);  // (0, 1]
  float u2 = philox_unit(r.v[1]);
  return mean + stddev * sqrtf(-2.0f * logf(u1)) * cosf(6.283185307179586f * u2);
}

}  // namespace zkd
