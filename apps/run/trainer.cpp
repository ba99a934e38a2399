// The training loop (see trainer.h).
#include "apps/run/trainer.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "apps/config/settings.h"
#include "apps/methods/distiller.h"
#include "apps/methods/step.h"
#include "apps/report/memory_use.h"
#include "apps/report/progress.h"
#include "apps/report/run_log.h"
#include "apps/run/checkpoint.h"
#include "apps/run/interrupt.h"
#include "apps/run/run_dir.h"
#include "apps/run/teacher.h"
#include "apps/run/teacher_cache.h"
#include "datasets/archive.h"
#include "datasets/augment.h"
#include "datasets/batch_png.h"
#include "datasets/image_io.h"
#include "engine/io/atomic_file.h"
#include "engine/memory/gpu_api.h"
#include "engine/nn/state_dict.h"
#include "engine/ops/ops.h"
#include "engine/ops/tensor_ops.h"
#include "engine/optim/sgd.h"
#include "nets/registry.h"

namespace zkd::app {

namespace fs = std::filesystem;

Device pick_device(const std::string& flag) {
  if (flag == "auto") return gpu::available() ? Device::cuda(0) : Device::cpu();
  Device d = parse_device(flag);
  ZKD_CHECK(!d.is_cuda() || gpu::available(), "device", "expected a usable GPU for --device ", flag,
            ", got none (", gpu::describe(), "); use --device cpu or auto");
  return d;
}

data::Cifar100 load_run_data(const TrainConfig& cfg, bool need_train) {
  ZKD_CHECK(cfg.num_classes >= 2 && cfg.num_classes <= 100, "data",
            "expected --num-classes in [2, 100], got ", cfg.num_classes);
  std::string where = cfg.data.empty() ? data::default_data_dir() : cfg.data;
  bool direct = data::ends_with(where, ".tar.gz") || fs::exists(fs::path(where) / "train.bin");
  std::string path = direct ? where : data::find_cifar100(where);
  data::Cifar100 d;
  if (need_train) {
    d = data::load_cifar100(path);
    d.train = data::first_classes(d.train, cfg.num_classes);
  } else {
    d.test = data::load_cifar100_split(path, "test");
  }
  d.test = data::first_classes(d.test, cfg.num_classes);
  if (need_train && cfg.train_per_class > 0)
    d.train = data::first_per_class(d.train, cfg.train_per_class);
  if (cfg.test_per_class > 0) d.test = data::first_per_class(d.test, cfg.test_per_class);
  return d;
}

EvalResult evaluate(Module& model, data::Loader& loader, Tensor* logits, Precision precision) {
  NoGradGuard no_grad;
  model.eval();
  Device dev = loader.device();
  Tensor loss_sum = zeros({}, DType::F32, dev), counts = zeros({2}, DType::F32, dev);
  loader.start_epoch(0);
  for (int64_t i = 0; i < loader.num_batches(); ++i) {
    data::Batch b = loader.batch(i);
    Tensor out;  // [B, classes]
    {
      PrecisionScope scope(precision);
      out = model(Variable(b.images)).data();
    }
    Variable loss = cross_entropy(Variable(out), b.labels);
    add_scaled_(loss_sum, loss.data(), static_cast<double>(b.size()));
    accumulate_topk_(out, b.labels, counts);
    if (logits) {
      if (i == 0) *logits = Tensor::empty({loader.size(), out.size(1)}, out.dtype(), dev);
      logits->view_at(i * loader.batch_size() * out.size(1), out.shape()).copy_from(out);
    }
  }
  std::vector<float> c = counts.to_vector<float>();
  EvalResult r;
  r.images = loader.size();
  r.loss = loss_sum.item<float>() / static_cast<double>(r.images);
  r.top1 = 100.0 * c[0] / static_cast<double>(r.images);
  r.top5 = 100.0 * c[1] / static_cast<double>(r.images);
  return r;
}

namespace {
float lr_at(const TrainConfig& c, int64_t epoch) {
  if (c.schedule == "cosine")
    return cosine_lr(static_cast<float>(c.lr), static_cast<int>(epoch), static_cast<int>(c.epochs));
  return multistep_lr(static_cast<float>(c.lr), static_cast<int>(epoch), c.milestones,
                      static_cast<float>(c.gamma));
}

void check_config(const TrainConfig& c) {
  ZKD_CHECK(nets::exists(c.model), "config", "expected a known --model, got '", c.model, "'");
  ZKD_CHECK(c.epochs >= 1 && c.batch_size >= 1, "config",
            "expected epochs and batch size >= 1, got ", c.epochs, " and ", c.batch_size);
  ZKD_CHECK(c.schedule == "multistep" || c.schedule == "cosine", "config",
            "expected --schedule multistep or cosine, got '", c.schedule, "'");
  if (c.distills()) {
    ZKD_CHECK(nets::exists(c.teacher_model), "config", "expected a known --teacher-model, got '",
              c.teacher_model, "'");
    ZKD_CHECK(!c.teacher_checkpoint.empty(), "config",
              "expected --teacher CHECKPOINT for distillation, got none");
  }
}

[[noreturn]] void diverged(const std::string& out, int64_t epoch, int64_t step,
                           const std::string& what, double value, bool have_checkpoint) {
  throw DivergedError(zkd::detail::concat(
      "train: expected a finite ", what, ", got ", value, " at epoch ", epoch, " step ", step,
      " (diverged: lower --lr?). ",
      have_checkpoint ? "The last good checkpoint is kept: " + out + "/last.safetensors"
                      : std::string("No checkpoint was written yet.")));
}

// A one-element device tensor that is NaN when any weight is not finite (0 * inf = NaN) and 0
// otherwise: read at the loss read points only, so it adds no host synchronization.
Tensor nonfinite_probe(SGD& opt) {
  Tensor& w = opt.flat().values();
  return sum_of(scaled(w, 0.0));
}

// The distiller's own parameters and their momentum, as views (checkpoint `extra` tensors).
NamedTensors distiller_state(Distiller& d, SGD* dopt) {
  NamedTensors out;
  int64_t off = 0;
  for (auto& [name, v] : d.parameters()) {
    out.emplace_back(name, v.data());
    out.emplace_back("momentum." + name, dopt->momentum_buffer().view_at(off, v.shape()));
    off += v.data().numel();
  }
  return out;
}

void restore_distiller_state(Distiller& d, SGD* dopt, const NamedTensors& saved,
                             const std::string& path) {
  for (auto& [name_, view] : distiller_state(d, dopt)) {
    const std::string& name = name_;  // a named copy: clang cannot capture a binding in C++17
    auto it =
        std::find_if(saved.begin(), saved.end(), [&](const auto& e) { return e.first == name; });
    ZKD_CHECK(it != saved.end() && it->second.shape() == view.shape(), "checkpoint '" + path + "'",
              "expected the method's state '", kExtraPrefix, name, "' of shape ",
              shape_str(view.shape()),
              it == saved.end() ? std::string(", got none")
                                : ", got shape " + shape_str(it->second.shape()));
    view.copy_from(it->second);
  }
}

// The distiller's per-term loss sums of the epoch, by name, on the device.
struct TermSums {
  std::vector<std::string> names;
  std::vector<Tensor> sums;
  Tensor& at(const std::string& name, const Tensor& like) {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return sums[i];
    names.push_back(name);
    sums.push_back(zeros({}, like.dtype(), like.device()));
    return sums.back();
  }
};
constexpr const char* kTermSumPrefix = "epoch_sum.";  // checkpoint extras of an epoch in progress

// Puts the running sums of a checkpoint's epoch in progress back on the device.
void restore_epoch_sums(const TrainState& s, Tensor& loss_sum, Tensor& counts) {
  fill_(loss_sum, s.epoch_loss_sum);
  counts.copy_from(from_vector<float>(
      {static_cast<float>(s.epoch_top1), static_cast<float>(s.epoch_top5)}, {2}));
}

// One training run, in the parts run_training calls in turn: setup (the constructor: model,
// optimizer, method, teacher, resume, data, log), one epoch's steps, the end of an epoch
// (evaluation, log, checkpoints) and an interruption inside an epoch (a checkpoint of the steps
// so far). Members are what lives across epochs.
class TrainingRun {
 public:
  TrainingRun(TrainConfig cfg, const std::string& resume_dir);
  int64_t first_epoch() const { return first_epoch_; }
  // Runs epoch's steps from first_step_; false when interrupted before its last step.
  bool run_epoch_steps(int64_t epoch);
  // Evaluation, log line, checkpoints; then on_epoch.
  void end_epoch(int64_t epoch, const std::function<void(const EpochRecord&)>& on_epoch);
  // The checkpoint of an epoch stopped at step_ (its sums kept, resumed bit for bit).
  void save_interrupted(int64_t epoch);
  TrainOutcome& outcome() { return out_; }
  const TrainConfig& cfg() const { return cfg_; }
  void finish();

