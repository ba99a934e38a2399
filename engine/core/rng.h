// Generator: the one seeded random-number design of zkd. A (seed, offset) pair over Philox:
// element i of a draw uses counter offset + i, and the offset then moves past the draw, so a
// run is reproducible from its seed; (seed, offset) is the whole state: Generator(seed, offset)
// recreates it.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/philox.h"  // Philox, RngStream and the element-wise draws (host and device)

namespace zkd {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0, uint64_t offset = 0) : seed_(seed), offset_(offset) {}
  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  // Reserves n counters and returns the first; a kernel draws element i from offset + i.
  uint64_t reserve(uint64_t n) {
    uint64_t first = offset_;
    offset_ += n;
    return first;
  }
  // Host draws.
  double uniform();                  // [0, 1), 53 bits
  double normal();                   // N(0, 1), Box-Muller on two uniforms of one counter
  uint64_t uniform_int(uint64_t n);  // [0, n)
  std::vector<int64_t> permutation(int64_t n);  // Fisher-Yates

 private:
  uint64_t seed_;
  uint64_t offset_;
};

}  // namespace zkd
