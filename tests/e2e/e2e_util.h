// Helpers of the end-to-end tests: run an app (capturing output and exit status, optionally
// interrupting it), a tiny learnable synthetic CIFAR-100-format data set, random teachers,
// zkd-distill's arguments for a tiny CPU run, and log readers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace zkd::e2e {

struct RunResult {
  int status = -1;     // exit code, or 128 + signal
  std::string output;  // stdout and stderr together
};

// Runs argv[0] with the arguments (in the folder cwd when given); with interrupt_after_text, sends
// SIGINT once that text appears in the output.
RunResult run(const std::vector<std::string>& argv, const std::string& interrupt_after_text = "",
              const std::string& cwd = "");

// Writes DIR/{train,test}.bin and the name files: `classes` classes whose images are a class-coded
// colour pattern plus noise (easy to learn), `per_class` train and `test_per_class` test images.
std::string write_synthetic_cifar(const std::string& dir, int classes, int per_class,
                                  int test_per_class);

// The tiny set of the distillation tests (written once per process): kTinyClasses classes,
// kTinyPerClass train and kTinyTestPerClass test images each.
constexpr int kTinyClasses = 5, kTinyPerClass = 3, kTinyTestPerClass = 2;
const std::string& tiny_data();

// A random `model` with kTinyClasses outputs (initialized from seed) saved as
// DIR/teacher.safetensors in a fresh DIR named after tag.
std::string random_teacher(const std::string& tag, uint64_t seed,
                           const std::string& model = "resnet20");

// zkd-distill of `method` from `teacher` into out: tiny_data() on the CPU, seed 4.
struct TinyDistill {
  std::string teacher_model = "resnet20", model = "resnet20";
  int epochs = 1, batch_size = 4;
};
std::vector<std::string> distill_args(const std::string& method, const std::string& teacher,
                                      const std::string& out, const TinyDistill& run = {});

std::string fresh_dir(
    const std::string& name);  // an empty folder of this process under the temp dir
std::vector<std::string> read_lines(const std::string& path);
double json_number(const std::string& line, const std::string& key);  // NaN when absent

}  // namespace zkd::e2e
