// e2e helpers (see e2e_util.h).
#include "tests/e2e/e2e_util.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "datasets/cifar100.h"
#include "engine/core/rng.h"

namespace zkd::e2e {

namespace fs = std::filesystem;

RunResult run(const std::vector<std::string>& argv, const std::string& interrupt_after_text,
              const std::string& cwd) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    dup2(pipefd[1], STDERR_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  RunResult r;
  bool sent = false;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) {
    r.output.append(buf, static_cast<size_t>(n));
    if (!sent && !interrupt_after_text.empty() &&
        r.output.find(interrupt_after_text) != std::string::npos) {
      kill(pid, SIGINT);
      sent = true;
    }
  }
  close(pipefd[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

std::string write_synthetic_cifar(const std::string& dir, int classes, int per_class,
                                  int test_per_class) {
  Generator g(1234);
  auto make = [&](int per) {
    data::ImageSet s = data::make_image_set(static_cast<int64_t>(classes) * per, true);
    uint8_t* px = s.images.data<uint8_t>();
    for (int c = 0; c < classes; ++c)
      for (int i = 0; i < per; ++i) {
        int64_t idx = static_cast<int64_t>(i) * classes + c;  // classes interleaved
        s.labels.data<int64_t>()[idx] = c;
        s.coarse_labels.data<int64_t>()[idx] = c % 20;
        uint8_t* img = px + idx * data::kImageBytes;
        for (int ch = 0; ch < 3; ++ch)
          for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
              // Class code: a colour per channel and a stripe period that depends on the class.
              int base = ((c >> ch) & 1) ? 170 : 60;
              int stripe = ((x / (2 + c % 4)) % 2) ? 40 : -40;
              int noise = static_cast<int>(g.uniform_int(61)) - 30;
              img[(ch * 32 + y) * 32 + x] =
                  static_cast<uint8_t>(std::clamp(base + stripe + noise, 0, 255));
            }
      }
    s.class_names.resize(100);
    s.coarse_names.resize(20);
    for (int k = 0; k < 100; ++k) s.class_names[k] = "class" + std::to_string(k);
    for (int k = 0; k < 20; ++k) s.coarse_names[k] = "coarse" + std::to_string(k);
    return s;
  };
  data::Cifar100 d{make(per_class), make(test_per_class)};
  data::write_cifar100(dir, d);
  return dir;
}

namespace {
// Removes this process's folders when the test program ends.
struct CleanUp : ::testing::Environment {
  void TearDown() override {
    std::string prefix = "zkd_e2e_" + std::to_string(getpid()) + "_";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(::testing::TempDir(), ec))
      if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path(), ec);
  }
};
const auto* g_cleanup = ::testing::AddGlobalTestEnvironment(new CleanUp);
}  // namespace

std::string fresh_dir(const std::string& name) {
  // Per process: ctest may run the tests in parallel, each in its own process.
  fs::path p =
      fs::path(::testing::TempDir()) / ("zkd_e2e_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

double json_number(const std::string& line, const std::string& key) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return NAN;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : NAN;
}

}  // namespace zkd::e2e
