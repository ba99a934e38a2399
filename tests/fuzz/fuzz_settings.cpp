// libFuzzer harness: a settings file (--config, a run's config.toml) as zkd reads it:
// config_from_toml_text (CLI11's TOML reader, then the flat-file checks of issue 25: no
// [sections], dotted keys or several values for one setting, then each setting's own parser).
// It must either throw a zkd::Error or give a config whose config.toml reads back the same.
#include <cstdint>
#include <string>

#include "apps/config/settings.h"
#include "engine/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    zkd::app::TrainConfig c = zkd::app::config_from_toml_text(text, "fuzz.toml");
    const std::string toml = zkd::app::config_to_toml(c);
    if (zkd::app::config_from_toml_text(toml, "fuzz.toml").to_json() != c.to_json())
      __builtin_trap();
  } catch (const zkd::Error&) {
  }
  return 0;
}
