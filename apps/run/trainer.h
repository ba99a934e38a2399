// The training loop shared by zkd-train (cross-entropy) and zkd-distill (KD, KD+LS, DKD, DKD+LS
// from a frozen teacher in eval mode): the paper's recipe, device-resident data, per-epoch test
// evaluation, atomic self-describing checkpoints (last + best), exact resume (the log too), a run
// directory never reused without --overwrite, logs and curves (run_log.h), and clean stops on
// SIGINT and on a non-finite loss or weight.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "apps/config/config.h"
#include "apps/report/run_log.h"
#include "datasets/cifar100.h"
#include "datasets/loader.h"
#include "engine/core/precision.h"
#include "engine/nn/module.h"

namespace zkd::app {

struct EvalResult {
  double loss = 0, top1 = 0, top5 = 0;  // mean CE, accuracies in %
  int64_t images = 0;
};
// Test-set evaluation in eval mode without gradients; one host read at the end. With `logits`,
// also keeps every row's logits there: [N, classes] on the loader's device, in data-set order.
// The forward runs in `precision` (the cross-entropy in float32).
EvalResult evaluate(Module& model, data::Loader& loader, Tensor* logits = nullptr,
                    Precision precision = Precision::F32);

// auto: the first GPU when one is usable, else the CPU.
Device pick_device(const std::string& flag);

// The train and test sets for a run: CIFAR-100 from cfg.data (folder, tarball or data dir;
// default $ZKD_DATA or ./data), restricted to the first cfg.num_classes classes and the first
// cfg.train_per_class / cfg.test_per_class images of each when those are set. Without
// need_train only the test split is read (the train split is left empty).
data::Cifar100 load_run_data(const TrainConfig& cfg, bool need_train = true);

// A run stopped because its loss or a weight stopped being finite (its last good checkpoint is
// kept); zkd-sweep records the member as diverged and goes on with the others.
class DivergedError : public Error {
 public:
  using Error::Error;
};

struct TrainOutcome {
  double best_top1 = 0, last_top1 = 0;
  int64_t best_epoch = 0, last_epoch = 0;
  bool interrupted = false;
};

// Trains cfg from scratch into cfg.out, or resumes the run in resume_dir from its last checkpoint
// (cfg is then the run's saved config with the changes --resume allows, see train_flags.h).
// Writes the run's config.toml and command line first. Throws zkd::Error when cfg.out already
// holds a run (and !cfg.overwrite), and when the loss or a weight is not finite (the last good
// checkpoint stays; a non-finite model is never saved). on_epoch, when set, is called after each
// epoch's log line and checkpoint are written (zkd-sweep updates its summary there).
TrainOutcome run_training(TrainConfig cfg, const std::string& resume_dir = "",
                          const std::function<void(const EpochRecord&)>& on_epoch = nullptr);

}  // namespace zkd::app
