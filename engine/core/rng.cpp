// Host-side draws of the Generator: uniform, normal, integers and permutations.
#include "engine/core/rng.h"

#include <cmath>

namespace zkd {

double Generator::uniform() {
  Philox4 r = philox_at(seed_, static_cast<uint64_t>(RngStream::Init), offset_++);
  return philox_unit53(r.v[0], r.v[1]);
}

double Generator::normal() {
  Philox4 r = philox_at(seed_, static_cast<uint64_t>(RngStream::Init), offset_++);
  double u1 = 1.0 - philox_unit53(r.v[0], r.v[1]);  // (0, 1]
  double u2 = philox_unit53(r.v[2], r.v[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

uint64_t Generator::uniform_int(uint64_t n) {
  Philox4 r = philox_at(seed_, static_cast<uint64_t>(RngStream::Shuffle), offset_++);
  uint64_t x = (static_cast<uint64_t>(r.v[0]) << 32) | r.v[1];
  return x % n;  // bias < n / 2^64: negligible for data-set sizes
}

std::vector<int64_t> Generator::permutation(int64_t n) {
  std::vector<int64_t> p(n);
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    int64_t j = static_cast<int64_t>(uniform_int(static_cast<uint64_t>(i) + 1));
    std::swap(p[i], p[j]);
  }
  return p;
}

}  // namespace zkd
