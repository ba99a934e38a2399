// The tiny distillation runs of the e2e tests (distill_methods_test.cpp, the teacher-cache
// tests): one synthetic set, random teachers and zkd-distill's argument list.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace zkd::e2e {

// The tiny set (written once per process): kTinyClasses classes, kTinyPerClass train and
// kTinyTestPerClass test images each.
constexpr int kTinyClasses = 5, kTinyPerClass = 3, kTinyTestPerClass = 2;
const std::string& tiny_data();

// A random `model` with kTinyClasses outputs (initialized from seed) saved as
// DIR/teacher.safetensors in a fresh DIR named after tag.
std::string random_teacher(const std::string& tag, uint64_t seed,
                           const std::string& model = "resnet20");

// zkd-distill of `method` from `teacher` into out: tiny_data() on the CPU, seed 4.
struct TinyDistill {
  std::string teacher_model = "resnet20", model = "resnet20";
  int epochs = 1, batch_size = 4;
};
std::vector<std::string> distill_args(const std::string& method, const std::string& teacher,
                                      const std::string& out, const TinyDistill& run = {});

}  // namespace zkd::e2e
