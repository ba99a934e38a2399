// The settings schema's file forms: a run's config.toml reads back as the same configuration
// (every saved setting of every method), and bad files are one clear error naming the file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "apps/config/cli.h"
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
  expect_error("epochs = 3\nepochs = 4\n", "each setting once, got 'epochs' on lines 1 and 2");
  // A list key repeated: CLI11 joined the values of consecutive repeats ([1, 2] then [3] read as
  // [1, 2, 3]) and kept the first of others; refused either way.
  expect_error("milestones = [1, 2]\nmilestones = [3]\n",
               "each setting once, got 'milestones' on lines 1 and 2 (a list is one array");
  expect_error("milestones = [1, 2]\nepochs = 5\n  milestones=[3]\n",
               "each setting once, got 'milestones' on lines 1 and 3");
  EXPECT_NE(error_of("# milestones = [9]\nmilestones = [3, 4]\n  epochs = 5\n").find("no error"),
            std::string::npos)
      << "a commented-out key is not a repeat";
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

// --config is read once by the caller (read_file: regular files only) and applied from memory:
// CLI11 never opens the path (a missing path parses), the command line wins, and the sources
// name the file.
TEST(Settings, ConfigTextIsAppliedFromMemoryAndTheCommandLineWins) {
  auto app = make_app("test", "");
  TrainConfig c = default_config(false);
  add_setting_options(*app, false, c);
  std::vector<std::string> args = {"zkd-train", "--config", "/no/such/settings.toml", "--lr",
                                   "0.2"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  parse(*app, static_cast<int>(argv.size()), argv.data());
  apply_config_text(*app, "epochs = 3\nlr = 0.5\nmilestones = [1, 2]\noverwrite = true\n");
  const Sources src = read_setting_options(*app, false, c);
  EXPECT_EQ(c.epochs, 3);
  EXPECT_EQ(c.lr, 0.2) << "the command line wins";
  EXPECT_EQ(c.milestones, (std::vector<int>{1, 2}));
  EXPECT_TRUE(c.overwrite);
  EXPECT_EQ(src.at("epochs"), "config file /no/such/settings.toml");
  EXPECT_EQ(src.at("lr"), "command line");
  auto usage_of = [&](const std::string& text) {
    auto a2 = make_app("test", "");
    TrainConfig c2 = default_config(false);
    add_setting_options(*a2, false, c2);
    std::vector<char*> one = {argv[0]};
    parse(*a2, 1, one.data());
    try {
      apply_config_text(*a2, text);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(usage_of("epohcs = 3\n"),
            "unknown setting 'epohcs' in the config file (did you mean epochs?)");
  EXPECT_EQ(usage_of("temperature = 3\n").rfind("unknown setting 'temperature'", 0), 0u)
      << "zkd-train has no distillation settings";
  EXPECT_EQ(usage_of("resume = \"runs/x\"\n").rfind("unknown setting 'resume'", 0), 0u);
  EXPECT_EQ(usage_of("milestones = [1]\nmilestones = [2]\n"),
            "--config: expected each setting once, got 'milestones' on lines 1 and 2 (a list is "
            "one array: milestones = [a, b])");
}

}  // namespace
}  // namespace zkd::app
