// zkd-train: trains a model of the zoo from scratch on CIFAR-100 with cross-entropy (teachers and
// baseline students), with the paper's recipe by default. See README.md for examples.
#include <cstdio>
#include <iostream>

#include "apps/common/train_flags.h"
#include "apps/common/trainer.h"
#include "nets/registry.h"
#include "nets/summary.h"

int main(int argc, char** argv) {
  using namespace zkd;
  app::Flags f("zkd-train", "Train a CIFAR model from scratch with cross-entropy (paper recipe by default).");
  app::add_train_flags(f, false);
  f.parse(argc, argv);
  if (!f.positional().empty()) f.fail("unexpected argument '" + f.positional()[0] + "'");
  try {
    if (app::list_models_if_asked(f)) return 0;
    app::TrainConfig cfg = app::config_from_flags(f, false);
    if (f.on("summary")) {
      Generator gen(cfg.seed);
      auto model = nets::create(cfg.model, gen, cfg.num_classes);
      std::printf("%s", nets::summarize(*model, {1, 3, 32, 32}).c_str());
      return 0;
    }
    app::TrainOutcome r = app::run_training(cfg, f.str("resume"), f.given("epochs") ? cfg.epochs : 0);
    return r.interrupted ? 130 : 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "zkd-train: %s\n", e.what());
    return 1;
  }
}
