// A run directory's state as the sweep reads it: from the checkpoint's header metadata (finished,
// partly trained), diverged.txt, or nothing; the stored config; a broken header, or metadata that
// is not an object of strings, is an error naming the file and the key.
#include <gtest/gtest.h>

#include <filesystem>

#include "apps/sweep/run_dir.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/safetensors.h"

namespace zkd::app::sweep {
namespace {

void checkpoint(const std::string& dir, int epoch, int step, int steps, int epochs) {
  TrainConfig c;
  c.epochs = epochs;
  c.temperature = 3;
  std::filesystem::create_directories(dir);
  save_safetensors(dir + "/last.safetensors", {{"w", full({2, 3}, 1.5)}},
                   {{"epoch", std::to_string(epoch)},
                    {"step", std::to_string(step)},
                    {"steps_per_epoch", std::to_string(steps)},
                    {"config", c.to_json()}});
}

TEST(SweepRunDir, StateFromTheCheckpointHeader) {
  std::string dir = (std::filesystem::temp_directory_path() / "zkd_sweep_run_dir_test").string();
  std::filesystem::remove_all(dir);
  EXPECT_EQ(run_state(dir), RunState::NotStarted);
  checkpoint(dir, 2, 5, 5, 2);
  EXPECT_EQ(run_state(dir), RunState::Finished) << "epochs from the stored config";
  EXPECT_EQ(run_state(dir, 3), RunState::Partial) << "a longer run";
  checkpoint(dir, 2, 3, 5, 2);
  EXPECT_EQ(run_state(dir), RunState::Partial) << "mid-epoch";
  EXPECT_EQ(read_safetensors_metadata(dir + "/last.safetensors").at("step"), "3");
  std::optional<TrainConfig> c = read_run_config(dir);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->temperature, 3.0);
  mark_diverged(dir, "train: expected a finite loss, got nan");
  EXPECT_EQ(run_state(dir), RunState::Diverged);
  EXPECT_EQ(diverged_message(dir), "train: expected a finite loss, got nan");
  write_file_atomic(dir + "/last.safetensors", std::string("\x10\0\0\0\0\0\0\0{\"a\":", 13));
  EXPECT_THROW(read_safetensors_metadata(dir + "/last.safetensors"), Error) << "truncated header";
  for (const auto& [header, words] : std::vector<std::pair<std::string, std::string>>{
           {"{\"__metadata__\":{\"epoch\":3}}",
            "__metadata__: epoch: expected a string, got number"},
           {"{\"__metadata__\":[]}", "__metadata__: expected an object, got array"},
           {"[1,2,3]", "header: expected a JSON object, got array"}}) {
    std::string len(8, '\0');
    len[0] = static_cast<char>(header.size());
    write_file_atomic(dir + "/last.safetensors", len + header);
    try {
      read_safetensors_metadata(dir + "/last.safetensors");
      ADD_FAILURE() << header << " was read";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(dir + "/last.safetensors"), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(read_run_config(dir + "/none").has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace zkd::app::sweep
