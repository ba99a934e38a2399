// make_distiller: the one place that maps a method of the table to its distiller (distiller.h).
#include "apps/methods/distiller.h"

#include "engine/core/error.h"

namespace zkd::app {

std::unique_ptr<Distiller> make_distiller(const TrainConfig& cfg, Device device, DType dtype) {
  std::unique_ptr<Distiller> d;
  switch (cfg.method.family) {
    case MethodFamily::CE:
      d = make_ce_distiller();
      break;
    case MethodFamily::KD:
      d = make_kd_distiller(cfg);
      break;
    case MethodFamily::DKD:
      d = make_dkd_distiller(cfg);
      break;
    case MethodFamily::MLKD:
      d = make_mlkd_distiller(cfg);
      break;
    case MethodFamily::CTKD:
      d = make_ctkd_distiller(cfg, device, dtype);
      break;
  }
  ZKD_CHECK(d != nullptr, "method", "expected a method of the table, got ", cfg.method.name());
  d->method_ = cfg.method;
  return d;
}

}  // namespace zkd::app
