// The cases zkd-bench times, each on synthetic device-resident data through the real loader (GPU
// crop + flip + normalize included): a cross-entropy training step, a KD+LS distillation step
// (frozen teacher forward + student step), inference, and N sweep members stepping together
// (one stacked teacher forward for all, apps/sweep/shared_teacher.h, then each member's student
// step on the engine's one compute stream: docs/sweeps.md, "The GPU path").
#pragma once
#include <string>
#include <vector>

#include "apps/bench/timing.h"
#include "engine/core/rng.h"

namespace zkd::app::bench {

struct Row {
  std::string kind;   // "train", "kd+ls", "infer", "sweep"
  std::string model;  // "resnet32x4", or "teacher:student"
  int64_t batch = 0;  // images per step (per member for sweep rows)
  int64_t members = 1;
  bool teacher_cache = false;  // kd+ls: teacher logits looked up (docs/teacher-cache.md)
  double images_per_s = 0;     // all members together
  double tflops = 0;           // achieved, from the nets' MACs (training counted as 3 passes)
  Timing time;
  std::string name() const;  // "kd+ls resnet32x4:resnet8x4", "sweep resnet32x4:resnet8x4 x4"
};

// Models are made from gen (the same sequence of weights for the same list of cases).
Row bench_train(const Protocol& p, Generator& gen, const std::string& model, int64_t batch);
Row bench_kd(const Protocol& p, Generator& gen, const std::string& teacher,
             const std::string& student, int64_t batch);
// The KD+LS step with the teacher's logits gathered from a teacher-logit cache table instead of
// its forward (the table is [images x 162, 100] of random logits: its values do not change the
// step's time, and building it with the teacher would take 162 teacher forwards per image).
Row bench_kd_cached(const Protocol& p, Generator& gen, const std::string& teacher,
                    const std::string& student, int64_t batch);
Row bench_infer(const Protocol& p, Generator& gen, const std::string& model, int64_t batch);
// members students (own weights, optimizer, loader and shuffle each) of one teacher.
Row bench_sweep(const Protocol& p, Generator& gen, const std::string& teacher,
                const std::string& student, int64_t batch, int64_t members);

}  // namespace zkd::app::bench
