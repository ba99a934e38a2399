// zkd-train: trains a model of the zoo from scratch on CIFAR-100 with cross-entropy (teachers and
// baseline students), with the paper's recipe by default. See README.md for examples.
#include "apps/config/cli.h"
#include "apps/run/train_command.h"

namespace {
const char* kExamples = R"(Examples:
  ./build/apps/zkd-train --model resnet32x4                 # a teacher, the paper's recipe (240 epochs)
  ./build/apps/zkd-train --model resnet20 --epochs 30 --seed 1 --out runs/r20-s1
  ./build/apps/zkd-train --config runs/r20-s1/config.toml --seed 2 --out runs/r20-s2
  ./build/apps/zkd-train --resume runs/r20-s1 --epochs 60   # continue, now for 60 epochs
  ./build/apps/zkd-train --model ShuffleV2 --print-config   # the settings it would use, and why
Exit codes: 0 done, 1 failure or bad input, 2 usage error, 130 interrupted (checkpoint written).)";
}  // namespace

int main(int argc, char** argv) {
  return zkd::app::run_main(argc, argv, [](int argc, char** argv) {
    auto app = zkd::app::make_app(
        "Train a CIFAR-100 model from scratch with cross-entropy (the paper's recipe by default).",
        kExamples);
    return zkd::app::run_train_command(zkd::app::parse_train_command(*app, argc, argv, false));
  });
}
