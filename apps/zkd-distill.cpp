// zkd-distill: distills a student from a trained teacher on CIFAR-100 with KD, DKD, MLKD or CTKD,
// each with or without LS (Z-score logit standardization); every loss weight, the LR and the
// epochs default to the paper's values for the method and pair (docs/distillers.md; shown at start
// and by --print-config). `--preset quick` runs the whole pipeline at a small size instead: a
// teacher, a plain-CE and a KD+LS student, then evaluation.
#include "apps/config/cli.h"
#include "apps/run/train_command.h"

namespace {
const char* kExamples = R"(Examples:
  ./build/apps/zkd-distill --preset quick                   # the few-minute demo on 10 classes
  ./build/apps/zkd-distill --method kd+ls --teacher runs/ce-resnet32x4-seed0 \
      --model resnet8x4                                     # the paper's KD+LS row
  ./build/apps/zkd-distill --method dkd+ls --teacher runs/ce-resnet32x4-seed0 \
      --model resnet8x4 --kd-weight 9 --dkd-beta 8          # alpha 9, beta 72
  ./build/apps/zkd-distill --method dkd+ls --model shufflev2 --print-config
  ./build/apps/zkd-distill --resume runs/kd+ls-resnet32x4-resnet8x4-seed0 --epochs 300
Loss: KD / KD+LS: lambda_ce CE + kd_weight T^2 KL. DKD / DKD+LS (as the official code):
  lambda_ce CE + min(epoch / dkd_warmup, 1) (alpha TCKD + beta NCKD), alpha = kd_weight,
  beta = dkd_beta x kd_weight. MLKD: the KD terms over its temperatures and views; CTKD: KD with
  a learned T (docs/distillers.md).
Exit codes: 0 done, 1 failure or bad input, 2 usage error, 130 interrupted (checkpoint written).)";
}  // namespace

int main(int argc, char** argv) {
  return zkd::app::run_main(argc, argv, [](int argc, char** argv) {
    auto app = zkd::app::make_app(
        "Distill a student from a teacher checkpoint (KD, DKD, MLKD, CTKD; each +LS), or run "
        "--preset quick.",
        kExamples);
    return zkd::app::run_train_command(zkd::app::parse_train_command(*app, argc, argv, true));
  });
}
