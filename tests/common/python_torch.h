// Test helper for the PyTorch cross-checks and parity twins: whether /usr/bin/python3 imports
// the given modules (asked once per list: importing torch takes seconds), and a macro that skips
// the current test, visibly, when it does not.
#pragma once
#include <gtest/gtest.h>

#include <string>

namespace zkd::test {

bool python_imports(const std::string& modules);  // "torch" or "torch, numpy"

}  // namespace zkd::test

// what: the check that does not run ("the step-parity test").
#define ZKD_REQUIRE_PYTHON(modules, what)                                                    \
  do {                                                                                       \
    if (!::zkd::test::python_imports(modules))                                               \
      GTEST_SKIP() << "/usr/bin/python3 cannot import " << (modules)                         \
                   << " (install the python3-* packages of .ci/install-deps.sh); " << (what) \
                   << " did not run";                                                        \
  } while (0)
