// The recipe table (see recipes.h). Sources, abbreviated in the rows (repository: path):
//   paper  Sun et al., "Logit Standardization in Knowledge Distillation", CVPR 2024: section 4
//          (240 epochs; LR 0.05, 0.01 for MobileNetV2 / ShuffleNet students), appendix A.1
//          (KD+LS) and A.2 (DKD+LS), which match the LS repository's log names
//   mdist  megvii-research/mdistiller (the paper's code base): mdistiller/engine/cfg.py,
//          configs/cifar100/kd.yaml, configs/cifar100/dkd/*.yaml
//   ls     sunshangquan/logit-standardization-KD: tools/train.py (--base-temp 2 --kd-weight 9),
//          configs/cifar100/mlkd/*.yaml (its copies of the MLKD configs), CTKD/ (its CTKD code)
//   mlkd   Jin-Ying/Multi-Level-Logit-Distillation: mdistiller/engine/cfg.py (KD weights)
//   ctkd   zhengli97/CTKD: scripts/run_cifar_distill.sh (--t_start 1 --t_end 20 -r 0.1 -a 0.9)
// Where these disagree, docs/distillers.md ("Recipes") says which one zkd follows and why;
// tests/recipes/official_recipes.tsv transcribes the values the rows must equal.
#include "apps/config/recipes.h"

#include "apps/config/config.h"

