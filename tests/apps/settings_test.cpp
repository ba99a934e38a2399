// The settings schema's file forms: a run's config.toml reads back as the same configuration
// (every saved setting of every method), and bad files are one clear error naming the file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "apps/config/settings.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"

namespace zkd::app {
namespace {

namespace fs = std::filesystem;

std::string temp_file(const std::string& name) {
  return (fs::path(::testing::TempDir()) /
          ("zkd_settings_" + std::to_string(getpid()) + "_" + name))
      .string();
}

TEST(Settings, ConfigTomlReadsBackAsTheSameConfig) {
  for (const char* method : {"ce", "kd+ls", "dkd+ls", "mlkd", "ctkd+ls"}) {
    TrainConfig c = default_config(Method::parse(method).distills());
    c.method = Method::parse(method);
    c.temperature = 3.5, c.lambda_ce = 0.25, c.kd_weight = 6, c.dkd_beta = 2,
    c.dkd_warmup_epochs = 7;
    c.ctkd_t_start = 1.5, c.ctkd_t_end = 20, c.milestones = {3, 9},
    c.seed = 18446744073709551615ull;
    c.lr = 0.0123456789, c.data = "/data/with \"quote", c.out = "runs/x y";
    if (c.distills()) c.teacher_cache = "runs/t/teacher-logits 5c.bin";  // saved, distill only
    const std::string path = temp_file("config.toml");
    write_file_atomic(path, config_to_toml(c));
    TrainConfig back = config_from_toml(path);
    EXPECT_EQ(back.to_json(), c.to_json()) << method << "\n" << config_to_toml(c);
    fs::remove(path);
  }
}

TEST(Settings, BadConfigTomlIsOneErrorNamingTheFileAndKey) {
  const std::string path = temp_file("bad.toml");
  auto error_of = [&](const std::string& text) {
    write_file_atomic(path, text);
    try {
      config_from_toml(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("modle = \"resnet20\"\n").find("expected known settings, got 'modle'"),
            std::string::npos);
  EXPECT_NE(error_of("epochs = -3\n").find("--epochs expects an integer in [1, 100000], got '-3'"),
            std::string::npos);
  EXPECT_NE(error_of("lr = nan\n").find("--lr expects a finite number"), std::string::npos);
  EXPECT_NE(error_of("milestones = [1, x]\n").find("--milestones"), std::string::npos);
  EXPECT_NE(error_of("epochs = 3\n").find("no error"), std::string::npos);
  // Issue 25: sections and dotted keys were dropped, arrays and repeated keys kept the last value;
  // hexadecimal numbers were read.
  auto expect_error = [&](const std::string& text, const std::string& part) {
    const std::string e = error_of(text);
    EXPECT_NE(e.find(path + ": expected " + part), std::string::npos) << text << " -> " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
  };
  expect_error("[optimization]\nepochs = 3\n",
               "top-level settings (no [sections] or dotted keys), got the section [optimization]");
  expect_error("optimization.epochs = 3\n",
               "top-level settings (no [sections] or dotted keys), got the dotted key "
               "'optimization.epochs'");
  expect_error("epochs = [3, 4]\n",
               "one value for 'epochs', got 2 (an array, or the key repeated)");
  expect_error("epochs = 3\nepochs = 4\n", "one value for 'epochs', got 2");
  EXPECT_NE(error_of("lr = 0x10\n").find("--lr expects a finite number"), std::string::npos);
  EXPECT_NE(error_of("milestones = [3, 4]\n").find("no error"), std::string::npos) << "a list";
  // fuzz_settings' finding: a string setting with bytes that are not UTF-8 threw nlohmann's
  // exception from to_json (uncaught: std::terminate); now a zkd::Error.
  write_file_atomic(path, "data = \"\xff\"\n");
  const TrainConfig bad = config_from_toml(path);
  try {
    (void)bad.to_json();
    ADD_FAILURE() << "invalid UTF-8 was saved";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("config: expected settings in UTF-8"), std::string::npos)
        << e.what();
  }
  // A FIFO is refused, never waited on.
  fs::remove(path);
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  try {
    config_from_toml(path);
    ADD_FAILURE() << "a FIFO was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a FIFO"), std::string::npos) << e.what();
  }
  fs::remove(path);
  EXPECT_THROW(config_from_toml(path), Error) << "a missing file";
}

}  // namespace
}  // namespace zkd::app
