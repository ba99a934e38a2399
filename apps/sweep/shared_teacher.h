// One teacher forward for several sweep members: the members' batches are stacked along the
// batch dimension, the frozen teacher (eval mode, no gradients) runs once, and its logits are
// split back into one view per member. In eval mode every row of the output depends on its own
// image only (batchnorm uses running statistics), so this equals a forward per member up to the
// GEMM / convolution blocking that a different batch size may choose (docs/sweeps.md gives the
// measured difference).
#pragma once
#include <vector>

#include "engine/nn/module.h"

namespace zkd::app::sweep {

// batches: one [B_i, C, H, W] tensor per member, all on the teacher's device, same C, H, W.
// Returns one [B_i, classes] tensor per member: views of one [sum B_i, classes] output.
// Leaves the teacher in eval mode.
std::vector<Tensor> shared_teacher_logits(Module& teacher, const std::vector<Tensor>& batches);

}  // namespace zkd::app::sweep
