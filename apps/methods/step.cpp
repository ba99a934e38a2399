// One training step (see step.h).
#include "apps/methods/step.h"

#include "engine/autograd/grad_mode.h"

namespace zkd::app {

StepResult train_step(Module& student, Module* teacher, Distiller& d, SGD& opt, SGD* dopt,
                      const Tensor& weak, const Tensor& strong, const Tensor& labels,
                      const Tensor* cached_weak, Precision precision) {
  const bool two = d.needs_strong_view();
  ZKD_CHECK(!two || strong.defined(), "train_step",
            "expected a strong view for this method, got none");
  ZKD_CHECK(!d.needs_teacher() || teacher || (cached_weak && !two), "train_step",
            "expected a teacher for this method, got none");
  ViewLogits s, t;  // the order of the official code: student weak, student strong, then teacher
  {
    PrecisionScope scope(precision);  // the forwards only: the loss stays outside (float32)
    s.weak = student(Variable(weak));
    if (two) s.strong = student(Variable(strong));
    if (d.needs_teacher()) {
      NoGradGuard no_grad;
      t.weak = cached_weak ? Variable(*cached_weak) : Variable((*teacher)(Variable(weak)).data());
      if (two) t.strong = Variable((*teacher)(Variable(strong)).data());
    }
  }
  StepResult r{d.loss(s, t, labels), s.weak.data()};
  opt.zero_grad();
  if (dopt) dopt->zero_grad();
  r.loss.loss.backward();
  opt.step();
  if (dopt) dopt->step();
  return r;
}

}  // namespace zkd::app