namespace zkd::app {

namespace {

using F = MethodFamily;
const Method kCE{F::CE, false}, kKD{F::KD, false}, kKDLS{F::KD, true}, kDKD{F::DKD, false},
    kDKDLS{F::DKD, true}, kMLKD{F::MLKD, false}, kMLKDLS{F::MLKD, true}, kCTKD{F::CTKD, false},
    kCTKDLS{F::CTKD, true};
const std::vector<Method> kAllButMlkd = {kCE, kKD, kKDLS, kDKD, kDKDLS, kCTKD, kCTKDLS};
const std::vector<Method> kMlkdBoth = {kMLKD, kMLKDLS};
const std::vector<std::string> kSmallLrStudents = {"MobileNetV2", "ShuffleV1", "ShuffleV2"};

// A row built field by field: R({methods}, teacher, student).T(2).kd(9).note(...).from(...).
struct R {
  Recipe r;
  R(std::vector<Method> methods, const char* teacher = "", const char* student = "") {
    r.methods = std::move(methods);
    r.teacher = teacher;
    r.student = student;
  }
  R(Method m, const char* teacher = "", const char* student = "")
      : R(std::vector<Method>{m}, teacher, student) {}
  R& students(std::vector<std::string> s) { return r.students_any = std::move(s), *this; }
  R& T(double v) { return r.temperature = v, *this; }
  R& ce(double v) { return r.lambda_ce = v, *this; }
  R& kd(double v) { return r.kd_weight = v, *this; }
  R& beta(double v) { return r.dkd_beta = v, *this; }
  R& lr(double v) { return r.lr = v, *this; }
  R& epochs(int64_t v) { return r.epochs = v, *this; }
  R& ctkd_t(double start, double end) {
    r.ctkd_t_start = start;
    r.ctkd_t_end = end;
    return *this;
  }
  R& note(const char* n) { return r.note = n, *this; }
  R& from(const char* s) { return r.source = s, *this; }
};

// KD+LS, appendix A.1: (teacher, student, T, kd_weight).
struct LsPair {
  const char *teacher, *student;
  double T, kd, beta;
};
const LsPair kKdLsPairs[] = {
    {"resnet32x4", "resnet8x4", 2, 9, 0}, {"vgg13", "vgg8", 3, 9, 0},
    {"wrn_40_2", "wrn_40_1", 2, 9, 0},    {"wrn_40_2", "wrn_16_2", 2, 9, 0},
    {"resnet56", "resnet20", 2, 9, 0},    {"resnet110", "resnet32", 2, 9, 0},
    {"resnet110", "resnet20", 4, 12, 0},  {"resnet32x4", "ShuffleV2", 2, 9, 0},
    {"resnet32x4", "wrn_16_2", 3, 9, 0},  {"resnet32x4", "wrn_40_2", 3, 9, 0},
    {"wrn_40_2", "resnet8x4", 2, 9, 0},   {"wrn_40_2", "MobileNetV2", 3, 9, 0},
    {"vgg13", "MobileNetV2", 3, 9, 0},    {"ResNet50", "MobileNetV2", 3, 1, 0}};
// DKD+LS, appendix A.2: (teacher, student, T, kd_weight, BETA before x kd_weight).
const LsPair kDkdLsPairs[] = {
    {"resnet32x4", "resnet8x4", 2, 9, 8}, {"resnet32x4", "ShuffleV2", 2, 9, 8},
    {"resnet32x4", "wrn_16_2", 2, 9, 2},  {"resnet32x4", "wrn_40_2", 2, 9, 8},
    {"resnet56", "resnet20", 3, 18, 2},   {"resnet110", "resnet32", 2, 15, 2},
    {"resnet110", "resnet20", 2, 15, 2},  {"vgg13", "vgg8", 2, 15, 2},
    {"vgg13", "MobileNetV2", 3, 9, 2},    {"wrn_40_2", "MobileNetV2", 2, 15, 2},
    {"wrn_40_2", "resnet8x4", 2, 18, 2},  {"wrn_40_2", "wrn_16_2", 2, 12, 2},
    {"wrn_40_2", "wrn_40_1", 2, 12, 2},   {"ResNet50", "MobileNetV2", 2, 15, 2}};

std::vector<Recipe> make_recipes() {
  std::vector<R> t = {
      // ---- every method: the schedule's LR by student family (MLKD: its own, below) ----
      R(kAllButMlkd).lr(0.05).note("paper: LR 0.05 for ResNet / WRN / VGG students").from("paper"),
      R(kAllButMlkd)
          .students(kSmallLrStudents)
          .lr(0.01)
          .note("paper: LR 0.01 for MobileNetV2 / ShuffleNet students")
          .from("paper"),
      // ---- each method's loss settings ----
      R(kCE).ce(1).note("paper: cross-entropy (teacher / baseline recipe)").from("paper"),
      R(kKD)
          .T(4)
          .ce(0.1)
          .kd(0.9)
          .note("paper: KD baseline (mdistiller T 4, CE 0.1, KD 0.9)")
          .from("mdist mdistiller/engine/cfg.py (CFG.KD)"),
      R(kKDLS)
          .T(2)
          .ce(0.1)
          .kd(9)
          .note("paper: KD+LS defaults (no appendix A.1 row for {pair})")
          .from("ls tools/train.py --base-temp 2 --kd-weight 9"),
      R(kDKD)
          .T(4)
          .ce(1)
          .kd(1)
          .beta(8)
          .note("paper: DKD baseline (mdistiller CE 1, alpha 1, beta 8, T 4)")
          .from("mdist mdistiller/engine/cfg.py (CFG.DKD)"),
      R(kDKDLS)
          .T(2)
          .ce(1)
          .kd(9)
          .beta(8)
          .note("paper: DKD+LS defaults (no appendix A.2 row for {pair})")
          .from("ls tools/train.py (DKD: ALPHA x kd_weight, BETA x kd_weight, T = base temp)"),
      R(kMLKD)
          .T(4)
          .ce(0.1)
          .kd(0.9)
          .note("paper: MLKD (mdistiller KD weights: T 4, CE 0.1, KD 0.9)")
          .from("mlkd mdistiller/engine/cfg.py (CFG.KD)"),
      R(kMLKDLS)
          .T(2)
          .ce(0.1)
          .kd(9)
          .note("paper: MLKD+LS (T 2, CE 0.1, KD 9) for {pair}")
          .from("ls tools/train.py, logs/MLKD/mlkd,T,S,2,9"),
      // CTKD learns T = t_start + t_end x sigmoid(g); the "temperature" setting is unused.
      R(kCTKD)
          .T(2)
          .ce(0.1)
          .kd(0.9)
          .ctkd_t(1, 20)
          .note("paper: CTKD (CE 0.1, KD 0.9, learned T in (1, 21))")
          .from("ctkd scripts/run_cifar_distill.sh --t_start 1 --t_end 20 -r 0.1 -a 0.9"),
      R(kCTKDLS)
          .T(2)
          .ce(0.1)
          .kd(9)
          .ctkd_t(2, 30)
          .note("paper: CTKD+LS (CE 0.1, KD 9, learned T in (2, 32))")
          .from("ls CTKD/scripts/run_cifar_distill.sh -r 0.1 -a 9; t 2 / 30: docs/distillers.md"),
      // ---- DKD's per-pair BETA (mdistiller's configs) ----
      R(kDKD, "resnet110", "resnet32")
          .beta(2)
          .note("paper: DKD baseline, mdistiller's beta for {pair}")
          .from("mdist configs/cifar100/dkd/res110_res32.yaml"),
      R(kDKD, "resnet56", "resnet20")
          .beta(2)
          .note("paper: DKD baseline, mdistiller's beta for {pair}")
          .from("mdist configs/cifar100/dkd/res56_res20.yaml"),
      R(kDKD, "vgg13", "vgg8")
          .beta(6)
          .note("paper: DKD baseline, mdistiller's beta for {pair}")
          .from("mdist configs/cifar100/dkd/vgg13_vgg8.yaml"),
      R(kDKD, "vgg13", "MobileNetV2")
          .beta(6)
          .note("paper: DKD baseline, mdistiller's beta for {pair}")
          .from("mdist configs/cifar100/dkd/vgg13_mv2.yaml"),
      R(kDKD, "wrn_40_2", "wrn_16_2")
          .beta(6)
          .note("paper: DKD baseline, mdistiller's beta for {pair}")
          .from("mdist configs/cifar100/dkd/wrn40_2_wrn_16_2.yaml"),
      R(kDKD, "wrn_40_2", "wrn_40_1")
          .beta(6)
          .note("paper: DKD baseline, mdistiller's beta for {pair}")
          .from("mdist configs/cifar100/dkd/wrn40_2_wrn_40_1.yaml"),
      // ---- MLKD (both variants): LR and epochs of the LS repository's MLKD configs ----
      R(kMlkdBoth)
          .lr(0.025)
          .epochs(480)
          .note("paper: MLKD's LR for {pair}")
          .from("ls configs/cifar100/mlkd/<pair>.yaml"),
      R(kMlkdBoth)
          .students(
              {"MobileNetV2", "ShuffleV1", "ShuffleV2", "vgg8", "vgg11", "vgg13", "vgg16", "vgg19"})
          .lr(0.01)
          .note("paper: MLKD's LR for {pair}")
          .from("ls configs/cifar100/mlkd/ (vgg13_vgg8.yaml@a2aa93d, *_MobileNetV2, *_Shuffle*)"),
      R(kMlkdBoth, "resnet32x4", "vgg8")
          .lr(0.025)
          .note("paper: MLKD's LR for {pair}")
          .from("ls configs/cifar100/mlkd/resnet32x4_vgg8.yaml"),
      R(kMlkdBoth, "wrn_40_2", "MobileNetV2")
          .lr(0.005)
          .note("paper: MLKD's LR for {pair}")
          .from("ls configs/cifar100/mlkd/wrn_40_2_MobileNetV2.yaml"),
      R(kMlkdBoth, "resnet32x4")
          .students({"ShuffleV1", "ShuffleV2"})
          .epochs(960)
          .note("paper: MLKD trains 960 epochs for {pair}")
          .from("ls configs/cifar100/mlkd/resnet32x4_ShuffleV1.yaml, resnet32x4_ShuffleV2.yaml"),
      // MLKD+LS: KD weight 6 for three pairs (the LS logs mlkd,T,S,2,6).
      R(kMLKDLS, "resnet32x4", "ShuffleV2")
          .kd(6)
          .note("paper: MLKD+LS (T 2, CE 0.1, KD 6) for {pair}")
          .from("ls logs/MLKD/mlkd,resnet32x4,ShuffleV2,2,6.txt"),
      R(kMLKDLS, "vgg13", "vgg8")
          .kd(6)
          .note("paper: MLKD+LS (T 2, CE 0.1, KD 6) for {pair}")
          .from("ls logs/MLKD/mlkd,vgg13,vgg8,2,6.txt"),
      R(kMLKDLS, "vgg13", "MobileNetV2")
          .kd(6)
          .note("paper: MLKD+LS (T 2, CE 0.1, KD 6) for {pair}")
          .from("ls logs/MLKD/mlkd,vgg13,MobileNetV2,2,6.txt"),
  };
  for (const LsPair& p : kKdLsPairs)
    t.push_back(R(kKDLS, p.teacher, p.student)
                    .T(p.T)
                    .kd(p.kd)
                    .note("paper: KD+LS, appendix A.1 for {pair}")
                    .from("paper appendix A.1; ls logs/KD/kd,T,S,<T>,<kd>.txt"));
  for (const LsPair& p : kDkdLsPairs)
    t.push_back(R(kDKDLS, p.teacher, p.student)
                    .T(p.T)
                    .kd(p.kd)
                    .beta(p.beta)
                    .note("paper: DKD+LS, appendix A.2 for {pair}")
                    .from("paper appendix A.2; ls logs/DKD/dkd,T,S,<T>,<kd>,<BETA>.txt"));
  std::vector<Recipe> out;
  for (R& r : t) out.push_back(std::move(r.r));
  return out;
}

bool covers(const Recipe& r, const Method& m, const std::string& teacher,
            const std::string& student) {
  bool method = false;
  for (const Method& x : r.methods) method = method || x == m;
  bool s = r.students_any.empty() ? (r.student.empty() || r.student == student) : false;
  for (const std::string& x : r.students_any) s = s || x == student;
  return method && s && (r.teacher.empty() || r.teacher == teacher);
}

std::string with_pair(std::string note, const std::string& pair) {
  const std::string key = "{pair}";
  size_t at = note.find(key);
  if (at != std::string::npos) note.replace(at, key.size(), pair);
  return note;
}

}  // namespace

const std::vector<Recipe>& recipes() {
  static const std::vector<Recipe> t = make_recipes();
  return t;
}

MethodDefaults paper_defaults(const Method& method, const std::string& teacher,
                              const std::string& student) {
  MethodDefaults d;
  const std::string pair = teacher + " -> " + student;
  for (const Recipe& r : recipes()) {
    if (!covers(r, method, teacher, student)) continue;
    const std::string note = with_pair(r.note, pair);
    if (r.temperature || r.lambda_ce || r.kd_weight || r.dkd_beta || r.ctkd_t_start) d.note = note;
    d.temperature = r.temperature.value_or(d.temperature);
    d.lambda_ce = r.lambda_ce.value_or(d.lambda_ce);
    d.kd_weight = r.kd_weight.value_or(d.kd_weight);
    d.dkd_beta = r.dkd_beta.value_or(d.dkd_beta);
    d.ctkd_t_start = r.ctkd_t_start.value_or(d.ctkd_t_start);
    d.ctkd_t_end = r.ctkd_t_end.value_or(d.ctkd_t_end);
    if (r.lr) d.lr = *r.lr, d.lr_note = note;
    if (r.epochs) d.epochs = *r.epochs, d.epochs_note = note;
  }
  return d;
}

void use_loss_defaults(TrainConfig& c, const MethodDefaults& d) {
  c.temperature = d.temperature;
  c.lambda_ce = d.lambda_ce;
  c.kd_weight = d.kd_weight;
  c.dkd_beta = d.dkd_beta;
  c.ctkd_t_start = d.ctkd_t_start;
  c.ctkd_t_end = d.ctkd_t_end;
}

}  // namespace zkd::app
