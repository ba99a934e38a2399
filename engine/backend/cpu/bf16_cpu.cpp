// bf16 on the CPU: native support detection (oneDNN's ISA) and the one-line emulation notice
// (bf16_cpu.h; round_to_bf16 lives with the element-wise loops in elementwise.cpp).
#include "engine/backend/cpu/bf16_cpu.h"

#include <dnnl.hpp>

#include <cstdio>
#include <mutex>

#include "engine/core/cpu_settings.h"

namespace zkd {

bool cpu_has_bf16() {
  // oneDNN's ISA masks nest: avx512_core_bf16 (and avx512_core_amx) include all its bits.
  static const bool has = [] {
    auto need = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
    return (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & need) == need;
  }();
  return has;
}

namespace cpu {

bool bf16_native() {
  if (cpu_reference() || cpu_bf16_emulated()) return false;
  if (cpu_has_bf16()) return true;
  static std::once_flag said;
  std::call_once(said, [] {
    std::fprintf(stderr,
                 "zkd: bf16 on a CPU without AVX512-BF16: convolutions and GEMMs run emulated "
                 "(operands rounded to bf16, float32 arithmetic): bf16 numbers, fp32 speed\n");
  });
  return false;
}
}  // namespace cpu
}  // namespace zkd
