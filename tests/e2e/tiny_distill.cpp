// The tiny distillation runs of the e2e tests (see tiny_distill.h).
#include "tests/e2e/tiny_distill.h"

#include "engine/core/rng.h"
#include "engine/nn/state_dict.h"
#include "nets/registry.h"
#include "tests/e2e/e2e_util.h"

namespace zkd::e2e {

const std::string& tiny_data() {
  static const std::string dir = write_synthetic_cifar(
      fresh_dir("tiny") + "/cifar-100-binary", kTinyClasses, kTinyPerClass, kTinyTestPerClass);
  return dir;
}

std::string random_teacher(const std::string& tag, uint64_t seed, const std::string& model) {
  std::string path = fresh_dir("t-" + tag) + "/teacher.safetensors";
  Generator gen(seed);
  save_module(*nets::create(model, gen, kTinyClasses), path);
  return path;
}

std::vector<std::string> distill_args(const std::string& method, const std::string& teacher,
                                      const std::string& out, const TinyDistill& run) {
  return {ZKD_DISTILL_BIN,
          "--method",
          method,
          "--teacher",
          teacher,
          "--teacher-model",
          run.teacher_model,
          "--model",
          run.model,
          "--epochs",
          std::to_string(run.epochs),
          "--device",
          "cpu",
          "--data",
          tiny_data(),
          "--num-classes",
          std::to_string(kTinyClasses),
          "--train-per-class",
          std::to_string(kTinyPerClass),
          "--test-per-class",
          std::to_string(kTinyTestPerClass),
          "--batch-size",
          std::to_string(run.batch_size),
          "--seed",
          "4",
          "--out",
          out};
}

}  // namespace zkd::e2e
