// Every recipe default against the official configs: each row of official_recipes.tsv (method,
// teacher, student, key, value, the file it was read in) must equal what paper_defaults gives
// for that method and pair, so a default that drifts from its source fails here by name.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "apps/config/recipes.h"

namespace zkd::app {
namespace {

struct Row {
  std::string method, teacher, student, key, value, source;
  int line = 0;
};

std::vector<Row> official_rows() {
  std::ifstream in(ZKD_OFFICIAL_RECIPES);
  EXPECT_TRUE(in.good()) << "cannot read " << ZKD_OFFICIAL_RECIPES;
  std::vector<Row> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#' || line.rfind("method\t", 0) == 0) continue;
    std::stringstream ss(line);
    Row r;
    r.line = n;
    std::getline(ss, r.method, '\t');
    std::getline(ss, r.teacher, '\t');
    std::getline(ss, r.student, '\t');
    std::getline(ss, r.key, '\t');
    std::getline(ss, r.value, '\t');
    std::getline(ss, r.source, '\t');
    EXPECT_FALSE(r.source.empty()) << "line " << n << " names no source";
    rows.push_back(r);
  }
  return rows;
}

double value_of(const MethodDefaults& d, const std::string& key) {
  if (key == "temperature") return d.temperature;
  if (key == "lambda_ce") return d.lambda_ce;
  if (key == "kd_weight") return d.kd_weight;
  if (key == "dkd_beta") return d.dkd_beta;
  if (key == "lr") return d.lr;
  if (key == "epochs") return static_cast<double>(d.epochs);
  if (key == "ctkd_t_start") return d.ctkd_t_start;
  if (key == "ctkd_t_end") return d.ctkd_t_end;
  ADD_FAILURE() << "unknown key " << key;
  return 0;
}

TEST(Recipes, EveryDefaultEqualsTheTranscribedOfficialValue) {
  const std::vector<Row> rows = official_rows();
  ASSERT_GE(rows.size(), 300u);  // the transcription is all there
  int checked = 0;
  for (const Row& r : rows) {
    const MethodDefaults d = paper_defaults(Method::parse(r.method), r.teacher, r.student);
    EXPECT_DOUBLE_EQ(value_of(d, r.key), std::stod(r.value))
        << r.method << " " << r.teacher << " -> " << r.student << ": " << r.key << " (line "
        << r.line << ", " << r.source << ")";
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(rows.size()));
}

TEST(Recipes, EveryMethodAndKeyIsCovered) {
  // Each method's loss settings and schedule are checked against some official file.
  std::set<std::string> seen;
  for (const Row& r : official_rows()) seen.insert(r.method + " " + r.key);
  for (const char* want :
       {"kd temperature",   "kd kd_weight",      "kd lambda_ce",      "kd lr",
        "kd epochs",        "kd+ls temperature", "kd+ls kd_weight",   "kd+ls lr",
        "dkd temperature",  "dkd dkd_beta",      "dkd lambda_ce",     "dkd+ls temperature",
        "dkd+ls kd_weight", "mlkd lr",           "mlkd epochs",       "mlkd kd_weight",
        "mlkd+ls lr",       "mlkd+ls epochs",    "mlkd+ls kd_weight", "ctkd ctkd_t_start",
        "ctkd ctkd_t_end",  "ctkd kd_weight",    "ctkd+ls kd_weight", "ctkd+ls lambda_ce"})
    EXPECT_TRUE(seen.count(want)) << want << " has no transcribed official value";
}

TEST(Recipes, EveryRowNamesItsSource) {
  for (const Recipe& r : recipes()) {
    EXPECT_FALSE(r.source.empty()) << r.note;
    EXPECT_FALSE(r.methods.empty()) << r.note;
  }
}

}  // namespace
}  // namespace zkd::app