 private:
  TrainConfig cfg_;
  TrainState state_;
  Device dev_;
  Precision precision_;  // of the forward passes (cfg_.precision)
  Generator gen_;
  std::shared_ptr<Module> model_, teacher_;
  std::unique_ptr<SGD> opt_, dopt_;
  std::unique_ptr<Distiller> distiller_;
  int64_t first_epoch_ = 1, first_step_ = 0;
  NamedTensors extra_;  // the checkpoint's distiller state (and the term sums of an epoch)
  data::Cifar100 data_;
  std::unique_ptr<data::Loader> train_, test_;
  std::unique_ptr<TeacherCache> cache_;  // --teacher-cache: the teacher's weak-view logits
  Tensor cache_out_;                     // [batch, K] the gathered logits, reused
  std::vector<data::Loader::SampleDraw> draws_;
  std::unique_ptr<RunLog> log_;
  std::unique_ptr<Progress> progress_;
  TrainOutcome out_;
  bool have_ckpt_ = false;
  Tensor loss_sum_, counts_;
  TermSums terms_;
  double last_top1_ = 0;
  // The epoch in progress.
  float lr_ = 0;
  int64_t step_ = 0, images_ = 0, images_before_ = 0;
  std::chrono::steady_clock::time_point t0_;
};

TrainingRun::TrainingRun(TrainConfig cfg, const std::string& resume_dir)
    : cfg_(std::move(cfg)), precision_(parse_precision(cfg_.precision)), gen_(cfg_.seed) {
  const std::string ckpt_path = resume_dir.empty() ? "" : resume_dir + "/last.safetensors";
  check_config(cfg_);
  // Never over a run unless --overwrite, never over an input; nothing is removed yet.
  if (resume_dir.empty()) prepare_fresh_run_dir(cfg_, run_inputs(cfg_, "", ""));
  dev_ = pick_device(cfg_.device);
  fs::create_directories(cfg_.out);

  // Model, optimizer, teacher.
  model_ = nets::create(cfg_.model, gen_, cfg_.num_classes);
  model_->to(dev_);
  SgdArgs sa;
  sa.lr = static_cast<float>(cfg_.lr);
  sa.momentum = static_cast<float>(cfg_.momentum);
  sa.weight_decay = static_cast<float>(cfg_.weight_decay);
  opt_ = std::make_unique<SGD>(model_->parameters(), sa);
  // The training method: its loss, views, per-epoch settings, logged values and own parameters
  // (optimized with the student's SGD settings).
  distiller_ = make_distiller(cfg_, dev_);
  std::vector<Variable> dparams;
  for (auto& p : distiller_->parameters()) dparams.push_back(p.second);
  if (!dparams.empty()) dopt_ = std::make_unique<SGD>(dparams, sa);
  ZKD_CHECK(cfg_.teacher_cache.empty() || distiller_->needs_teacher(), "config",
            "expected --teacher-cache only with a method that has a teacher, got method ",
            cfg_.method.name());
  // With the cache, single-view methods never run the teacher; MLKD runs it on the strong view.
  if (distiller_->needs_teacher() &&
      (cfg_.teacher_cache.empty() || distiller_->needs_strong_view()))
    teacher_ = load_teacher(cfg_, dev_);
  if (!resume_dir.empty()) {
    state_ = load_checkpoint(ckpt_path, *model_, opt_.get(), &extra_);
    restore_distiller_state(*distiller_, dopt_.get(), extra_, ckpt_path);
    first_epoch_ = state_.complete() ? state_.epoch + 1 : state_.epoch;
    first_step_ = state_.complete() ? 0 : state_.step;
    ZKD_CHECK(first_epoch_ <= cfg_.epochs, "resume", "expected epochs left to run, got a run in ",
              resume_dir, " that has ", state_.complete() ? "finished " : "reached ", state_.epoch,
              " epochs and --epochs ", cfg_.epochs, "; to train it longer: --resume ", resume_dir,
              " --epochs ",
              std::max<int64_t>(state_.epoch + (state_.complete() ? 1 : 0), cfg_.epochs + 1));
  }
  state_.seed = cfg_.seed;
  state_.config_json = cfg_.to_json();

  data_ = load_run_data(cfg_);
  if (!cfg_.teacher_cache.empty()) {  // an input too: checked before the old run's files go
    cache_ =
        std::make_unique<TeacherCache>(cfg_.teacher_cache, cache_binding(cfg_, data_.train), dev_);
    cache_out_ = Tensor::empty({std::min(cfg_.batch_size, data_.train.size()), cfg_.num_classes},
                               DType::F32, dev_);
    std::printf("zkd: teacher logits from the cache %s\n", cfg_.teacher_cache.c_str());
  }
  // Every input is open and checked: only now the old run's files go (--overwrite), and the
  // settings and command line are written (after the checks of a resume).
  if (resume_dir.empty()) remove_old_run(cfg_);
  write_run_files(cfg_);
  train_ = std::make_unique<data::Loader>(data_.train, dev_, cfg_.batch_size, cfg_.seed, true);
  test_ = std::make_unique<data::Loader>(data_.test, dev_, cfg_.batch_size, cfg_.seed, false);
  if (distiller_->needs_strong_view()) train_->enable_strong_view();
  ZKD_CHECK(first_step_ == 0 || state_.steps_per_epoch == train_->num_batches(), "resume",
            "expected ", state_.steps_per_epoch, " steps per epoch as in the checkpoint, got ",
            train_->num_batches(), " (did the data change?)");
  state_.steps_per_epoch = train_->num_batches();
  if (!cfg_.dump_batch.empty()) {  // what the network sees in the first step of this run
    train_->start_epoch(first_epoch_ - 1);
    data::Batch b = train_->batch(first_step_ < train_->num_batches() ? first_step_ : 0);
    data::write_batch_png(cfg_.dump_batch, b);  // weak | strong pairs when the strong view is on
    std::printf("zkd: wrote the first training batch (%lld images, augmented) to %s\n",
                static_cast<long long>(b.size()), cfg_.dump_batch.c_str());
  }
  log_ = std::make_unique<RunLog>(cfg_.out, plot_info(cfg_));
  log_->load_existing(first_epoch_);
  std::printf(
      "zkd: %s %s on %s%s: %lld train / %lld test images, %lld epochs, batch %lld, out %s\n",
      cfg_.distills() ? ("distill " + cfg_.method.name() + " " + cfg_.teacher_model + " ->").c_str()
                      : "train",
      cfg_.model.c_str(), dev_.is_cuda() ? gpu::describe().c_str() : "cpu",
      precision_ == Precision::F32 ? "" : " in bf16", static_cast<long long>(train_->size()),
      static_cast<long long>(test_->size()), static_cast<long long>(cfg_.epochs),
      static_cast<long long>(cfg_.batch_size), cfg_.out.c_str());

  out_.best_top1 = state_.best_top1;
  out_.best_epoch = state_.best_epoch;
  have_ckpt_ = !resume_dir.empty();
  loss_sum_ = zeros({}, DType::F32, dev_);
  counts_ = zeros({2}, DType::F32, dev_);
  progress_ = std::make_unique<Progress>(stdout, cfg_.epochs, train_->num_batches());
  last_top1_ = log_->records().empty() ? 0 : log_->records().back().test_top1;
}

bool TrainingRun::run_epoch_steps(int64_t epoch) {
  lr_ = lr_at(cfg_, epoch);
  opt_->set_lr(lr_);
  if (dopt_) dopt_->set_lr(lr_);
  distiller_->start_epoch(epoch);
  for (Tensor& t : terms_.sums) fill_(t, 0.0);
  model_->train();
  train_->start_epoch(epoch - 1);
  fill_(loss_sum_, 0.0);
  fill_(counts_, 0.0);
  images_ = 0;
  step_ = first_step_;
  if (first_step_ >
      0) {  // the sums of the steps before the restart: the epoch logs as uninterrupted
    restore_epoch_sums(state_, loss_sum_, counts_);
    const std::string tp = kTermSumPrefix;
    for (auto& [name, t] : extra_)
      if (name.rfind(tp, 0) == 0) terms_.at(name.substr(tp.size()), loss_sum_).copy_from(t);
    images_ = state_.epoch_images;
  }
  images_before_ = images_;
  progress_->start_epoch(epoch, first_step_);
  t0_ = std::chrono::steady_clock::now();
  const int64_t steps = train_->num_batches();
  for (; step_ < steps; ++step_) {
    data::Batch b = train_->batch(step_);
    Tensor cached;
    if (cache_) {
      train_->batch_draws(step_, draws_);
      cached = cache_->gather(draws_, cache_out_);
    }
    StepResult sr = train_step(*model_, teacher_.get(), *distiller_, *opt_, dopt_.get(), b.images,
                               b.strong_images, b.labels, cache_ ? &cached : nullptr, precision_);
    add_scaled_(loss_sum_, sr.loss.loss.data(), static_cast<double>(b.size()));
    accumulate_topk_(sr.logits, b.labels, counts_);  // the weak view
    for (auto& [name, v] : sr.loss.terms) add_scaled_(terms_.at(name, v), v, b.size());
    images_ += b.size();
    bool last = step_ + 1 == steps;
    if ((step_ + 1) % cfg_.log_every == 0 || last || interrupted()) {
      Tensor weights = nonfinite_probe(*opt_);
      double mean = loss_sum_.item<float>() / static_cast<double>(images_);  // waits for the device
      if (!std::isfinite(mean)) diverged(cfg_.out, epoch, step_ + 1, "loss", mean, have_ckpt_);
      float w = weights.item<float>();
      if (!std::isfinite(w))
        diverged(cfg_.out, epoch, step_ + 1, "weight after the step", w, have_ckpt_);
      progress_->update(step_ + 1, mean, images_);
    }
    if (interrupted() && !last) break;  // in the epoch's last step: finish the epoch first
  }
  return step_ >= steps;
}

void TrainingRun::save_interrupted(int64_t epoch) {
  state_.epoch = epoch;
  state_.step = step_ + 1;
  state_.rng_offset = gen_.offset();
  std::vector<float> c = counts_.to_vector<float>();
  state_.epoch_loss_sum = loss_sum_.item<float>();
  state_.epoch_top1 = c[0];
  state_.epoch_top5 = c[1];
  state_.epoch_images = images_;
  NamedTensors mid = distiller_state(*distiller_, dopt_.get());
  for (size_t i = 0; i < terms_.sums.size(); ++i)
    mid.emplace_back(kTermSumPrefix + terms_.names[i], terms_.sums[i]);
  save_checkpoint(cfg_.out + "/last.safetensors", *model_, *opt_, state_,
                  describe_run(cfg_, epoch, last_top1_), mid);
  progress_->finish("interrupted at epoch " + std::to_string(epoch) + " step " +
                    std::to_string(step_ + 1) + "; checkpoint written: " + cfg_.out +
                    "/last.safetensors (continue with --resume " + cfg_.out + ")");
  out_.interrupted = true;
}

void TrainingRun::end_epoch(int64_t epoch,
                            const std::function<void(const EpochRecord&)>& on_epoch) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  std::vector<float> c = counts_.to_vector<float>();
  EpochRecord r;
  r.epoch = epoch;
  r.train_loss = loss_sum_.item<float>() / static_cast<double>(images_);
  r.train_acc = 100.0 * c[0] / static_cast<double>(images_);
  r.lr = lr_;
  r.seconds = secs;
  r.images_per_s = static_cast<double>(images_ - images_before_) / std::max(secs, 1e-9);
  for (size_t i = 0; i < terms_.sums.size(); ++i)
    r.extra.emplace_back(terms_.names[i],
                         terms_.sums[i].item_double() / static_cast<double>(images_));
  for (auto& [name, v] : distiller_->epoch_values()) r.extra.emplace_back(name, v.item_double());
  if (!std::isfinite(r.train_loss))
    diverged(cfg_.out, epoch, step_, "loss", r.train_loss, have_ckpt_);
  progress_->evaluating(test_->size());
  EvalResult e = evaluate(*model_, *test_, nullptr, precision_);
  if (!std::isfinite(e.loss)) diverged(cfg_.out, epoch, step_, "test loss", e.loss, have_ckpt_);
  r.test_loss = e.loss;
  r.test_top1 = e.top1;
  r.test_top5 = e.top5;
  // Memory once per epoch, after the evaluation (host counters: no device wait); a leak in a
  // checkpoint write shows in the next epoch's line (docs/memory.md).
  const MemoryUse mem = memory_use(dev_.is_cuda());
  r.rss_mb = mem.rss_mb;
  r.gpu_allocated_mb = mem.gpu_allocated_mb;
  r.gpu_reserved_mb = mem.gpu_reserved_mb;
  log_->append(r);
  first_step_ = 0;

