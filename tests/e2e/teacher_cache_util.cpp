// Shared fixtures of the teacher-logit cache tests (see teacher_cache_util.h).
#include "tests/e2e/teacher_cache_util.h"

#include "apps/run/teacher_cache.h"
#include "apps/run/trainer.h"
#include "tests/e2e/e2e_util.h"

namespace zkd::e2e {

app::TrainConfig cache_config(const std::string& teacher) {
  app::TrainConfig c = app::default_config(true);
  c.teacher_checkpoint = teacher;
  c.teacher_model = "resnet20";
  c.num_classes = kTinyClasses;
  c.train_per_class = kTinyPerClass;
  c.data = tiny_data();
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

}  // namespace zkd::e2e
