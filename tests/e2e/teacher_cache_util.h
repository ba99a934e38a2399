// Shared fixtures of the teacher-logit cache tests (teacher_cache_test.cpp,
// teacher_cache_auto_test.cpp): the config of a run on tiny_distill's tiny set and one cache built
// per process.
#pragma once
#include <string>

#include "apps/config/config.h"
#include "tests/e2e/tiny_distill.h"

namespace zkd::e2e {

// The config of a run distilling from `teacher` on the tiny set, on the CPU.
app::TrainConfig cache_config(const std::string& teacher);

// One cache for the tests of this process: teacher file and cache path.
struct BuiltCache {
  std::string teacher, cache;
};
const BuiltCache& built_cache();

}  // namespace zkd::e2e
