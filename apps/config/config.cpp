// TrainConfig defaults, its JSON form (through the settings schema) and the fused loss's
// arguments.
#include "apps/config/config.h"

#include <algorithm>

#include "apps/config/settings.h"
#include "engine/core/error.h"

namespace zkd::app {

std::string TrainConfig::to_json() const {
  try {
    return config_to_json(*this).dump();
  } catch (const nlohmann::json::type_error& e) {  // a string setting that is not UTF-8
    // (fuzz_settings: data = "\xff" in a config file); refused rather than saved altered.
    ZKD_FAIL("config", "expected settings in UTF-8 (paths included), got invalid bytes (", e.what(),
             ")");
  }
}

TrainConfig TrainConfig::from_json(const std::string& text, const std::string& origin) {
  return config_from_json(text, origin);
}

TrainConfig default_config(bool distill) {
  TrainConfig c;
  if (!distill) {
    c.model = "resnet32x4";
    c.method = Method{MethodFamily::CE, false};
  }
  return c;
}

KdLossArgs loss_args_at(const TrainConfig& c, int64_t epoch) {
  KdLossArgs a;
  a.method = kd_loss_method(c.method);
  a.temperature = static_cast<float>(c.temperature);
  a.lambda_ce = static_cast<float>(c.lambda_ce);
  a.lambda_kd = static_cast<float>(c.kd_weight);
  a.alpha = static_cast<float>(c.kd_weight);
  a.beta = static_cast<float>(c.dkd_beta * c.kd_weight);
  if (c.method.family == MethodFamily::DKD)
    a.warmup = static_cast<float>(std::min(
        static_cast<double>(epoch) / static_cast<double>(std::max<int64_t>(c.dkd_warmup_epochs, 1)),
        1.0));
  return a;
}

}  // namespace zkd::app
