// SGD step over the flat buffers and the LR schedules.
#include "engine/optim/sgd.h"

#include <cmath>

#include "engine/backend/backend.h"

namespace zkd {

SGD::SGD(std::vector<Variable> params, const SgdArgs& args)
    : flat_(std::move(params)), args_(args) {
  ZKD_CHECK(args.lr >= 0 && args.momentum >= 0 && args.weight_decay >= 0, "SGD",
            "expected lr, momentum and weight decay >= 0, got ", args.lr, ", ", args.momentum, ", ",
            args.weight_decay);
  ZKD_CHECK(!args.nesterov || args.momentum > 0, "SGD", "expected momentum > 0 with Nesterov");
  momentum_ = zeros({flat_.numel()}, flat_.values().dtype(), flat_.values().device());
}

void SGD::step() {
  ZKD_DISPATCH(flat_.values(), sgd_update, flat_.values(), flat_.grads(), momentum_, args_);
}

float multistep_lr(float base, int epoch, const std::vector<int>& milestones, float gamma) {
  int steps = 0;
  for (int m : milestones) steps += epoch > m;
  return static_cast<float>(static_cast<double>(base) *
                            std::pow(static_cast<double>(gamma), steps));
}

float cosine_lr(float base, int epoch, int total, float min_lr) {
  if (total <= 0) return base;
  double t = static_cast<double>(epoch - 1) / static_cast<double>(total);
  return static_cast<float>(min_lr + 0.5 * (base - min_lr) * (1.0 + std::cos(M_PI * t)));
}

}  // namespace zkd
