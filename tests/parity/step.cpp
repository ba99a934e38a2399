// The training step of zkd's trainer (see step.h).
#include "tests/parity/step.h"

#include "engine/autograd/grad_mode.h"
#include "engine/ops/ops.h"

namespace zkd::parity {

Tensor training_step(Module& student, Module* teacher, SGD& opt, const data::Batch& b,
                     const KdLossArgs& la) {
  Variable logits = student(Variable(b.images));  // [B, K]
  Variable loss;
  if (teacher) {
    Tensor t;  // [B, K]
    {
      NoGradGuard no_grad;
      t = (*teacher)(Variable(b.images)).data();
    }
    loss = kd_loss(logits, t, b.labels, la).loss;
  } else {
    loss = cross_entropy(logits, b.labels);
  }
  opt.zero_grad();
  loss.backward();
  opt.step();
  return loss.data();
}

}  // namespace zkd::parity
