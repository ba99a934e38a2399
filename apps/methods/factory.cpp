// make_distiller: the one place that maps a method name to its distiller (distiller.h).
#include "apps/methods/distiller.h"

#include "engine/core/error.h"

namespace zkd::app {

std::unique_ptr<Distiller> make_distiller(const TrainConfig& cfg, Device device, DType dtype) {
  const std::string& m = cfg.method;
  if (m == "ce") return make_ce_distiller();
  if (m == "kd" || m == "kd+ls") return make_kd_distiller(cfg);
  if (m == "dkd" || m == "dkd+ls") return make_dkd_distiller(cfg);
  if (m == "mlkd" || m == "mlkd+ls") return make_mlkd_distiller(cfg);
  if (m == "ctkd" || m == "ctkd+ls") return make_ctkd_distiller(cfg, device, dtype);
  parse_method(m);  // throws naming the known methods
  ZKD_FAIL("method", "expected a method with a distiller, got '", m, "'");
}

}  // namespace zkd::app
