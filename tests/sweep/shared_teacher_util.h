// What the shared-teacher tests (CPU and CUDA) share: a teacher whose batchnorm running
// statistics have left their initial values, three member batches of different sizes, and the
// reference one-forward-per-member logits.
#pragma once
#include <memory>
#include <vector>

#include "engine/autograd/grad_mode.h"
#include "nets/registry.h"

namespace zkd::app::sweep {

// nets::create(name, g, 10), then one training-mode forward of a [8, 3, 32, 32] batch (no grad).
inline std::shared_ptr<Module> warmed_teacher(const char* name, Generator& g) {
  std::shared_ptr<Module> teacher = nets::create(name, g, 10);
  NoGradGuard no_grad;
  teacher->train();
  (*teacher)(Variable(normal({8, 3, 32, 32}, 0.3, 1.2, g)));
  return teacher;
}

// Batches [3 | 5 | 1, 3, 32, 32] of N(0, 1), on the CPU.
inline std::vector<Tensor> member_batches(Generator& g) {
  return {normal({3, 3, 32, 32}, 0, 1, g), normal({5, 3, 32, 32}, 0, 1, g),
          normal({1, 3, 32, 32}, 0, 1, g)};
}

// [B, 10] logits of one no-grad forward of batch [B, 3, 32, 32] (teacher in eval mode).
inline Tensor forward_alone(Module& teacher, const Tensor& batch) {
  NoGradGuard no_grad;
  return teacher(Variable(batch)).data();
}

}  // namespace zkd::app::sweep
