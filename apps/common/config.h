// The configuration of a training run (zkd-train, zkd-distill): model, method and loss weights,
// optimizer and schedule, data, device, output. Serialized as JSON into every checkpoint so that
// `--resume DIR` continues with exactly the same settings.
#pragma once
#include <string>
#include <vector>

#include "engine/backend/op_args.h"
#include "engine/core/device.h"

namespace zkd::app {

struct TrainConfig {
  std::string model = "resnet8x4";
  std::string method = "ce";  // ce | kd | kd+ls | dkd | dkd+ls | mlkd | mlkd+ls | ctkd | ctkd+ls
  std::string teacher_model;  // distillation only
  std::string teacher_checkpoint;
  KdLossArgs loss;            // temperature, lambda_ce, lambda_kd, alpha, beta
  int64_t dkd_warmup_epochs = 20;
  double ctkd_t_start = 2, ctkd_t_end = 30;  // CTKD: T = t_start + t_end * sigmoid(g) (docs/distillers.md)

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
  std::string out = "runs/run";
  int64_t log_every = 50;       // steps between progress reads (each waits for the device)
  std::string dump_batch;       // a PNG of the first training batch, as the network sees it (not saved)
  bool overwrite = false;       // replace a run already in `out` (not saved)

  std::string to_json() const;
  static TrainConfig from_json(const std::string& text, const std::string& origin);
  bool distills() const { return method != "ce"; }
};

// The loss arguments for `method` at `epoch` (DKD's warm-up factor min(epoch / warmup, 1)).
KdLossArgs loss_args_at(const TrainConfig& c, int64_t epoch);
// The KD-loss family of a distillation method: KD or KD_LS for kd / mlkd / ctkd (+ls), DKD or
// DKD_LS for dkd (+ls).
KdMethod parse_method(const std::string& method);
inline constexpr const char* kMethodNames = "kd, kd+ls, dkd, dkd+ls, mlkd, mlkd+ls, ctkd or ctkd+ls";

// The paper's defaults (docs/distillers.md, "Recipes") for a method and teacher -> student
// pair: temperature, weights, the base LR of the student family (0.05 for ResNet / WRN / VGG
// students, 0.01 for MobileNetV2 / ShuffleNet students; MLKD's own LRs) and the epochs (240;
// MLKD 480, 960 for ShuffleNet students). `note` says where they came from.
struct MethodDefaults {
  KdLossArgs loss;
  double lr = 0.05;
  int64_t epochs = 240;
  std::string note;
};
MethodDefaults paper_defaults(const std::string& method, const std::string& teacher,
                              const std::string& student);

}  // namespace zkd::app
