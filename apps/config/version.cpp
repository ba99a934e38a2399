// The zkd version (see version.h); ZKD_VERSION and ZKD_GIT_COMMIT come from apps/CMakeLists.txt.
#include "apps/config/version.h"

namespace zkd::app {

std::string version() {
  std::string commit = ZKD_GIT_COMMIT;
  return commit.empty() ? std::string(ZKD_VERSION)
                        : std::string(ZKD_VERSION) + " (git " + commit + ")";
}

}  // namespace zkd::app
