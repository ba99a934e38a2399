// Plain cross-entropy training as a distiller without a teacher (zkd-train, teachers).
#include "apps/methods/distiller.h"
#include "engine/ops/ops.h"

namespace zkd::app {

namespace {
class CeDistiller : public Distiller {
 public:
  StepLoss loss(const ViewLogits& s, const ViewLogits&, const Tensor& labels) override {
    return {cross_entropy(s.weak, labels), {}};
  }
};
}  // namespace

std::unique_ptr<Distiller> make_ce_distiller() {
  return std::make_unique<CeDistiller>();
}

}  // namespace zkd::app
