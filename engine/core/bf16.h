// bfloat16 on the host: the top 16 bits of a float32, rounded to nearest even (NaN kept a NaN).
// round_bf16(x) is x rounded to the nearest bf16 value, returned as a float32.
#pragma once
#include <cstdint>
#include <cstring>

namespace zkd {

inline uint16_t bf16_bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

inline float bf16_value(uint16_t b) {
  uint32_t u = static_cast<uint32_t>(b) << 16;
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

inline float round_bf16(float x) {
  return bf16_value(bf16_bits(x));
}

}  // namespace zkd
