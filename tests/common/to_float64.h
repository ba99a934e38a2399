// A float64 copy of a network for reference computations: every floating parameter and buffer
// converted in place (integer buffers such as num_batches_tracked stay as they are).
#pragma once
#include "engine/nn/module.h"

namespace zkd::test {

// Converts every floating parameter and buffer of `m` (on the CPU) to float64, for a reference.
inline void to_float64(Module& m) {
  for (auto& nv : m.named_parameters()) nv.second.data() = nv.second.data().to(DType::F64);
  for (auto& nv : m.named_buffers())
    if (is_floating(nv.second.dtype())) nv.second.data() = nv.second.data().to(DType::F64);
}

}  // namespace zkd::test
