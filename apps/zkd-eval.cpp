// zkd-eval: top-1, top-5 and mean cross-entropy of a checkpoint on the CIFAR-100 test set;
// --save-logits FILE writes the logits as a float32 .npy array [N, classes] in test-set order.
#include <cstdio>

#include "apps/config/cli.h"
#include "apps/config/settings.h"
#include "apps/report/npy.h"
#include "apps/run/checkpoint.h"
#include "apps/run/run_dir.h"
#include "apps/run/train_command.h"
#include "apps/run/trainer.h"
#include "nets/registry.h"

namespace {
const char* kExamples = R"(Examples:
  ./build/apps/zkd-eval --checkpoint runs/ce-resnet32x4-seed0/best.safetensors
  ./build/apps/zkd-eval --checkpoint runs/quick/teacher/best.safetensors --save-logits logits.npy
  ./build/apps/zkd-eval --model resnet20 --num-classes 10 --checkpoint weights.safetensors
Exit codes: 0 done, 1 failure or bad input, 2 usage error.)";
}  // namespace

int main(int argc, char** argv) {
  using namespace zkd;
  return app::run_main(argc, argv, [](int argc, char** argv) {
    auto cli = app::make_app("Evaluate a checkpoint on the CIFAR-100 test set.", kExamples);
    app::TrainConfig cfg;
    std::string checkpoint, save;
    int64_t batch = 256;
    cfg.model.clear();
    app::add_schema_options(
        *cli, cfg,
        {"model", "num_classes", "data", "test_per_class", "device", "threads", "precision"},
        {{"model", "the checkpoint's"}, {"num_classes", "the checkpoint's, else 100"}});
    cli->add_option("--checkpoint", checkpoint, "checkpoint or weights file (required)")
        ->option_text("PATH")
        ->group("model");
    app::add_int(*cli, "--batch-size", batch, 1, 65536, "N", "evaluation batch size")
        ->group("optimization");
    cli->add_option("--save-logits", save, "write the logits to this .npy file")
        ->option_text("PATH")
        ->group("output");
    app::parse(*cli, argc, argv);
    if (checkpoint.empty()) throw app::UsageError("expected --checkpoint PATH");
    app::check_output_path(save, "--save-logits", {checkpoint, cfg.data});
    SafetensorsFile file = load_safetensors(checkpoint);
    app::ModelChoice m = app::choose_model(
        app::checkpoint_info(file, checkpoint), checkpoint, cfg.model, "model",
        cli->get_option("--num-classes")->count() > 0 ? cfg.num_classes : 0, "num-classes");
    cfg.model = m.model;
    cfg.num_classes = m.num_classes;
    app::apply_threads(cfg.threads);
    Device dev = app::pick_device(cfg.device);
    Generator gen(0);
    auto model = nets::create(cfg.model, gen, cfg.num_classes);
    app::load_weights(file, checkpoint, *model);
    model->to(dev);
    data::Cifar100 d = app::load_run_data(cfg, false);
    data::Loader test(d.test, dev, batch, 0, false);
    Tensor logits;
    app::EvalResult r = app::evaluate(*model, test, save.empty() ? nullptr : &logits,
                                      parse_precision(cfg.precision));
    std::printf("%s %s: %lld test images%s  top-1 %.2f%%  top-5 %.2f%%  loss %.4f\n",
                cfg.model.c_str(), checkpoint.c_str(), static_cast<long long>(r.images),
                cfg.precision == "fp32" ? "" : (" (" + cfg.precision + ")").c_str(), r.top1, r.top5,
                r.loss);
    if (!save.empty()) {
      app::save_npy(save, logits);
      std::printf("logits [%lld, %lld] written to %s\n", static_cast<long long>(logits.size(0)),
                  static_cast<long long>(logits.size(1)), save.c_str());
    }
    return 0;
  });
}