  state_.epoch = epoch;
  state_.step = train_->num_batches();
  state_.rng_offset = gen_.offset();
  state_.epoch_loss_sum = state_.epoch_top1 = state_.epoch_top5 = 0;
  state_.epoch_images = 0;
  CheckpointInfo info = describe_run(cfg_, epoch, e.top1);
  if (e.top1 > state_.best_top1 || state_.best_epoch == 0) {
    state_.best_top1 = e.top1;
    state_.best_epoch = epoch;
    save_weights(cfg_.out + "/best.safetensors", *model_, info);
  }
  save_checkpoint(cfg_.out + "/last.safetensors", *model_, *opt_, state_, info,
                  distiller_state(*distiller_, dopt_.get()));
  have_ckpt_ = true;
  progress_->finish(
      epoch_summary(epoch, cfg_.epochs, r.train_loss, r.train_acc, e.loss, e.top1, e.top5,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count()));
  last_top1_ = e.top1;
  out_.last_top1 = e.top1;
  out_.last_epoch = epoch;
  if (on_epoch) on_epoch(r);
}

void TrainingRun::finish() {
  out_.best_top1 = state_.best_top1;
  out_.best_epoch = state_.best_epoch;
  std::printf("zkd: done. best top-1 %.2f%% (epoch %lld), last top-1 %.2f%% (epoch %lld); %s\n",
              out_.best_top1, static_cast<long long>(out_.best_epoch), out_.last_top1,
              static_cast<long long>(out_.last_epoch), cfg_.out.c_str());
}
}  // namespace

TrainOutcome run_training(TrainConfig cfg, const std::string& resume_dir,
                          const std::function<void(const EpochRecord&)>& on_epoch) {
  TrainingRun run(std::move(cfg), resume_dir);
  install_interrupt_handler();
  const TrainConfig& c = run.cfg();
  for (int64_t epoch = run.first_epoch(); epoch <= c.epochs; ++epoch) {
    if (!run.run_epoch_steps(epoch)) {
      run.save_interrupted(epoch);
      return run.outcome();
    }
    run.end_epoch(epoch, on_epoch);
    if (interrupted() && epoch < c.epochs) {  // the signal came late in the epoch: it is saved
      std::printf(
          "zkd: interrupted after epoch %lld; checkpoint written: %s/last.safetensors "
          "(continue with --resume %s)\n",
          static_cast<long long>(epoch), c.out.c_str(), c.out.c_str());
      run.outcome().interrupted = true;
      return run.outcome();
    }
  }
  run.finish();
  return run.outcome();
}

}  // namespace zkd::app
