// The zkd version (CMake's project version), written into every checkpoint and printed by the apps.
#pragma once

namespace zkd::app {

const char* zkd_version();

}  // namespace zkd::app
