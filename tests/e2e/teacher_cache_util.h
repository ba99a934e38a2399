// Shared fixtures of the teacher-logit cache tests (teacher_cache_test.cpp,
// teacher_cache_auto_test.cpp): a tiny synthetic set (5 classes, 3 train and 2 test images each),
// random resnet20 teachers, one cache built per process, and zkd-distill's arguments.
#pragma once
#include <string>
#include <vector>

#include "apps/config/config.h"

namespace zkd::e2e {

constexpr int kCacheClasses = 5, kCachePerClass = 3;

// The tiny set's folder (written once per process).
const std::string& cache_data();
// A random resnet20 teacher (seed) saved as DIR/teacher.safetensors in a fresh DIR named by name.
std::string random_teacher(const std::string& name, uint64_t seed);
// The config of a run distilling from `teacher` on the tiny set, on the CPU.
app::TrainConfig cache_config(const std::string& teacher);

// One cache for the tests of this process: teacher file and cache path.
struct BuiltCache {
  std::string teacher, cache;
};
const BuiltCache& built_cache();

// zkd-distill of `method` from `teacher` on the tiny set, one epoch, seed 4, batch 4, into out.
std::vector<std::string> distill_args(const std::string& method, const std::string& teacher,
                                      const std::string& out);

}  // namespace zkd::e2e
