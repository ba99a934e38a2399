// TrainConfig defaults, its JSON form (through the settings schema) and the paper's per-method,
// per-pair defaults.
#include "apps/config/config.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "apps/config/settings.h"
#include "engine/core/error.h"

namespace zkd::app {

std::string TrainConfig::to_json() const {
  return config_to_json(*this).dump();
}

TrainConfig TrainConfig::from_json(const std::string& text, const std::string& origin) {
  return config_from_json(text, origin);
}

TrainConfig default_config(bool distill) {
  TrainConfig c;
  if (!distill) {
    c.model = "resnet32x4";
    c.method = "ce";
  }
  return c;
}

const std::vector<std::string>& distill_methods() {
  static const std::vector<std::string> m = {"kd",   "kd+ls",   "dkd",  "dkd+ls",
                                             "mlkd", "mlkd+ls", "ctkd", "ctkd+ls"};
  return m;
}

KdMethod parse_method(const std::string& m) {
  if (m == "kd" || m == "mlkd" || m == "ctkd") return KdMethod::KD;
  if (m == "kd+ls" || m == "mlkd+ls" || m == "ctkd+ls") return KdMethod::KD_LS;
  if (m == "dkd") return KdMethod::DKD;
  if (m == "dkd+ls") return KdMethod::DKD_LS;
  std::string names;
  for (const std::string& x : distill_methods()) names += (names.empty() ? "" : ", ") + x;
  ZKD_FAIL("method", "expected one of ", names, ", got '", m, "'");
}

KdLossArgs loss_args_at(const TrainConfig& c, int64_t epoch) {
  KdLossArgs a;
  a.method = parse_method(c.method);
  a.temperature = static_cast<float>(c.temperature);
  a.lambda_ce = static_cast<float>(c.lambda_ce);
  a.lambda_kd = static_cast<float>(c.kd_weight);
  a.alpha = static_cast<float>(c.kd_weight);
  a.beta = static_cast<float>(c.dkd_beta * c.kd_weight);
  if (a.method == KdMethod::DKD || a.method == KdMethod::DKD_LS)
    a.warmup = static_cast<float>(std::min(
        static_cast<double>(epoch) / static_cast<double>(std::max<int64_t>(c.dkd_warmup_epochs, 1)),
        1.0));
  return a;
}

namespace {
bool small_lr_student(const std::string& s) {
  return s == "MobileNetV2" || s == "ShuffleV1" || s == "ShuffleV2";
}
bool shufflenet(const std::string& s) {
  return s == "ShuffleV1" || s == "ShuffleV2";
}

// MLKD's base LR (its configs): 0.005 for wrn_40_2 -> MobileNetV2; 0.01 for VGG, MobileNetV2 and
// ShuffleNet students; 0.025 for ResNet / WRN students.
double mlkd_lr(const std::string& teacher, const std::string& student) {
  if (teacher == "wrn_40_2" && student == "MobileNetV2") return 0.005;
  if (small_lr_student(student) || student.rfind("vgg", 0) == 0) return 0.01;
  return 0.025;
}

// Appendix A.1 (KD+LS): pair -> (T, kd_weight).
const std::map<std::pair<std::string, std::string>, std::pair<double, double>>& kd_ls_pairs() {
  static const std::map<std::pair<std::string, std::string>, std::pair<double, double>> m = {
      {{"resnet32x4", "resnet8x4"}, {2, 9}}, {{"vgg13", "vgg8"}, {3, 9}},
      {{"wrn_40_2", "wrn_40_1"}, {2, 9}},    {{"wrn_40_2", "wrn_16_2"}, {2, 9}},
      {{"resnet56", "resnet20"}, {2, 9}},    {{"resnet110", "resnet32"}, {2, 9}},
      {{"resnet110", "resnet20"}, {4, 12}},  {{"resnet32x4", "ShuffleV2"}, {2, 9}},
      {{"resnet32x4", "wrn_16_2"}, {3, 9}},  {{"resnet32x4", "wrn_40_2"}, {3, 9}},
      {{"wrn_40_2", "resnet8x4"}, {2, 9}},   {{"wrn_40_2", "MobileNetV2"}, {3, 9}},
      {{"vgg13", "MobileNetV2"}, {3, 9}},    {{"ResNet50", "MobileNetV2"}, {3, 1}}};
  return m;
}

// Appendix A.2 (DKD+LS): pair -> (T, kd_weight, BETA before multiplication by kd_weight).
const std::map<std::pair<std::string, std::string>, std::tuple<double, double, double>>&
dkd_ls_pairs() {
  static const std::map<std::pair<std::string, std::string>, std::tuple<double, double, double>> m =
      {{{"resnet32x4", "resnet8x4"}, {2, 9, 8}}, {{"resnet32x4", "ShuffleV2"}, {2, 9, 8}},
       {{"resnet32x4", "wrn_16_2"}, {2, 9, 2}},  {{"resnet32x4", "wrn_40_2"}, {2, 9, 8}},
       {{"resnet56", "resnet20"}, {3, 18, 2}},   {{"resnet110", "resnet32"}, {2, 15, 2}},
       {{"resnet110", "resnet20"}, {2, 15, 2}},  {{"vgg13", "vgg8"}, {2, 15, 2}},
       {{"vgg13", "MobileNetV2"}, {3, 9, 2}},    {{"wrn_40_2", "MobileNetV2"}, {2, 15, 2}},
       {{"wrn_40_2", "resnet8x4"}, {2, 18, 2}},  {{"wrn_40_2", "wrn_16_2"}, {2, 12, 2}},
       {{"wrn_40_2", "wrn_40_1"}, {2, 12, 2}},   {{"ResNet50", "MobileNetV2"}, {2, 15, 2}}};
  return m;
}
}  // namespace

MethodDefaults paper_defaults(const std::string& method, const std::string& teacher,
                              const std::string& student) {
  MethodDefaults d;
  d.lr = small_lr_student(student) ? 0.01 : 0.05;
  d.lr_note = small_lr_student(student) ? "paper: LR 0.01 for MobileNetV2 / ShuffleNet students"
                                        : "paper: LR 0.05 for ResNet / WRN / VGG students";
  const std::string pair = teacher + " -> " + student;
  if (method == "ce") {
    d.lambda_ce = 1;
    d.note = "paper: cross-entropy (teacher / baseline recipe)";
  } else if (method == "kd") {
    // The paper's KD baseline: mdistiller's T = 4, CE 0.1, KD 0.9.
    d.temperature = 4, d.lambda_ce = 0.1, d.kd_weight = 0.9;
    d.note = "paper: KD baseline (mdistiller T 4, CE 0.1, KD 0.9)";
  } else if (method == "kd+ls") {
    d.temperature = 2, d.lambda_ce = 0.1, d.kd_weight = 9;
    d.note = "paper: KD+LS defaults (no appendix A.1 row for " + pair + ")";
    auto it = kd_ls_pairs().find({teacher, student});
    if (it != kd_ls_pairs().end()) {
      std::tie(d.temperature, d.kd_weight) = it->second;
      d.note = "paper: KD+LS, appendix A.1 for " + pair;
    }
  } else if (method == "dkd") {
    // mdistiller's DKD: CE 1, alpha 1, beta 8, T 4 (kd_weight 1 x BETA 8), warm-up 20 epochs.
    d.temperature = 4, d.lambda_ce = 1, d.kd_weight = 1, d.dkd_beta = 8;
    d.note = "paper: DKD baseline (mdistiller CE 1, alpha 1, beta 8, T 4)";
  } else if (method == "mlkd" || method == "mlkd+ls") {
    d.lr = mlkd_lr(teacher, student);
    d.lr_note = "paper: MLKD's LR for " + pair;
    d.epochs = shufflenet(student) ? 960 : 480;  // milestones stay 150/180/210
    d.epochs_note = std::string("paper: MLKD trains ") +
                    (shufflenet(student) ? "960 epochs for ShuffleNet students" : "480 epochs");
    if (method == "mlkd") {
      d.temperature = 4, d.lambda_ce = 0.1, d.kd_weight = 0.9;
      d.note = "paper: MLKD (mdistiller KD weights: T 4, CE 0.1, KD 0.9)";
    } else {
      const bool six = (teacher == "resnet32x4" && student == "ShuffleV2") ||
                       (teacher == "vgg13" && (student == "vgg8" || student == "MobileNetV2"));
      d.temperature = 2, d.lambda_ce = 0.1, d.kd_weight = six ? 6 : 9;
      d.note =
          std::string("paper: MLKD+LS (T 2, CE 0.1, KD ") + (six ? "6" : "9") + ") for " + pair;
    }
  } else if (method == "ctkd" || method == "ctkd+ls") {
    // The CTKD script: -r 0.1 -a 9 (with LS); the original CTKD's KD weight is 0.9. T is learned.
    d.temperature = 2, d.lambda_ce = 0.1, d.kd_weight = method == "ctkd" ? 0.9 : 9;
    d.note = method == "ctkd" ? "paper: CTKD (CE 0.1, KD 0.9, learned T)"
                              : "paper: CTKD+LS (CE 0.1, KD 9, learned T)";
  } else if (method == "dkd+ls") {
    // DKD+LS: alpha = kd_weight, beta = BETA x kd_weight, T = base temperature.
    d.temperature = 2, d.lambda_ce = 1, d.kd_weight = 9, d.dkd_beta = 8;
    d.note = "paper: DKD+LS defaults (no appendix A.2 row for " + pair + ")";
    auto it = dkd_ls_pairs().find({teacher, student});
    if (it != dkd_ls_pairs().end()) {
      std::tie(d.temperature, d.kd_weight, d.dkd_beta) = it->second;
      d.note = "paper: DKD+LS, appendix A.2 for " + pair;
    }
  }
  return d;
}

void use_loss_defaults(TrainConfig& c, const MethodDefaults& d) {
  c.temperature = d.temperature;
  c.lambda_ce = d.lambda_ce;
  c.kd_weight = d.kd_weight;
  c.dkd_beta = d.dkd_beta;
}

}  // namespace zkd::app
