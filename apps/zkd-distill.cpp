// zkd-distill: distills a student from a trained teacher on CIFAR-100 with KD, DKD, MLKD or CTKD,
// each with or without LS (Z-score logit standardization); every loss flag, the LR and the epochs
// default to the paper's values for the method and pair (docs/distillers.md). `--preset quick` runs the whole pipeline at a small size instead: a teacher,
// then KD+LS distillation into a student, then evaluation of both.
#include <cstdio>

#include "apps/common/checkpoint.h"
#include "apps/common/quick_preset.h"
#include "apps/common/train_flags.h"
#include "apps/common/trainer.h"

int main(int argc, char** argv) {
  using namespace zkd;
  app::Flags f("zkd-distill",
               "Distill a student from a teacher checkpoint (KD, DKD, MLKD, CTKD; each +LS), or run\n"
               "--preset quick: teacher training, KD+LS distillation and evaluation at a small size.");
  app::add_train_flags(f, true);
  f.add("preset", "", "quick: the short end-to-end demo on real CIFAR-100");
  f.parse(argc, argv);
  if (!f.positional().empty()) f.fail("unexpected argument '" + f.positional()[0] + "'");
  try {
    if (app::list_models_if_asked(f)) return 0;
    if (!f.str("preset").empty()) {
      if (f.str("preset") != "quick") f.fail("--preset must be quick, got '" + f.str("preset") + "'");
      return app::run_quick_preset(f);
    }
    app::TrainConfig cfg = app::config_from_flags(f, true);
    if (f.str("resume").empty() && cfg.teacher_checkpoint.empty())
      f.fail("--teacher RUN_DIR is required (a zkd-train run directory; its last.safetensors is used)");
    std::printf("zkd-distill: %s, T %.3g, lambda_ce %.3g, lambda_kd %.3g, alpha %.3g, beta %.3g, lr %.3g\n",
                cfg.method.c_str(), cfg.loss.temperature, cfg.loss.lambda_ce, cfg.loss.lambda_kd,
                cfg.loss.alpha, cfg.loss.beta, cfg.lr);
    app::TrainOutcome r = app::run_training(cfg, f.str("resume"), f.given("epochs") ? cfg.epochs : 0);
    return r.interrupted ? 130 : 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "zkd-distill: %s\n", e.what());
    return 1;
  }
}
