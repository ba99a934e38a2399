// Model summary: the module tree (names, type names, trainable parameters per module), the output
// shape, the trainable parameter count and the forward MACs per image, the MACs counted during
// one real eval-mode forward pass (engine/ops/mac_counter.h: conv and linear only).
#pragma once
#include <string>

#include "engine/core/shape.h"
#include "engine/nn/module.h"

namespace zkd::nets {

struct ModelStats {
  Shape output;            // the forward output's shape for the given input shape
  int64_t parameters = 0;  // trainable elements (buffers excluded)
  int64_t macs_per_image = 0;
};

// One eval-mode, no-grad forward of a [N, C, H, W] input (N >= 1) on the module's device; the
// module's train/eval mode is restored and its BN running statistics are left unchanged.
ModelStats model_stats(Module& m, const Shape& input);

// The module tree, then "output", "parameters" and "MACs per image" lines.
std::string summarize(Module& m, const Shape& input);

// 1233540 -> "1,233,540".
std::string with_commas(int64_t v);

}  // namespace zkd::nets
