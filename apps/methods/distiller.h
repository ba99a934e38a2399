// The distiller interface: everything a training step needs from a method (plain CE, KD, DKD,
// MLKD, CTKD; logit standardization is a switch of each), so that the training loop, checkpoint,
// resume and logging name no method (docs/distillers.md). The trainer runs the student (with
// gradient, train mode) and the teacher (eval, no gradient) on the views the distiller asks for,
// then asks it for the loss; its own parameters are optimized with the student's SGD settings.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/config/config.h"
#include "engine/autograd/variable.h"

namespace zkd::app {

// One network's logits on the step's views: [B, K] each; strong undefined unless asked for.
struct ViewLogits {
  Variable weak, strong;
};

using NamedScalars = std::vector<std::pair<std::string, Tensor>>;  // [] tensors on the device

struct StepLoss {
  Variable loss;  // [] the total; its gradient reaches the student and the distiller's parameters
  NamedScalars terms;  // per-term batch means (logged as epoch means, e.g. "loss_ce", "loss_kd")
};

class Distiller {
 public:
  virtual ~Distiller() = default;
  // What its step needs, from the method table (apps/config/method.h): a teacher; the strong
  // view besides the weak one.
  const Method& method() const { return method_; }
  bool needs_teacher() const { return row_of(method_).needs_teacher; }
  bool needs_strong_view() const { return row_of(method_).strong_view; }
  // Per-epoch settings (DKD warm-up, CTKD's gradient-reversal lambda); epochs from 1.
  virtual void start_epoch(int64_t epoch) { (void)epoch; }
  // student: with gradient; teacher: constants (undefined when !needs_teacher()); labels int64 [B].
  virtual StepLoss loss(const ViewLogits& student, const ViewLogits& teacher,
                        const Tensor& labels) = 0;
  // Learnable parameters of its own, by name (saved in checkpoints with their momentum).
  virtual std::vector<std::pair<std::string, Variable>> parameters() { return {}; }
  // Values logged once per epoch as they are after its last step (e.g. "temperature").
  virtual NamedScalars epoch_values() { return {}; }

 private:
  friend std::unique_ptr<Distiller> make_distiller(const TrainConfig&, Device, DType);
  Method method_;  // set by make_distiller
};

// The distiller of cfg.method (any method of the table), its parameters on `device` in `dtype`.
std::unique_ptr<Distiller> make_distiller(const TrainConfig& cfg, Device device,
                                          DType dtype = DType::F32);

// One constructor per method family (apps/methods/<method>.cpp), called by make_distiller only.
std::unique_ptr<Distiller> make_ce_distiller();
std::unique_ptr<Distiller> make_kd_distiller(const TrainConfig& cfg);
std::unique_ptr<Distiller> make_dkd_distiller(const TrainConfig& cfg);
std::unique_ptr<Distiller> make_mlkd_distiller(const TrainConfig& cfg);
std::unique_ptr<Distiller> make_ctkd_distiller(const TrainConfig& cfg, Device device, DType dtype);

}  // namespace zkd::app
