// zkd-eval: top-1, top-5 and mean cross-entropy of a checkpoint on the CIFAR-100 test set;
// --save-logits FILE writes the logits as a float32 .npy array [N, classes] in test-set order.
#include <cstdio>

#include "apps/common/checkpoint.h"
#include "apps/common/flags.h"
#include "apps/common/npy.h"
#include "apps/common/train_flags.h"
#include "apps/common/trainer.h"
#include "nets/registry.h"

int main(int argc, char** argv) {
  using namespace zkd;
  app::Flags f("zkd-eval", "Evaluate a checkpoint on the CIFAR-100 test set.");
  f.add("model", "", "model name (default: the checkpoint's)");
  f.add("checkpoint", "", "checkpoint or weights file (required)");
  f.add("data", "", "CIFAR-100 folder, tarball or data dir (default $ZKD_DATA or ./data)");
  f.add("device", "auto", "auto | cpu | cuda | cuda:N");
  f.add("batch-size", "256", "evaluation batch size");
  f.add("num-classes", "100", "classes the model was trained on, the first N of CIFAR-100 (default: the checkpoint's, else 100)");
  f.add("test-per-class", "0", "the first N test images of each class (0 = all)");
  f.add("save-logits", "", "write the logits to this .npy file");
  app::add_threads_flag(f);
  f.parse(argc, argv);
  if (f.str("checkpoint").empty()) f.fail("--checkpoint is required");
  if (!f.str("model").empty() && !nets::exists(f.str("model"))) f.fail("unknown --model '" + f.str("model") + "'");
  try {
    const std::string path = f.str("checkpoint");
    SafetensorsFile file = load_safetensors(path);
    app::ModelChoice m = app::choose_model(app::checkpoint_info(file, path), path, f.str("model"), "model",
                                           f.given("num-classes") ? f.integer("num-classes") : 0, "num-classes");
    app::TrainConfig cfg;
    cfg.model = m.model;
    cfg.data = f.str("data");
    cfg.num_classes = m.num_classes;
    cfg.test_per_class = f.integer("test-per-class");
    app::apply_threads_flag(f);
    Device dev = app::pick_device(f.str("device"));
    Generator gen(0);
    auto model = nets::create(cfg.model, gen, cfg.num_classes);
    app::load_weights(file, path, *model);
    model->to(dev);
    data::Cifar100 d = app::load_run_data(cfg, false);
    data::Loader test(d.test, dev, f.integer("batch-size"), 0, false);
    Tensor logits;
    bool save = !f.str("save-logits").empty();
    app::EvalResult r = app::evaluate(*model, test, save ? &logits : nullptr);
    std::printf("%s %s: %lld test images  top-1 %.2f%%  top-5 %.2f%%  loss %.4f\n", cfg.model.c_str(),
                f.str("checkpoint").c_str(), static_cast<long long>(r.images), r.top1, r.top5, r.loss);
    if (save) {
      app::save_npy(f.str("save-logits"), logits);
      std::printf("logits [%lld, %lld] written to %s\n", static_cast<long long>(logits.size(0)),
                  static_cast<long long>(logits.size(1)), f.str("save-logits").c_str());
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "zkd-eval: %s\n", e.what());
    return 1;
  }
}
