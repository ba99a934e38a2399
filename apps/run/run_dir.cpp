// Run directories (see run_dir.h).
#include "apps/run/run_dir.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "apps/run/teacher_cache.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"

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

bool is_run_file(const std::string& name) {
  return name == "last.safetensors" || name == "best.safetensors" || name == "log.jsonl" ||
         name == "log.csv" || name == "curves.svg" || name == "curves.png";
}

namespace {
// Every file a run writes into its directory: is_run_file's and the two a run rewrites whenever it
// starts or resumes (what an output flag must never replace while the folder holds a run).
bool written_by_run(const std::string& name) {
  return is_run_file(name) || name == "config.toml" || name == "command.txt";
}

// Whether a and b name the same existing file, or the same path once made absolute.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec) && !ec;
  return fs::weakly_canonical(fs::absolute(a, ec), ec) ==
         fs::weakly_canonical(fs::absolute(b, ec), ec);
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

void prepare_fresh_run_dir(const TrainConfig& cfg, const std::vector<std::string>& inputs) {
  const std::string& out = cfg.out;
  ZKD_CHECK(!out.empty(), "out", "expected a run directory (--out DIR), got an empty path");
  std::error_code ec;
  fs::file_status st = fs::status(out, ec);
  if (fs::exists(st) && !fs::is_directory(st))
    ZKD_FAIL("out", "expected --out to name a directory, got the existing file '", out, "'");
  // An input where the run writes (--teacher RUN --out RUN): refused, with or without --overwrite.
  for (const std::string& in : inputs) {
    const fs::path p(in);
    if (in.empty() || !is_run_file(p.filename().string())) continue;
    const fs::path parent = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    ZKD_CHECK(!same_file(parent.string(), out), "out", "expected --out '", out,
              "' apart from the run's inputs, got one it would replace: '", in,
              "'; choose another --out");
  }
  for (const fs::path& p : files_in(out, is_run_file)) {
    const std::string kind = file_kind(p.string(), /*follow=*/false);
    ZKD_CHECK(kind == "a regular file", "out", "expected '", p.string(),
              "' to be a regular file the run may replace, got ", kind);
  }
  std::string have = run_files_in(out);
  if (!have.empty())
    ZKD_CHECK(cfg.overwrite, "out", "'", out, "' already holds a run (", have,
              "); continue it with --resume ", out,
              ", replace it with --overwrite, or choose "
              "another --out");
  fs::create_directories(out, ec);
  ZKD_CHECK(!ec && fs::is_directory(out), "out", "expected to create the run directory '", out,
            "', got: ", ec ? ec.message() : std::string("not a directory"));
  // A read-only directory shows here rather than at the end of the first epoch.
  const std::string probe = (fs::path(out) / ".zkd-write-test").string();
  try {
    write_file_atomic(probe, "");
  } catch (const Error& e) {
    ZKD_FAIL("out", "expected to write into '", out, "', got: ", e.what());
  }
  fs::remove(probe, ec);
}

void remove_old_run(const TrainConfig& cfg) {
  if (!cfg.overwrite) return;
  std::error_code ec;
  for (const fs::path& p : files_in(cfg.out, is_run_file)) {
    fs::remove(p, ec);
    ZKD_CHECK(!ec, "out", "expected to remove the old run's '", p.string(),
              "' (--overwrite), got: ", ec.message());
  }
}

void check_output_path(const std::string& path, const std::string& flag,
                       const std::vector<std::string>& inputs, const std::string& run_dir) {
  if (path.empty()) return;
  const std::string kind = file_kind(path, /*follow=*/false);
  ZKD_CHECK(kind == "a regular file" || kind == "no such file or directory", flag,
            "expected a new or regular file to write, got '", path, "' (", kind, ")");
  const fs::path p(path);
  ZKD_CHECK(p.extension() != ".safetensors", flag,
            "expected a path that is not a checkpoint, got '", path, "'");
  ZKD_CHECK(!is_teacher_cache_file(path), flag,
            "expected a path that is not a teacher-logit cache, got '", path, "'");
  const std::string parent = p.parent_path().empty() ? "." : p.parent_path().string();
  ZKD_CHECK(!written_by_run(p.filename().string()) ||
                (run_files_in(parent).empty() && (run_dir.empty() || !same_file(parent, run_dir))),
            flag, "expected a path outside the run files of '", parent, "', got '", path, "'");
  for (const std::string& in : inputs)
    ZKD_CHECK(in.empty() || !same_file(path, in), flag,
              "expected a path apart from the run's inputs, got '", path, "', which is '", in, "'");
}

std::vector<std::string> run_inputs(const TrainConfig& cfg, const std::string& config_file,
                                    const std::string& resume_dir) {
  std::vector<std::string> v;
  for (const std::string& s : {cfg.teacher_checkpoint, cfg.teacher_cache, cfg.data, config_file})
    if (!s.empty()) v.push_back(s);
  if (!resume_dir.empty()) v.push_back(resume_dir + "/last.safetensors");
  return v;
}

}  // namespace zkd::app
