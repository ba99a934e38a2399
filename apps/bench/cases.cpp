// The timed cases of zkd-bench (see cases.h).
#include "apps/bench/cases.h"

#include <memory>

#include "apps/config/settings.h"
#include "apps/run/teacher_cache.h"
#include "apps/sweep/shared_teacher.h"
#include "engine/autograd/grad_mode.h"
#include "engine/ops/ops.h"
#include "engine/optim/sgd.h"
#include "nets/registry.h"
#include "nets/summary.h"

namespace zkd::app::bench {
namespace {

const SgdArgs kSgd{0.05f, 0.9f, 5e-4f, false};

std::shared_ptr<Module> make(Generator& gen, const std::string& name, Device dev) {
  auto m = nets::create(canonical_model(name, "zkd-bench"), gen, 100);
  m->to(dev);
  return m;
}

// GFLOP per image of `passes` forward-sized passes (a training step: 3).
double gflop(Module& m, double passes) {
  return passes * 2.0 * static_cast<double>(nets::model_stats(m, {1, 3, 32, 32}).macs_per_image) *
         1e-9;
}

// A loader over 8 batches of synthetic data (rotated so the L2 cache does not hold them).
std::unique_ptr<data::Loader> make_loader(Device dev, int64_t batch, uint64_t seed, bool train) {
  auto loader =
      std::make_unique<data::Loader>(synthetic_set(8 * batch, seed), dev, batch, seed, train);
  loader->start_epoch(0);
  return loader;
}

Row finish(const std::string& kind, const std::string& model, int64_t batch, int64_t members,
           const Timing& t, double gflop_per_image) {
  Row r;
  r.kind = kind;
  r.model = model;
  r.batch = batch;
  r.members = members;
  r.time = t;
  r.images_per_s = static_cast<double>(r.batch * r.members) / (t.ms * 1e-3);
  r.tflops = gflop_per_image * r.images_per_s * 1e-3;
  return r;
}

// One student's KD+LS step on its batch against the teacher's logits t.
void kd_step(Module& student, SGD& opt, const data::Batch& b, const Tensor& t) {
  KdLossArgs la;  // KD+LS: T 2, CE 0.1, KD 9
  Variable loss = kd_loss(student(Variable(b.images)), t, b.labels, la).loss;
  opt.zero_grad();
  loss.backward();
  opt.step();
}

}  // namespace

std::string Row::name() const {
  return kind + " " + model + (kind == "sweep" ? " x" + std::to_string(members) : "") +
         (teacher_cache ? " cached" : "");
}

Row bench_train(const Protocol& p, Generator& gen, const std::string& name, int64_t batch) {
  auto model = make(gen, name, p.device);
  SGD opt(model->parameters(), kSgd);
  auto loader = make_loader(p.device, batch, 1, true);
  model->train();
  Timing t = time_steps(p, [&](int64_t i) {
    data::Batch b = loader->batch(i % loader->num_batches());
    Variable loss = cross_entropy((*model)(Variable(b.images)), b.labels);
    opt.zero_grad();
    loss.backward();
    opt.step();
  });
  return finish("train", name, batch, 1, t, gflop(*model, 3));
}

Row bench_kd(const Protocol& p, Generator& gen, const std::string& teacher_name,
             const std::string& student_name, int64_t batch) {
  auto teacher = make(gen, teacher_name, p.device);
  auto student = make(gen, student_name, p.device);
  teacher->eval();
  student->train();
  SGD opt(student->parameters(), kSgd);
  auto loader = make_loader(p.device, batch, 2, true);
  Timing t = time_steps(p, [&](int64_t i) {
    data::Batch b = loader->batch(i % loader->num_batches());
    Tensor logits;
    {
      NoGradGuard no_grad;
      logits = (*teacher)(Variable(b.images)).data();
    }
    kd_step(*student, opt, b, logits);
  });
  return finish("kd+ls", teacher_name + ":" + student_name, batch, 1, t,
                gflop(*teacher, 1) + gflop(*student, 3));
}

Row bench_kd_cached(const Protocol& p, Generator& gen, const std::string& teacher_name,
                    const std::string& student_name, int64_t batch) {
  auto teacher = make(gen, teacher_name, p.device);  // for its MACs (and the same weights' order)
  auto student = make(gen, student_name, p.device);
  student->train();
  SGD opt(student->parameters(), kSgd);
  auto loader = make_loader(p.device, batch, 2, true);
  const int64_t rows = loader->size() * kCacheViews, k = 100;
  std::vector<float> values(static_cast<size_t>(rows * k));
  for (float& v : values) v = static_cast<float>(3 * gen.normal());
  const Tensor table = from_vector(values, {rows, k}).to(p.device);
  Tensor out = Tensor::empty({batch, k}, DType::F32, p.device);
  Tensor row_buf = Tensor::empty({batch}, DType::I64, p.device);
  std::vector<data::Loader::SampleDraw> draws;
  Timing t = time_steps(p, [&](int64_t i) {
    const int64_t j = i % loader->num_batches();
    data::Batch b = loader->batch(j);
    loader->batch_draws(j, draws);
    kd_step(*student, opt, b, gather_cache_rows(table, draws, out, row_buf));
  });
  Row r = finish("kd+ls", teacher_name + ":" + student_name, batch, 1, t, gflop(*student, 3));
  r.teacher_cache = true;
  return r;
}

Row bench_infer(const Protocol& p, Generator& gen, const std::string& name, int64_t batch) {
  auto model = make(gen, name, p.device);
  model->eval();
  auto loader = make_loader(p.device, batch, 3, false);
  Timing t = time_steps(p, [&](int64_t i) {
    NoGradGuard no_grad;
    data::Batch b = loader->batch(i % loader->num_batches());
    (*model)(Variable(b.images));
  });
  return finish("infer", name, batch, 1, t, gflop(*model, 1));
}

Row bench_sweep(const Protocol& p, Generator& gen, const std::string& teacher_name,
                const std::string& student_name, int64_t batch, int64_t members) {
  auto teacher = make(gen, teacher_name, p.device);
  teacher->eval();
  std::vector<std::shared_ptr<Module>> students;
  std::vector<std::unique_ptr<SGD>> opts;
  std::vector<std::unique_ptr<data::Loader>> loaders;
  for (int64_t k = 0; k < members; ++k) {
    students.push_back(make(gen, student_name, p.device));
    students.back()->train();
    opts.push_back(std::make_unique<SGD>(students.back()->parameters(), kSgd));
    loaders.push_back(make_loader(p.device, batch, 10 + static_cast<uint64_t>(k), true));
  }
  Timing t = time_steps(p, [&](int64_t i) {
    std::vector<data::Batch> batches;
    std::vector<Tensor> images;
    for (auto& loader : loaders) {
      batches.push_back(loader->batch(i % loader->num_batches()));
      images.push_back(batches.back().images);
    }
    std::vector<Tensor> logits = sweep::shared_teacher_logits(*teacher, images);
    for (int64_t k = 0; k < members; ++k) kd_step(*students[k], *opts[k], batches[k], logits[k]);
  });
  return finish("sweep", teacher_name + ":" + student_name, batch, members, t,
                gflop(*teacher, 1) + gflop(*students.front(), 3));
}

}  // namespace zkd::app::bench
