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
#include "apps/report/progress.h"
#include "apps/report/run_log.h"
#include "apps/run/checkpoint.h"
#include "apps/run/interrupt.h"
#include "apps/run/run_dir.h"
#include "apps/run/teacher.h"
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

EvalResult evaluate(Module& model, data::Loader& loader, Tensor* logits) {
  NoGradGuard no_grad;
  model.eval();
  Device dev = loader.device();
  Tensor loss_sum = zeros({}, DType::F32, dev), counts = zeros({2}, DType::F32, dev);
  loader.start_epoch(0);
  for (int64_t i = 0; i < loader.num_batches(); ++i) {
    data::Batch b = loader.batch(i);
    Tensor out = model(Variable(b.images)).data();  // [B, classes]
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
    parse_method(c.method);
    ZKD_CHECK(nets::exists(c.teacher_model), "config", "expected a known --teacher-model, got '",
              c.teacher_model, "'");
    ZKD_CHECK(!c.teacher_checkpoint.empty(), "config",
              "expected --teacher CHECKPOINT for distillation, got none");
  }
}

[[noreturn]] void diverged(const std::string& out, int64_t epoch, int64_t step,
                           const std::string& what, double value, bool have_checkpoint) {
  ZKD_FAIL("train", "expected a finite ", what, ", got ", value, " at epoch ", epoch, " step ",
           step, " (diverged: lower --lr?). ",
           have_checkpoint ? "The last good checkpoint is kept: " + out + "/last.safetensors"
                           : std::string("No checkpoint was written yet."));
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
  for (auto& [name, view] : distiller_state(d, dopt)) {
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
}  // namespace

TrainOutcome run_training(TrainConfig cfg, const std::string& resume_dir,
                          const std::function<void(const EpochRecord&)>& on_epoch) {
  TrainState state;
  std::string ckpt_path = resume_dir.empty() ? "" : resume_dir + "/last.safetensors";
  check_config(cfg);
  if (resume_dir.empty()) prepare_fresh_run_dir(cfg);  // never over a run unless --overwrite
  Device dev = pick_device(cfg.device);
  fs::create_directories(cfg.out);

  // Model, optimizer, teacher.
  Generator gen(cfg.seed);
  std::shared_ptr<Module> model = nets::create(cfg.model, gen, cfg.num_classes);
  model->to(dev);
  SgdArgs sa;
  sa.lr = static_cast<float>(cfg.lr);
  sa.momentum = static_cast<float>(cfg.momentum);
  sa.weight_decay = static_cast<float>(cfg.weight_decay);
  SGD opt(model->parameters(), sa);
  // The training method: its loss, views, per-epoch settings, logged values and own parameters
  // (optimized with the student's SGD settings).
  std::unique_ptr<Distiller> distiller = make_distiller(cfg, dev);
  std::vector<Variable> dparams;
  for (auto& p : distiller->parameters()) dparams.push_back(p.second);
  std::unique_ptr<SGD> dopt = dparams.empty() ? nullptr : std::make_unique<SGD>(dparams, sa);
  std::shared_ptr<Module> teacher;
  if (distiller->needs_teacher()) teacher = load_teacher(cfg, dev);
  int64_t first_epoch = 1, first_step = 0;
  NamedTensors
      extra;  // the checkpoint's distiller state (and the term sums of an epoch in progress)
  if (!resume_dir.empty()) {
    state = load_checkpoint(ckpt_path, *model, &opt, &extra);
    restore_distiller_state(*distiller, dopt.get(), extra, ckpt_path);
    first_epoch = state.complete() ? state.epoch + 1 : state.epoch;
    first_step = state.complete() ? 0 : state.step;
    ZKD_CHECK(first_epoch <= cfg.epochs, "resume", "expected epochs left to run, got a run in ",
              resume_dir, " that has ", state.complete() ? "finished " : "reached ", state.epoch,
              " epochs and --epochs ", cfg.epochs, "; to train it longer: --resume ", resume_dir,
              " --epochs ",
              std::max<int64_t>(state.epoch + (state.complete() ? 1 : 0), cfg.epochs + 1));
  }
  write_run_files(cfg);  // the settings and command line (after the checks of a resume)
  state.seed = cfg.seed;
  state.config_json = cfg.to_json();

  data::Cifar100 d = load_run_data(cfg);
  data::Loader train(d.train, dev, cfg.batch_size, cfg.seed, true);
  data::Loader test(d.test, dev, cfg.batch_size, cfg.seed, false);
  if (distiller->needs_strong_view()) train.enable_strong_view();
  ZKD_CHECK(first_step == 0 || state.steps_per_epoch == train.num_batches(), "resume", "expected ",
            state.steps_per_epoch, " steps per epoch as in the checkpoint, got ",
            train.num_batches(), " (did the data change?)");
  state.steps_per_epoch = train.num_batches();
  if (!cfg.dump_batch.empty()) {  // what the network sees in the first step of this run
    train.start_epoch(first_epoch - 1);
    data::Batch b = train.batch(first_step < train.num_batches() ? first_step : 0);
    data::write_batch_png(cfg.dump_batch, b);  // weak | strong pairs when the strong view is on
    std::printf("zkd: wrote the first training batch (%lld images, augmented) to %s\n",
                static_cast<long long>(b.size()), cfg.dump_batch.c_str());
  }
  RunLog log(cfg.out, plot_info(cfg));
  log.load_existing(first_epoch);
  std::printf("zkd: %s %s on %s: %lld train / %lld test images, %lld epochs, batch %lld, out %s\n",
              cfg.distills() ? ("distill " + cfg.method + " " + cfg.teacher_model + " ->").c_str()
                             : "train",
              cfg.model.c_str(), dev.is_cuda() ? gpu::describe().c_str() : "cpu",
              static_cast<long long>(train.size()), static_cast<long long>(test.size()),
              static_cast<long long>(cfg.epochs), static_cast<long long>(cfg.batch_size),
              cfg.out.c_str());

  install_interrupt_handler();
  TrainOutcome out;
  out.best_top1 = state.best_top1;
  out.best_epoch = state.best_epoch;
  bool have_ckpt = !resume_dir.empty();
  Tensor loss_sum = zeros({}, DType::F32, dev), counts = zeros({2}, DType::F32, dev);
  TermSums terms;
  Progress progress(stdout, cfg.epochs, train.num_batches());
  double last_top1 = log.records().empty() ? 0 : log.records().back().test_top1;
  for (int64_t epoch = first_epoch; epoch <= cfg.epochs; ++epoch) {
    float lr = lr_at(cfg, epoch);
    opt.set_lr(lr);
    if (dopt) dopt->set_lr(lr);
    distiller->start_epoch(epoch);
    for (Tensor& t : terms.sums) fill_(t, 0.0);
    model->train();
    train.start_epoch(epoch - 1);
    fill_(loss_sum, 0.0);
    fill_(counts, 0.0);
    int64_t images = 0, step = first_step;
    if (first_step >
        0) {  // the sums of the steps before the restart: the epoch logs as uninterrupted
      restore_epoch_sums(state, loss_sum, counts);
      const std::string tp = kTermSumPrefix;
      for (auto& [name, t] : extra)
        if (name.rfind(tp, 0) == 0) terms.at(name.substr(tp.size()), loss_sum).copy_from(t);
      images = state.epoch_images;
    }
    const int64_t images_before = images;
    progress.start_epoch(epoch, first_step);
    auto t0 = std::chrono::steady_clock::now();
    for (; step < train.num_batches(); ++step) {
      data::Batch b = train.batch(step);
      StepResult sr = train_step(*model, teacher.get(), *distiller, opt, dopt.get(), b.images,
                                 b.strong_images, b.labels);
      add_scaled_(loss_sum, sr.loss.loss.data(), static_cast<double>(b.size()));
      accumulate_topk_(sr.logits, b.labels, counts);  // the weak view
      for (auto& [name, v] : sr.loss.terms) {
        Tensor& t = terms.at(name, v);
        add_scaled_(t, v, static_cast<double>(b.size()));
      }
      images += b.size();
      bool last = step + 1 == train.num_batches();
      if ((step + 1) % cfg.log_every == 0 || last || interrupted()) {
        Tensor weights = nonfinite_probe(opt);
        double mean = loss_sum.item<float>() / static_cast<double>(images);  // waits for the device
        if (!std::isfinite(mean)) diverged(cfg.out, epoch, step + 1, "loss", mean, have_ckpt);
        float w = weights.item<float>();
        if (!std::isfinite(w))
          diverged(cfg.out, epoch, step + 1, "weight after the step", w, have_ckpt);
        progress.update(step + 1, mean, images);
      }
      if (interrupted() && !last) break;  // in the epoch's last step: finish the epoch first
    }
    if (interrupted() && step < train.num_batches()) {
      state.epoch = epoch;
      state.step = step + 1;
      state.rng_offset = gen.offset();
      std::vector<float> c = counts.to_vector<float>();
      state.epoch_loss_sum = loss_sum.item<float>();
      state.epoch_top1 = c[0];
      state.epoch_top5 = c[1];
      state.epoch_images = images;
      NamedTensors mid = distiller_state(*distiller, dopt.get());
      for (size_t i = 0; i < terms.sums.size(); ++i)
        mid.emplace_back(kTermSumPrefix + terms.names[i], terms.sums[i]);
      save_checkpoint(cfg.out + "/last.safetensors", *model, opt, state,
                      describe_run(cfg, epoch, last_top1), mid);
      progress.finish("interrupted at epoch " + std::to_string(epoch) + " step " +
                      std::to_string(step + 1) + "; checkpoint written: " + cfg.out +
                      "/last.safetensors (continue with --resume " + cfg.out + ")");
      out.interrupted = true;
      return out;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<float> c = counts.to_vector<float>();
    EpochRecord r;
    r.epoch = epoch;
    r.train_loss = loss_sum.item<float>() / static_cast<double>(images);
    r.train_acc = 100.0 * c[0] / static_cast<double>(images);
    r.lr = lr;
    r.seconds = secs;
    r.images_per_s = static_cast<double>(images - images_before) / std::max(secs, 1e-9);
    for (size_t i = 0; i < terms.sums.size(); ++i)
      r.extra.emplace_back(terms.names[i],
                           terms.sums[i].item_double() / static_cast<double>(images));
    for (auto& [name, v] : distiller->epoch_values()) r.extra.emplace_back(name, v.item_double());
    if (!std::isfinite(r.train_loss))
      diverged(cfg.out, epoch, step, "loss", r.train_loss, have_ckpt);
    progress.evaluating(test.size());
    EvalResult e = evaluate(*model, test);
    if (!std::isfinite(e.loss)) diverged(cfg.out, epoch, step, "test loss", e.loss, have_ckpt);
    r.test_loss = e.loss;
    r.test_top1 = e.top1;
    r.test_top5 = e.top5;
    log.append(r);
    first_step = 0;

    state.epoch = epoch;
    state.step = train.num_batches();
    state.rng_offset = gen.offset();
    state.epoch_loss_sum = state.epoch_top1 = state.epoch_top5 = 0;
    state.epoch_images = 0;
    CheckpointInfo info = describe_run(cfg, epoch, e.top1);
    if (e.top1 > state.best_top1 || state.best_epoch == 0) {
      state.best_top1 = e.top1;
      state.best_epoch = epoch;
      save_weights(cfg.out + "/best.safetensors", *model, info);
    }
    save_checkpoint(cfg.out + "/last.safetensors", *model, opt, state, info,
                    distiller_state(*distiller, dopt.get()));
    have_ckpt = true;
    progress.finish(epoch_summary(
        epoch, cfg.epochs, r.train_loss, r.train_acc, e.loss, e.top1, e.top5,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
    last_top1 = e.top1;
    out.last_top1 = e.top1;
    out.last_epoch = epoch;
    if (on_epoch) on_epoch(r);
    if (interrupted() && epoch < cfg.epochs) {  // the signal came late in the epoch: it is saved
      std::printf(
          "zkd: interrupted after epoch %lld; checkpoint written: %s/last.safetensors "
          "(continue with --resume %s)\n",
          static_cast<long long>(epoch), cfg.out.c_str(), cfg.out.c_str());
      out.interrupted = true;
      return out;
    }
  }
  out.best_top1 = state.best_top1;
  out.best_epoch = state.best_epoch;
  std::printf("zkd: done. best top-1 %.2f%% (epoch %lld), last top-1 %.2f%% (epoch %lld); %s\n",
              out.best_top1, static_cast<long long>(out.best_epoch), out.last_top1,
              static_cast<long long>(out.last_epoch), cfg.out.c_str());
  return out;
}

}  // namespace zkd::app
