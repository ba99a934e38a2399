// Shared fixtures of the teacher-logit cache tests (see teacher_cache_util.h).
#include "tests/e2e/teacher_cache_util.h"

#include "apps/run/teacher_cache.h"
#include "apps/run/trainer.h"
#include "engine/core/rng.h"
#include "engine/nn/state_dict.h"
#include "nets/registry.h"
#include "tests/e2e/e2e_util.h"

namespace zkd::e2e {

const std::string& cache_data() {
  static const std::string dir = write_synthetic_cifar(fresh_dir("cdata") + "/cifar-100-binary",
                                                       kCacheClasses, kCachePerClass, 2);
  return dir;
}

std::string random_teacher(const std::string& name, uint64_t seed) {
  std::string path = fresh_dir("ct-" + name) + "/teacher.safetensors";
  Generator gen(seed);
  save_module(*nets::create("resnet20", gen, kCacheClasses), path);
  return path;
}

app::TrainConfig cache_config(const std::string& teacher) {
  app::TrainConfig c = app::default_config(true);
  c.teacher_checkpoint = teacher;
  c.teacher_model = "resnet20";
  c.num_classes = kCacheClasses;
  c.train_per_class = kCachePerClass;
  c.data = cache_data();
  c.device = "cpu";
  return c;
}

const BuiltCache& built_cache() {
  static const BuiltCache b = [] {
    BuiltCache r{random_teacher("a", 3), fresh_dir("cache") + "/logits.bin"};
    app::TrainConfig c = cache_config(r.teacher);
    app::build_teacher_cache(c, app::load_run_data(c).train, r.cache, 3);
    return r;
  }();
  return b;
}

std::vector<std::string> distill_args(const std::string& method, const std::string& teacher,
                                      const std::string& out) {
  return {ZKD_DISTILL_BIN,
          "--method",
          method,
          "--teacher",
          teacher,
          "--teacher-model",
          "resnet20",
          "--model",
          "resnet20",
          "--epochs",
          "1",
          "--device",
          "cpu",
          "--data",
          cache_data(),
          "--num-classes",
          "5",
          "--train-per-class",
          "3",
          "--test-per-class",
          "2",
          "--batch-size",
          "4",
          "--seed",
          "4",
          "--out",
          out};
}

}  // namespace zkd::e2e
