// The method table: names parse back to the same method, unknown names are one error with a
// suggestion, and the rows say what the trainer relies on (teacher, strong view, own settings,
// the fused loss).
#include <gtest/gtest.h>

#include "apps/config/cli.h"
#include "apps/config/method.h"

namespace zkd::app {
namespace {

TEST(MethodTable, EveryNameParsesBackToItself) {
  const std::vector<std::string> names = method_names();
  EXPECT_EQ(names.size(), 9u);  // ce + 4 families x (plain, +ls)
  for (const std::string& n : names) EXPECT_EQ(Method::parse(n).name(), n);
  EXPECT_EQ(method_names(false).size(), 8u);
}

TEST(MethodTable, UnknownNamesAreOneErrorWithASuggestion) {
  try {
    Method::parse("dkd+lss");
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--method expects one of ce, kd, kd+ls"), std::string::npos) << what;
    EXPECT_NE(what.find("did you mean dkd+ls"), std::string::npos) << what;
  }
  EXPECT_THROW(Method::parse("ce+ls"), UsageError);  // CE has no LS variant
  EXPECT_THROW(Method::parse("KD"), UsageError);     // names are exact
}

TEST(MethodTable, RowsSayWhatTheTrainerNeeds) {
  EXPECT_FALSE(method_row(MethodFamily::CE).needs_teacher);
  for (MethodFamily f :
       {MethodFamily::KD, MethodFamily::DKD, MethodFamily::MLKD, MethodFamily::CTKD})
    EXPECT_TRUE(method_row(f).needs_teacher);
  EXPECT_TRUE(method_row(MethodFamily::MLKD).strong_view);
  EXPECT_FALSE(method_row(MethodFamily::KD).strong_view);
  EXPECT_EQ(kd_loss_method(Method::parse("kd")), KdMethod::KD);
  EXPECT_EQ(kd_loss_method(Method::parse("mlkd+ls")), KdMethod::KD_LS);
  EXPECT_EQ(kd_loss_method(Method::parse("ctkd+ls")), KdMethod::KD_LS);
  EXPECT_EQ(kd_loss_method(Method::parse("dkd")), KdMethod::DKD);
  EXPECT_EQ(kd_loss_method(Method::parse("dkd+ls")), KdMethod::DKD_LS);
}

TEST(MethodTable, MethodSettingsApplyToTheirFamilyOnly) {
  EXPECT_TRUE(setting_applies("dkd_beta", Method::parse("dkd+ls")));
  EXPECT_FALSE(setting_applies("dkd_beta", Method::parse("kd+ls")));
  EXPECT_TRUE(setting_applies("ctkd_t_start", Method::parse("ctkd")));
  EXPECT_FALSE(setting_applies("ctkd_t_end", Method::parse("mlkd")));
  EXPECT_TRUE(setting_applies("temperature", Method::parse("ce")));
  EXPECT_STREQ(setting_owner("dkd_warmup").name, "dkd");
}

}  // namespace
}  // namespace zkd::app
