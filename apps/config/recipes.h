// The official recipes: the paper's (and, for the methods it compares with, their authors')
// default settings for a method and teacher -> student pair: temperature and loss weights, base
// LR, epochs and CTKD's temperature range. One table of rows in recipes.cpp, each naming the
// official config file, script or paper table it comes from (docs/distillers.md, "Recipes");
// tests/recipes checks the rows against a transcription of those files.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apps/config/method.h"

namespace zkd::app {

struct TrainConfig;

// One row: the values it sets (unset: taken from a less specific row) for the runs it covers.
struct Recipe {
  std::vector<Method> methods;            // the methods it covers
  std::string teacher, student;           // "" = any
  std::vector<std::string> students_any;  // or: any of these students ({} = see `student`)
  std::optional<double> temperature, lambda_ce, kd_weight, dkd_beta, lr, ctkd_t_start, ctkd_t_end;
  std::optional<int64_t> epochs;
  std::string
      note;  // where a value comes from, as printed: "paper: KD+LS, appendix A.1 for {pair}"
  std::string source;  // the official file or table it transcribes (abbreviations: recipes.cpp)
};

// Every row, most general first (a method's base row, then student families, then pairs).
const std::vector<Recipe>& recipes();

// The resolved defaults for a run: every value with the note of the row that set it.
struct MethodDefaults {
  double temperature = 2, lambda_ce = 0.1, kd_weight = 9, dkd_beta = 8, lr = 0.05;
  double ctkd_t_start = 2, ctkd_t_end = 30;
  int64_t epochs = 240;
  std::string note;         // e.g. "paper: KD+LS, appendix A.1 for resnet32x4 -> resnet8x4"
  std::string lr_note;      // e.g. "paper: LR 0.05 for ResNet / WRN / VGG students"
  std::string epochs_note;  // e.g. "paper: MLKD trains 480 epochs"
};
MethodDefaults paper_defaults(const Method& method, const std::string& teacher,
                              const std::string& student);
// Sets c's loss settings (temperature, lambda_ce, kd_weight, dkd_beta, CTKD's range) to d's.
void use_loss_defaults(TrainConfig& c, const MethodDefaults& d);

}  // namespace zkd::app
