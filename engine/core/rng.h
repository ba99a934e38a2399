// Generator: the one seeded random-number design of zkd. A (seed, offset) pair over Philox:
// element i of a draw uses counter offset + i, and the offset then moves past the draw, so a
// run is reproducible from its seed and the generator state can be saved in a checkpoint.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/philox.h"

namespace zkd {

// Streams keep unrelated consumers of one seed apart.
enum class RngStream : uint64_t { Init = 0, Shuffle = 1, Augment = 2, Fill = 3 };

class Generator {
 public:
  explicit Generator(uint64_t seed = 0, uint64_t offset = 0) : seed_(seed), offset_(offset) {}
  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void set_state(uint64_t seed, uint64_t offset) {
    seed_ = seed;
    offset_ = offset;
  }
  // Reserves n counters and returns the first; a kernel draws element i from offset + i.
  uint64_t reserve(uint64_t n) {
    uint64_t first = offset_;
    offset_ += n;
    return first;
  }
  // Host draws.
  double uniform();                 // [0, 1), 53 bits
  double normal();                  // N(0, 1), Box-Muller on two uniforms of one counter
  uint64_t uniform_int(uint64_t n); // [0, n)
  std::vector<int64_t> permutation(int64_t n);  // Fisher-Yates

 private:
  uint64_t seed_;
  uint64_t offset_;
};

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
