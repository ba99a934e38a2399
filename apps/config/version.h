// The zkd version: the project version from CMake plus the git commit at configure time.
#pragma once
#include <string>

namespace zkd::app {

std::string version();  // "0.2.0 (git 5b233f3a1c)", or "0.2.0" outside a git checkout

}  // namespace zkd::app
