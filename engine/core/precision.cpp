// The per-thread compute-precision policy of precision.h.
#include "engine/core/precision.h"

#include "engine/core/error.h"

namespace zkd {

namespace {
thread_local Precision g_precision = Precision::F32;
}  // namespace

const char* precision_name(Precision p) {
  return p == Precision::BF16 ? "bf16" : "fp32";
}

Precision parse_precision(const std::string& s) {
  if (s == "fp32") return Precision::F32;
  if (s == "bf16") return Precision::BF16;
  ZKD_FAIL("precision", "expected fp32 or bf16, got '", s, "'");
}

Precision compute_precision() {
  return g_precision;
}

void set_compute_precision(Precision p) {
  g_precision = p;
}

}  // namespace zkd
