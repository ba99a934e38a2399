// zkd-bench's output: one progress line per case as it finishes, the table at the end (what
// tests/gpu/summarize.py and docs/gpu-results.md read), and the same rows as JSON for --json
// (one object per row with the run's device, precision, layout, graph and zkd version, so rows of
// several runs and of the PyTorch twin can be merged; docs/gpu.md describes the fields).
#pragma once
#include <string>
#include <vector>

#include "apps/bench/cases.h"

namespace zkd::app::bench {

struct RunInfo {
  std::string device;     // "cpu", or gpu::describe()
  std::string precision;  // "fp32" (strict, or the CPU), "tf32"
  std::string layout = "NCHW";
  bool graph = false;   // whole-step CUDA graph
  std::string version;  // app::version(): "0.2.0 (git 5b233f3a1c)"
  std::string command;  // the command line
  Protocol protocol;
  int64_t threads = 0;
};

void print_progress(const Row& r);
void print_table(const RunInfo& info, const std::vector<Row>& rows);
std::string to_json(const RunInfo& info, const std::vector<Row>& rows);  // pretty-printed

}  // namespace zkd::app::bench
