// One training step, the body of the trainer's loop (and of the parity tests): the student on the
// distiller's views (train mode, with gradient), the teacher on the same views (eval, constants),
// the distiller's loss, backward, and SGD on the student and the distiller's own parameters; the
// forward passes in the run's compute precision.
#pragma once
#include "apps/methods/distiller.h"
#include "engine/core/precision.h"
#include "engine/nn/module.h"
#include "engine/optim/sgd.h"

namespace zkd::app {

struct StepResult {
  StepLoss loss;
  Tensor logits;  // [B, K] the student's weak-view logits (train accuracy)
};

// weak, strong: float [B, 3, 32, 32] (strong used only when d.needs_strong_view()); labels int64
// [B]; teacher null when !d.needs_teacher(); dopt null when d has no parameters. cached_weak:
// when given, the teacher's weak-view logits [B, K] looked up in the teacher-logit cache
// (docs/teacher-cache.md) instead of a teacher forward; the teacher then runs only on the strong
// view (MLKD) and may be null for single-view methods. precision: the forward passes (student and
// teacher) run under PrecisionScope(precision); the loss, the backward (which replays each op's
// forward precision) and SGD are float32 (docs/precision.md).
StepResult train_step(Module& student, Module* teacher, Distiller& d, SGD& opt, SGD* dopt,
                      const Tensor& weak, const Tensor& strong, const Tensor& labels,
                      const Tensor* cached_weak = nullptr, Precision precision = Precision::F32);

}  // namespace zkd::app
