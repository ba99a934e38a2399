// Run directory state and contents for sweeps (see run_dir.h).
#include "apps/sweep/run_dir.h"

#include <cstdint>
#include <filesystem>
#include <limits>

#include "apps/config/settings.h"
#include "apps/sweep/json_read.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"

namespace zkd::app::sweep {

namespace fs = std::filesystem;

const char* state_name(RunState s) {
  switch (s) {
    case RunState::NotStarted:
      return "waiting";
    case RunState::Partial:
      return "running";
    case RunState::Finished:
      return "finished";
    case RunState::Diverged:
      return "diverged";
  }
  return "?";
}

std::map<std::string, std::string> read_safetensors_metadata(const std::string& path) {
  // Regular files only; the size is not capped as only the header (at most 100 MiB) is read.
  InputFile in(path, "safetensors", kNoSizeCap);
  unsigned char len[8] = {};
  size_t got = 0;
  for (size_t k; got < 8 && (k = in.read_some(reinterpret_cast<char*>(len) + got, 8 - got));)
    got += k;
  ZKD_CHECK(got == 8, "safetensors '" + path + "'", "expected an 8-byte header length, got ", got,
            " bytes");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len[i];
  ZKD_CHECK(n > 0 && n < (100u << 20), "safetensors '" + path + "'",
            "expected a header length under 100 MiB, got ", n);
  std::string header(n, '\0');
  got = 0;
  for (size_t k; got < n && (k = in.read_some(header.data() + got, n - got));) got += k;
  ZKD_CHECK(got == n, "safetensors '" + path + "'", "expected ", n, " header bytes, got ", got);
  ojson j = parse_json(header, path + " header");
  ZKD_CHECK(j.is_object(), path + " header", "expected a JSON object, got ", j.type_name());
  std::map<std::string, std::string> out;
  auto meta = j.find("__metadata__");
  if (meta == j.end()) return out;
  ZKD_CHECK(meta->is_object(), path + ": __metadata__", "expected an object, got ",
            meta->type_name());
  for (const auto& [k, v] : meta->items()) out[k] = json_string(v, path + ": __metadata__: " + k);
  return out;
}

namespace {
int64_t meta_int(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  if (it == m.end()) return -1;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return -1;
  }
}
}  // namespace

RunState run_state(const std::string& dir, int64_t epochs) {
  if (fs::exists(dir + "/diverged.txt")) return RunState::Diverged;
  const std::string ckpt = dir + "/last.safetensors";
  if (!fs::exists(ckpt)) return RunState::NotStarted;
  auto meta = read_safetensors_metadata(ckpt);
  if (epochs <= 0 && meta.count("config"))
    epochs = TrainConfig::from_json(meta["config"], ckpt + " config").epochs;
  int64_t epoch = meta_int(meta, "epoch"), step = meta_int(meta, "step"),
          steps = meta_int(meta, "steps_per_epoch");
  bool complete = step >= 0 && steps >= 0 && step >= steps;
  return complete && epoch >= epochs ? RunState::Finished : RunState::Partial;
}

void mark_diverged(const std::string& dir, const std::string& message) {
  fs::create_directories(dir);
  write_file_atomic(dir + "/diverged.txt", message + "\n");
}

std::string diverged_message(const std::string& dir) {
  const std::string p = dir + "/diverged.txt";
  if (!fs::exists(p)) return "";
  std::string s = read_file(p, "sweep", 1u << 20);  // one message
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::optional<TrainConfig> read_run_config(const std::string& dir) {
  const std::string cfg = dir + "/config.toml", ckpt = dir + "/last.safetensors";
  if (fs::exists(ckpt)) {
    auto meta = read_safetensors_metadata(ckpt);
    if (meta.count("config")) return TrainConfig::from_json(meta["config"], ckpt + " config");
  }
  if (fs::exists(cfg)) return config_from_toml(cfg);
  return std::nullopt;
}

RunInfo read_run(const std::string& dir, const std::string& name,
                 const std::optional<TrainConfig>& config) {
  RunInfo r;
  r.name = name;
  r.dir = dir;
  std::optional<TrainConfig> c = config ? config : read_run_config(dir);
  ZKD_CHECK(c.has_value(), "sweep",
            "expected a run directory with a config (config.toml or "
            "last.safetensors), got '",
            dir, "'");
  r.config = *c;
  r.state = run_state(dir, r.config.epochs);
  r.error = diverged_message(dir);
  if (fs::exists(dir + "/log.jsonl")) {
    RunLog log(dir, plot_info(r.config));
    log.load_existing(std::numeric_limits<int64_t>::max());
    r.records = log.records();
  }
  return r;
}

}  // namespace zkd::app::sweep
