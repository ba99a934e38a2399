// Flags of the training apps (see train_flags.h).
#include "apps/common/train_flags.h"

#include <cstdio>
#include <sstream>

#include "apps/common/run_dir.h"
#include "apps/common/teacher.h"
#include "engine/backend/cpu/cpu_settings.h"
#include "nets/registry.h"

namespace zkd::app {

void add_train_flags(Flags& f, bool distill) {
  f.add("model", distill ? "resnet8x4" : "resnet32x4", "student / model name (see --list-models)");
  f.add("epochs", "", "epochs (default 240; MLKD 480, or 960 for ShuffleNet students)");
  f.add("batch-size", "64", "batch size (the last partial batch is kept)");
  f.add("lr", "", "base learning rate (default: 0.05, or 0.01 for MobileNetV2/ShuffleNet students)");
  f.add("momentum", "0.9", "SGD momentum");
  f.add("weight-decay", "5e-4", "SGD weight decay (all parameters)");
  f.add("schedule", "multistep", "LR schedule: multistep (x gamma once epoch > each milestone) or cosine");
  f.add("milestones", "150,180,210", "multistep milestones");
  f.add("gamma", "0.1", "multistep factor");
  f.add("seed", "0", "seed of initialization, shuffling and augmentation");
  f.add("device", "auto", "auto | cpu | cuda | cuda:N");
  f.add("data", "", "CIFAR-100 folder, tarball, or data dir holding cifar-100-binary (default $ZKD_DATA or ./data)");
  f.add("num-classes", "100", "train on the first N classes only");
  f.add("train-per-class", "0", "use the first N training images of each class (0 = all)");
  f.add("test-per-class", "0", "evaluate on the first N test images of each class (0 = all)");
  f.add("out", "", "run directory (default runs/<method>-[<teacher>-]<model>-seed<N>)");
  f.add("resume", "", "continue the run in this directory from its last checkpoint");
  f.add_bool("overwrite", "replace the run already in --out (its log, curves and checkpoints)");
  f.add("log-every", "50", "steps between progress lines (each waits for the device)");
  f.add("dump-batch", "", "write the run's first training batch (augmented) as a PNG grid to this file");
  add_threads_flag(f);
  f.add_bool("list-models", "print the model names and exit");
  f.add_bool("summary", "print the model's layers, output shape, parameters and MACs, then exit");
  if (distill) {
    f.add("method", "kd+ls", "kd | kd+ls | dkd | dkd+ls | mlkd | mlkd+ls | ctkd | ctkd+ls");
    f.add("teacher", "", "teacher: a zkd-train run directory (its last epoch, as the paper) or a checkpoint file");
    f.add("teacher-pick", "last", "which checkpoint of a --teacher run directory: last | best");
    f.add("teacher-model", "resnet32x4", "teacher model name (default: the checkpoint's, else resnet32x4)");
    f.add("temperature", "", "T (default: the paper's for the method and pair)");
    f.add("lambda-ce", "", "CE weight (default: 0.1 for KD / KD+LS, 1 for DKD)");
    f.add("lambda-kd", "", "KD weight (default: 9 for KD+LS, 0.9 for KD)");
    f.add("alpha", "", "DKD TCKD weight (default: 1, times kd_weight with LS)");
    f.add("beta", "", "DKD NCKD weight (default: 8, times kd_weight with LS)");
    f.add("dkd-warmup", "20", "DKD warm-up epochs: factor min(epoch / N, 1)");
    f.add("ctkd-t-start", "2", "CTKD: learned T = t_start + t_end * sigmoid(g) (docs/distillers.md)");
    f.add("ctkd-t-end", "30", "CTKD: see --ctkd-t-start");
  }
}

bool list_models_if_asked(const Flags& f) {
  if (!f.on("list-models")) return false;
  for (const auto& n : nets::names()) std::printf("%s\n", n.c_str());
  return true;
}

std::vector<int> parse_int_list(const std::string& s, const Flags& f, const std::string& flag) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      out.push_back(std::stoi(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      f.fail("flag --" + flag + " expects integers separated by commas, got '" + s + "'");
    }
  }
  return out;
}

