// Run directories (see run_dir.h).
#include "apps/run/run_dir.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <vector>

#include "engine/core/error.h"

namespace zkd::app {

namespace fs = std::filesystem;

namespace {
std::string safe_name(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '+' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A file that marks a directory as holding a run.
bool marks_run(const std::string& name) {
  return name == "log.jsonl" || ends_with(name, ".safetensors");
}

// Every file a run writes into its directory (what --overwrite removes).
bool is_run_file(const std::string& name) {
  return marks_run(name) || name == "log.csv" || name == "curves.svg" || name == "curves.png";
}

std::vector<fs::path> files_in(const std::string& dir, bool (*keep)(const std::string&)) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (keep(e.path().filename().string())) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

std::string default_out_dir(const TrainConfig& c) {
  std::string name = c.method.name();
  if (c.distills()) name += "-" + c.teacher_model;
  name += "-" + c.model + "-seed" + std::to_string(c.seed);
  return "runs/" + safe_name(name);
}

std::string run_files_in(const std::string& dir) {
  std::string out;
  for (const fs::path& p : files_in(dir, marks_run))
    out += (out.empty() ? "" : ", ") + p.filename().string();
  return out;
}

void prepare_fresh_run_dir(const TrainConfig& cfg) {
  const std::string& out = cfg.out;
  ZKD_CHECK(!out.empty(), "out", "expected a run directory (--out DIR), got an empty path");
  std::error_code ec;
  fs::file_status st = fs::status(out, ec);
  if (fs::exists(st) && !fs::is_directory(st))
    ZKD_FAIL("out", "expected --out to name a directory, got the existing file '", out, "'");
  std::string have = run_files_in(out);
  if (!have.empty()) {
    ZKD_CHECK(cfg.overwrite, "out", "'", out, "' already holds a run (", have,
              "); continue it with --resume ", out,
              ", replace it with --overwrite, or choose "
              "another --out");
    for (const fs::path& p : files_in(out, is_run_file)) {
      fs::remove(p, ec);
      ZKD_CHECK(!ec, "out", "expected to remove the old run's '", p.string(),
                "' (--overwrite), got: ", ec.message());
    }
  }
  fs::create_directories(out, ec);
  ZKD_CHECK(!ec && fs::is_directory(out), "out", "expected to create the run directory '", out,
            "', got: ", ec ? ec.message() : std::string("not a directory"));
  // A read-only directory shows here rather than at the end of the first epoch.
  fs::path probe = fs::path(out) / ".zkd-write-test";
  {
    FILE* f = std::fopen(probe.c_str(), "wb");
    ZKD_CHECK(f != nullptr, "out", "expected to write into '", out,
              "', got: ", std::error_code(errno, std::generic_category()).message());
    std::fclose(f);
  }
  fs::remove(probe, ec);
}

}  // namespace zkd::app
