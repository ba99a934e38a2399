// The quick preset (see quick_preset.h). Sizes are chosen so that the whole pipeline takes a few
// minutes on a 2-core CPU (the oneDNN CPU path, docs/cpu-backend.md); on a GPU it takes seconds.
// The teacher sees all 500 training images of each class; the students see the first 100 of each
// class (a fifth of the labels), the setting where a teacher's soft targets carry the most:
// measured on 2 cores (docs/cpu-results.md), plain CE 56.3%, KD 64.6% from a 77.7% teacher. The
// students have the teacher's architecture, the same recipe and seed; only the loss differs. The
// KD+LS student uses the paper's weights (T 2, CE 0.1, KD 9), tuned for 240-epoch runs: in 320
// steps it underfits (docs/cpu-results.md has the measurements and the weights that do pay at this
// size).
#include "apps/run/quick_preset.h"

#include "apps/config/recipes.h"

#include <cstdio>
#include <iterator>

#include "apps/run/checkpoint.h"
#include "apps/run/teacher.h"
#include "apps/run/trainer.h"
#include "nets/registry.h"

namespace zkd::app {

namespace {
constexpr const char* kTeacher = "resnet20";
constexpr const char* kStudent = "resnet20";
constexpr int64_t kClasses = 10;
constexpr int64_t kTeacherPerClass = 500;  // all of CIFAR-100's training images per class
constexpr int64_t kStudentPerClass = 100;  // the first 100 of them
constexpr int64_t kTestPerClass = 100;     // all of CIFAR-100's test images per class
constexpr int64_t kTeacherEpochs = 12;
constexpr int64_t kStudentEpochs = 20;  // each student: 320 steps of 64

struct Student {
  Method method;
  const char* role;
  const char* dir;
};
// The CE student first: the others are compared with it.
const Student kStudents[] = {{{MethodFamily::CE, false}, "student (CE, no teacher)", "student-ce"},
                             {{MethodFamily::KD, false}, "student (KD)", "student-kd"},
                             {{MethodFamily::KD, true}, "student (KD+LS)", "student-kd-ls"}};

// The settings every run of the preset shares (device, data, seed, classes, schedule).
TrainConfig preset_base(const TrainConfig& given) {
  TrainConfig base = default_config(false);
  base.device = given.device;
  base.data = given.data;
  base.seed = given.seed;
  base.num_classes = kClasses;
  base.test_per_class = kTestPerClass;
  base.schedule = "cosine";
  base.log_every = 20;
  base.overwrite = given.overwrite;
  return base;
}

TrainConfig teacher_config(const TrainConfig& base, const std::string& out) {
  TrainConfig t = base;
  t.model = kTeacher;
  t.method = kStudents[0].method;  // CE
  t.lr = paper_defaults(t.method, "", kTeacher).lr;
  t.epochs = kTeacherEpochs;
  t.train_per_class = kTeacherPerClass;
  t.out = out + "/teacher";
  return t;
}

// The student's config with the paper's settings for its method; prints the command it stands for.
TrainConfig student_config(const TrainConfig& base, const Student& st, const TrainConfig& teacher,
                           const std::string& out, int step, int steps) {
  MethodDefaults d = paper_defaults(st.method, kTeacher, kStudent);
  TrainConfig s = base;
  s.model = kStudent;
  s.method = st.method;
  s.lr = d.lr;
  s.epochs = kStudentEpochs;
  s.train_per_class = kStudentPerClass;
  s.out = out + "/" + st.dir;
  use_loss_defaults(s, d);
  if (!s.distills()) {
    std::printf(
        "\n-- %d/%d %s: zkd-train --model %s --epochs %lld --train-per-class %lld ... "
        "--out %s\n",
        step, steps, st.role, kStudent, static_cast<long long>(s.epochs),
        static_cast<long long>(s.train_per_class), s.out.c_str());
    return s;
  }
  s.teacher_model = kTeacher;
  s.teacher_checkpoint = teacher_checkpoint_path(teacher.out, "last");  // the last epoch's
  std::printf(
      "\n-- %d/%d %s: zkd-distill --method %s --teacher %s --model %s (T %.3g, "
      "lambda_ce %.3g, kd_weight %.3g: %s) --out %s\n",
      step, steps, st.role, st.method.name().c_str(), s.teacher_checkpoint.c_str(), kStudent,
      s.temperature, s.lambda_ce, s.kd_weight, d.note.c_str(), s.out.c_str());
  return s;
}

// The table of the teacher and the students on the held-out test images, and what each student
// gains over the CE one.
void report_preset(const TrainConfig& base, const TrainConfig& teacher, const std::string& out,
                   int step, int steps) {
  std::printf("\n-- %d/%d evaluation of the best checkpoints on the %lld held-out test images\n",
              step, steps, static_cast<long long>(kClasses * kTestPerClass));
  Device dev = pick_device(base.device);
  data::Cifar100 d_test = load_run_data(base, false);
  data::Loader test(d_test.test, dev, 256, 0, false);
  std::printf(
      "| model | role | train images | top-1 %% | top-5 %% | test loss | checkpoint "
      "|\n|---|---|---|---|---|---|---|\n");
  auto evaluate_row = [&](const std::string& name, const std::string& role, int64_t images,
                          const std::string& dir) {
    Generator gen(0);
    auto m = nets::create(name, gen, kClasses);
    std::string path = dir + "/best.safetensors";
    load_weights(path, *m);
    m->to(dev);
    EvalResult e = evaluate(*m, test);
    std::printf("| %s | %s | %lld | %.2f | %.2f | %.4f | %s |\n", name.c_str(), role.c_str(),
                static_cast<long long>(images), e.top1, e.top5, e.loss, path.c_str());
    return e.top1;
  };
  evaluate_row(kTeacher, "teacher (CE)", kClasses * kTeacherPerClass, teacher.out);
  constexpr size_t n = std::size(kStudents);
  double top1[n];
  for (size_t i = 0; i < n; ++i)
    top1[i] = evaluate_row(kStudent, kStudents[i].role, kClasses * kStudentPerClass,
                           out + "/" + kStudents[i].dir);
  std::printf("\nover the same student trained without a teacher (chance is %.1f%%):",
              100.0 / kClasses);
  for (size_t i = 1; i < n; ++i)  // kStudents[0] is the CE student
    std::printf("%s %s %+.2f points top-1", i > 1 ? "," : "", kStudents[i].method.name().c_str(),
                top1[i] - top1[0]);
  std::printf(
      ".\nKD and KD+LS use the paper's weights, tuned for 240-epoch runs on all the data; "
      "docs/cpu-results.md compares other weights at this size.\nLogs: %s/*/log.jsonl, curves: "
      "%s/*/curves.svg\n",
      out.c_str(), out.c_str());
}
}  // namespace

int run_quick_preset(const TrainConfig& given, const std::string& out) {
  const TrainConfig base = preset_base(given);
  std::printf(
      "== zkd quick preset: a %s teacher (%lld train images per class) -> %s students (CE, KD, "
      "KD+LS; %lld train images per class), first %lld classes of CIFAR-100, %lld test images "
      "each ==\n",
      kTeacher, static_cast<long long>(kTeacherPerClass), kStudent,
      static_cast<long long>(kStudentPerClass), static_cast<long long>(kClasses),
      static_cast<long long>(kTestPerClass));
  const TrainConfig t = teacher_config(base, out);
  const int steps = 2 + static_cast<int>(std::size(kStudents));
  std::printf(
      "\n-- 1/%d teacher: zkd-train --model %s --epochs %lld --train-per-class %lld ... "
      "--out %s\n",
      steps, kTeacher, static_cast<long long>(t.epochs), static_cast<long long>(t.train_per_class),
      t.out.c_str());
  if (run_training(t).interrupted) return 130;
  int step = 2;
  for (const Student& st : kStudents)
    if (run_training(student_config(base, st, t, out, step++, steps)).interrupted) return 130;
  report_preset(base, t, out, step, steps);
  return 0;
}

}  // namespace zkd::app