void add_threads_flag(Flags& f) {
  f.add("threads", std::to_string(cpu_cores()), "CPU threads (oneDNN, OpenBLAS and own loops; default: all cores)");
}

void apply_threads_flag(const Flags& f) {
  int64_t n = f.integer("threads");
  if (n < 1 || n > 4096) f.fail("--threads must be between 1 and 4096, got " + f.str("threads"));
  set_cpu_threads(static_cast<int>(n));
}

TrainConfig config_from_flags(const Flags& f, bool distill) {
  apply_threads_flag(f);
  TrainConfig c;
  c.model = f.str("model");
  if (!nets::exists(c.model)) f.fail("unknown --model '" + c.model + "' (see --list-models)");
  c.batch_size = f.integer("batch-size");
  if (c.batch_size < 1) f.fail("--batch-size must be >= 1");
  c.momentum = f.num("momentum");
  c.weight_decay = f.num("weight-decay");
  c.schedule = f.str("schedule");
  if (c.schedule != "multistep" && c.schedule != "cosine") f.fail("--schedule must be multistep or cosine");
  c.milestones = parse_int_list(f.str("milestones"), f, "milestones");
  c.gamma = f.num("gamma");
  c.seed = static_cast<uint64_t>(f.integer("seed"));
  c.device = f.str("device");
  c.data = f.str("data");
  c.num_classes = f.integer("num-classes");
  c.train_per_class = f.integer("train-per-class");
  c.test_per_class = f.integer("test-per-class");
  c.log_every = std::max<int64_t>(1, f.integer("log-every"));
  c.dump_batch = f.str("dump-batch");
  c.method = "ce";
  MethodDefaults d = paper_defaults("ce", "", c.model);
  if (distill) {
    c.method = f.str("method");
    try {
      parse_method(c.method);
    } catch (const Error&) {
      f.fail(std::string("--method must be ") + kMethodNames + ", got '" + c.method + "'");
    }
    c.teacher_model = f.str("teacher-model");
    if (!nets::exists(c.teacher_model)) f.fail("unknown --teacher-model '" + c.teacher_model + "'");
    c.teacher_checkpoint = f.str("teacher");
    if (!c.teacher_checkpoint.empty()) {  // model and classes from the checkpoint unless given
      TeacherChoice t = choose_teacher(c.teacher_checkpoint, f.str("teacher-pick"),
                                       f.given("teacher-model") ? c.teacher_model : "",
                                       f.given("num-classes") ? c.num_classes : 0);
      c.teacher_checkpoint = t.checkpoint;
      c.teacher_model = t.model.empty() ? c.teacher_model : t.model;
      c.num_classes = t.num_classes;
    }
    d = paper_defaults(c.method, c.teacher_model, c.model);
    c.loss = d.loss;
    auto num = [&](const char* flag, float& v) {
      if (f.given(flag)) v = static_cast<float>(f.num(flag));
    };
    num("temperature", c.loss.temperature);
    num("lambda-ce", c.loss.lambda_ce);
    num("lambda-kd", c.loss.lambda_kd);
    num("alpha", c.loss.alpha);
    num("beta", c.loss.beta);
    if (c.loss.temperature <= 0) f.fail("--temperature must be > 0");
    c.dkd_warmup_epochs = f.integer("dkd-warmup");
    c.ctkd_t_start = f.num("ctkd-t-start");
    c.ctkd_t_end = f.num("ctkd-t-end");
    if (c.ctkd_t_start <= 0 || c.ctkd_t_end < 0)
      f.fail("--ctkd-t-start must be > 0 and --ctkd-t-end >= 0 (the temperature stays > 0)");
  }
  c.epochs = f.str("epochs").empty() ? d.epochs : f.integer("epochs");
  if (c.epochs < 1) f.fail("--epochs must be >= 1");
  c.lr = f.str("lr").empty() ? d.lr : f.num("lr");
  c.out = f.str("out");
  if (c.out.empty()) c.out = default_out_dir(c);
  c.overwrite = f.on("overwrite");
  return c;
}

}  // namespace zkd::app
