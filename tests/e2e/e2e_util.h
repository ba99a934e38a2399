// Helpers of the end-to-end tests: run an app (capturing output and exit status, optionally
// interrupting it), a tiny learnable synthetic CIFAR-100-format data set, and log readers.
#pragma once
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

std::string fresh_dir(
    const std::string& name);  // an empty folder of this process under the temp dir
std::vector<std::string> read_lines(const std::string& path);
double json_number(const std::string& line, const std::string& key);  // NaN when absent

}  // namespace zkd::e2e
