// The configuration of a training run (zkd-train, zkd-distill): model, method and loss weights,
// optimizer and schedule, data, device, output. Each field is one setting of the schema in
// settings.cpp (name, range, help, group): the command line, config files, the run's config.toml
// and the JSON stored in every checkpoint (so that `--resume DIR` continues with the same
// settings) all come from there.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/config/method.h"
#include "engine/backend/op_args.h"

namespace zkd::app {

struct TrainConfig {
  std::string model = "resnet8x4";
  Method method{MethodFamily::KD, true};     // ce (zkd-train) or a distillation method (method.h)
  std::string teacher_model = "resnet32x4";  // distillation only
  std::string teacher_checkpoint;
  std::string teacher_pick = "last";  // of a --teacher run directory: last | best (not saved)
  std::string teacher_cache;  // zkd-data teacher-logits file: the teacher's logits looked up
  // Loss (distillation; the paper's per-pair values unless given, see paper_defaults):
  // KD / KD+LS: lambda_ce CE + kd_weight T^2 KL. DKD / DKD+LS (official semantics):
  // lambda_ce CE + warm-up (alpha TCKD + beta NCKD), alpha = kd_weight, beta = dkd_beta x
  // kd_weight.
  double temperature = 2, lambda_ce = 0.1, kd_weight = 9, dkd_beta = 8;
  int64_t dkd_warmup_epochs = 20;
  double ctkd_t_start = 2,
         ctkd_t_end = 30;  // CTKD: T = t_start + t_end * sigmoid(g) (docs/distillers.md)

  int64_t epochs = 240;
  int64_t batch_size = 64;
  double lr = 0.05;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  std::string schedule = "multistep";  // multistep | cosine
  std::vector<int> milestones = {150, 180, 210};
  double gamma = 0.1;

  uint64_t seed = 0;
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  std::string data;             // CIFAR-100 folder or tarball, or a data dir holding it
  int64_t num_classes = 100;    // < 100: the first num_classes classes of CIFAR-100 only
  int64_t train_per_class = 0;  // > 0: the first n training images of each class
  int64_t test_per_class = 0;   // > 0: the first n test images of each class
  std::string out;              // run directory; empty: default_out_dir() (run_dir.h)
  int64_t log_every = 50;       // steps between progress reads (each waits for the device)
  std::string dump_batch;  // a PNG of the first training batch, as the network sees it (not saved)
  bool overwrite = false;  // replace a run already in `out` (not saved)
  int64_t threads = 0;     // CPU threads of the CPU backend; 0: all cores (not saved)
  std::string precision = "fp32";  // fp32 | bf16: the compute precision (docs/precision.md)

  // JSON (nlohmann) with every setting of the run; from_json checks types and ranges and throws
  // zkd::Error naming `origin` and the key.
  std::string to_json() const;
  static TrainConfig from_json(const std::string& text, const std::string& origin);
  bool distills() const { return method.distills(); }
};

// The defaults of zkd-train (cross-entropy, model resnet32x4) and zkd-distill (kd+ls, resnet8x4).
TrainConfig default_config(bool distill);

// The fused loss's arguments for c's method and weights at `epoch` (DKD's warm-up factor
// min(epoch / warmup, 1)); the loss family comes from the method table.
KdLossArgs loss_args_at(const TrainConfig& c, int64_t epoch);

}  // namespace zkd::app
