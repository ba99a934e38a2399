// One training step exactly as zkd's trainer runs it (apps/common/trainer.cpp, run_training's
// inner loop): student forward, the teacher's logits without gradients (eval mode is the
// caller's), the loss (cross-entropy without a teacher, else kd_loss with the epoch's
// KdLossArgs), zero_grad, backward, SGD step. The parity test drives this; once the shared
// step function of apps/distill lands, point training_step at it (the signature is the seam).
#pragma once
#include "datasets/loader.h"
#include "engine/backend/op_args.h"
#include "engine/nn/module.h"
#include "engine/optim/sgd.h"

namespace zkd::parity {

// b.images [B, 3, 32, 32] and the models in one dtype; b.labels int64 [B]. teacher may be null
// (cross-entropy). Returns the step's loss ([], before the update).
Tensor training_step(Module& student, Module* teacher, SGD& opt, const data::Batch& b,
                     const KdLossArgs& la);

}  // namespace zkd::parity
