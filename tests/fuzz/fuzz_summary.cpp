// libFuzzer harness: a run directory as `zkd-sweep summarize` reads it (read_run, then summarize
// and the three summary texts; apps/sweep/run_dir.h, summary.h). The input's first byte says
// which files the directory holds (bit 0 config.toml, 1 log.jsonl, 2 diverged.txt, 3
// last.safetensors) and how many runs join it (bit 4: the same run with another seed, bit 5: with
// twice the LR, another grid point); the rest, split at the first three NULs, is the files' bytes
// in that order (the checkpoint last, so that it may hold NULs). The files are written to a
// temporary directory, so the readers' own file checks run too. A directory must either give a
// zkd::Error or a summary with one row per run, its epochs as its log's, and summary.json that
// parses back.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "apps/sweep/summary.h"
#include "engine/core/error.h"
#include "engine/io/json_limits.h"

namespace {
namespace fs = std::filesystem;

const std::string& run_dir() {  // made once, removed at exit (never freed: atexit runs late)
  static const std::string* dir = [] {
    std::string t = fs::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    t += "/zkd-fuzz-XXXXXX";
    if (!mkdtemp(t.data())) __builtin_trap();
    std::atexit([] { fs::remove_all(run_dir()); });
    return new std::string(t);
  }();
  return *dir;
}

void put(const std::string& path, bool present, const std::string& bytes) {
  fs::remove(path);
  if (!present) return;
  std::ofstream(path, std::ios::binary) << bytes;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zkd::app;
  using namespace zkd::app::sweep;
  if (size == 0) return 0;
  const unsigned flags = data[0];
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string parts[4];
  for (int i = 0; i < 3; ++i) {
    const size_t nul = rest.find('\0');
    parts[i] = rest.substr(0, nul);
    rest = nul == std::string::npos ? "" : rest.substr(nul + 1);
  }
  parts[3] = rest;
  const char* names[4] = {"config.toml", "log.jsonl", "diverged.txt", "last.safetensors"};
  const std::string& dir = run_dir();
  for (int i = 0; i < 4; ++i) put(dir + "/" + names[i], flags & (1u << i), parts[i]);
  std::vector<RunInfo> runs;
  try {
    runs.push_back(read_run(dir, "fuzz"));
  } catch (const zkd::Error&) {
    return 0;
  }
  if (flags & 16) {  // another seed: the same grid point
    runs.push_back(runs[0]);
    runs.back().config.seed += 1;
    runs.back().name = "fuzz-seed";
  }
  if (flags & 32) {  // another LR: another grid point
    runs.push_back(runs[0]);
    runs.back().config.lr *= 2;
    runs.back().name = "fuzz-lr";
  }
  try {
    const Summary s = summarize("fuzz", runs);
    if (s.members.size() != runs.size() || s.curves.size() != runs.size()) __builtin_trap();
    for (size_t i = 0; i < runs.size(); ++i)
      if (s.members[i].epochs_done != static_cast<int64_t>(runs[i].records.size()))
        __builtin_trap();
    (void)summary_markdown(s);
    (void)summary_svg(s);
    (void)zkd::parse_json_limited<nlohmann::json>(summary_json(s), "summary.json", 1u << 30);
  } catch (const zkd::Error&) {
    __builtin_trap();  // what read_run accepted must summarize
  }
  return 0;
}
