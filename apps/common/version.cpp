// zkd_version() from the ZKD_VERSION definition that CMake gives this file.
#include "apps/common/version.h"

#ifndef ZKD_VERSION
#define ZKD_VERSION "unknown"
#endif

namespace zkd::app {

const char* zkd_version() {
  return ZKD_VERSION;
}

}  // namespace zkd::app
