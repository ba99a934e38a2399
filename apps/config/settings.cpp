// The settings schema and its readers and writers (see settings.h).
#include "apps/config/settings.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>
#include <sstream>

#include "apps/config/cli.h"
#include "apps/config/recipes.h"
#include "apps/config/version.h"
#include "engine/core/cpu_settings.h"
#include "engine/core/device.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/json_limits.h"
#include "engine/io/safetensors.h"
#include "nets/registry.h"

namespace zkd::app {

namespace fs = std::filesystem;
using json = nlohmann::json;
using C = TrainConfig;

std::string Setting::flag() const {
  std::string f = "--" + key;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string num_text(double v) {  // the shortest text that reads back as v
  char b[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(b, sizeof b, "%.0f", v);
    return b;
  }
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(b, sizeof b, "%.*g", p, v);
    if (std::strtod(b, nullptr) == v) break;
  }
  return b;
}

std::string toml_string(const std::string& s) {
  return s.find('"') == std::string::npos ? "\"" + s + "\"" : "'" + s + "'";
}

[[noreturn]] void bad_json(const std::string& origin, const std::string& key,
                           const std::string& expected, const json& got) {
  ZKD_FAIL(origin, "expected '", key, "' as ", expected, ", got ", json_brief(got));
}

Setting base(const char* key, const char* group, const char* placeholder, const std::string& help) {
  Setting s;
  s.key = key;
  s.group = group;
  s.placeholder = placeholder;
  s.help = help;
  return s;
}

Setting integer(const char* key, int64_t C::*m, int64_t lo, int64_t hi, const char* group,
                const char* placeholder, const std::string& help) {
  Setting s = base(key, group, placeholder, help);
  s.range = std::to_string(lo) + " to " + std::to_string(hi);
  std::string flag = s.flag();
  s.toml = [m](const C& c) { return std::to_string(c.*m); };
  s.read_text = [m, lo, hi, flag](C& c, const std::vector<std::string>& v) {
    c.*m = parse_int(v.back(), lo, hi, flag);
  };
  s.to_json = [m](const C& c) { return json(c.*m); };
  s.read_json = [m, lo, hi, key](C& c, const json& j, const std::string& origin) {
    bool ok = j.is_number_integer() &&
              !(j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(hi));
    if (!ok || j.get<int64_t>() < lo || j.get<int64_t>() > hi)
      bad_json(origin, key, int_range_text(lo, hi), j);
    c.*m = j.get<int64_t>();
  };
  return s;
}

Setting unsigned64(const char* key, uint64_t C::*m, const char* group, const char* placeholder,
                   const std::string& help) {
  Setting s = base(key, group, placeholder, help);
  s.range = "0 to 2^64-1";
  std::string flag = s.flag();
  s.toml = [m](const C& c) { return std::to_string(c.*m); };
  s.read_text = [m, flag](C& c, const std::vector<std::string>& v) {
    c.*m = parse_uint64(v.back(), flag);
  };
  s.to_json = [m](const C& c) { return json(c.*m); };
  s.read_json = [m, key](C& c, const json& j, const std::string& origin) {
    if (j.is_number_unsigned()) {
      c.*m = j.get<uint64_t>();
    } else if (j.is_string()) {  // written as a string by zkd before 0.2
      try {
        c.*m = parse_uint64(j.get<std::string>(), key);
      } catch (const UsageError&) {
        bad_json(origin, key, "an integer in [0, 2^64 - 1]", j);
      }
    } else {
      bad_json(origin, key, "an integer in [0, 2^64 - 1]", j);
    }
  };
  return s;
}

Setting real(const char* key, double C::*m, double lo, double hi, bool lo_open, const char* group,
             const std::string& help) {
  Setting s = base(key, group, "FLOAT", help);
  s.range = (lo_open ? "> " : ">= ") + num_text(lo) + (hi < kInf ? ", <= " + num_text(hi) : "");
  std::string flag = s.flag();
  s.toml = [m](const C& c) { return num_text(c.*m); };
  s.read_text = [m, lo, hi, lo_open, flag](C& c, const std::vector<std::string>& v) {
    c.*m = parse_double(v.back(), lo, hi, lo_open, flag);
  };
  s.to_json = [m](const C& c) { return json(c.*m); };
  s.read_json = [m, lo, hi, lo_open, key](C& c, const json& j, const std::string& origin) {
    double v = j.is_number() ? j.get<double>() : NAN;
    if (!std::isfinite(v) || (lo_open ? v <= lo : v < lo) || v > hi)
      bad_json(origin, key, double_range_text(lo, hi, lo_open), j);
    c.*m = v;
  };
  return s;
}

// A string; `check` returns the canonical value or throws UsageError (no check: any text).
// Text that config.toml can hold and read back: no control characters (a NUL, a line break) and
// not both kinds of quote (toml_string quotes with the one that is absent); else a UsageError.
std::string plain_text(const std::string& v, const std::string& what) {
  for (unsigned char ch : v)
    if (ch < 0x20 || ch == 0x7f)
      throw UsageError(what + " expects text without control characters, got one (code " +
                       std::to_string(static_cast<int>(ch)) + ")");
  if (v.find('"') != std::string::npos && v.find('\'') != std::string::npos)
    throw UsageError(what + " expects text with at most one kind of quote (' or \"), got both");
  return v;
}

Setting text(const char* key, std::string C::*m, const char* group, const char* placeholder,
             const std::string& help,
             std::function<std::string(const std::string&, const std::string&)> check = {}) {
  Setting s = base(key, group, placeholder, help);
  std::string flag = s.flag();
  s.toml = [m](const C& c) { return toml_string(c.*m); };
  s.read_text = [m, flag, check](C& c, const std::vector<std::string>& v) {
    const std::string t = plain_text(v.back(), flag);
    c.*m = check ? check(t, flag) : t;
  };
  s.to_json = [m](const C& c) { return json(c.*m); };
  s.read_json = [m, key, check](C& c, const json& j, const std::string& origin) {
    if (!j.is_string()) bad_json(origin, key, "a string", j);
    try {
      const std::string t = plain_text(j.get<std::string>(), key);
      c.*m = check ? check(t, key) : t;
    } catch (const UsageError& e) {
      ZKD_FAIL(origin, e.what());
    }
  };
  return s;
}

Setting int_list(const char* key, std::vector<int> C::*m, int lo, int hi, const char* group,
                 const char* placeholder, const std::string& help) {
  Setting s = base(key, group, placeholder, help);
  s.range = "each " + std::to_string(lo) + " to " + std::to_string(hi);
  s.is_list = true;
  std::string flag = s.flag();
  s.toml = [m](const C& c) {
    std::string out = "[";
    for (size_t i = 0; i < (c.*m).size(); ++i) out += (i ? ", " : "") + std::to_string((c.*m)[i]);
    return out + "]";
  };
  s.read_text = [m, lo, hi, flag](C& c, const std::vector<std::string>& v) {
    std::vector<int> out;
    for (const std::string& item : v) {
      std::stringstream ss(item);
      for (std::string x; std::getline(ss, x, ',');)
        if (!x.empty() || v.size() > 1) out.push_back(static_cast<int>(parse_int(x, lo, hi, flag)));
    }
    c.*m = out;
  };
  s.to_json = [m](const C& c) { return json(c.*m); };
  s.read_json = [m, lo, hi, key](C& c, const json& j, const std::string& origin) {
    std::string expected =
        "a list of integers in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (!j.is_array()) bad_json(origin, key, expected, j);
    std::vector<int> out;
    for (const json& x : j) {
      if (!x.is_number_integer() || x.get<int64_t>() < lo || x.get<int64_t>() > hi ||
          (x.is_number_unsigned() && x.get<uint64_t>() > static_cast<uint64_t>(hi)))
        bad_json(origin, key, expected, j);
      out.push_back(static_cast<int>(x.get<int64_t>()));
    }
    c.*m = out;
  };
  return s;
}

// A bool flag (--key, or key = true in a config file); never saved with the run.
Setting flag(const char* key, bool C::*m, const char* group, const std::string& help) {
  Setting s = base(key, group, "", help);
  s.is_flag = true;
  s.saved = false;
  std::string f = s.flag();
  s.toml = [m](const C& c) { return std::string(c.*m ? "true" : "false"); };
  s.read_text = [m, f](C& c, const std::vector<std::string>& v) {
    const std::string& x = v.back();
    if (x.empty() || x == "true" || x == "1" || x == "on" || x == "yes")
      c.*m = true;
    else if (x == "false" || x == "0" || x == "off" || x == "no" || x == "-1")
      c.*m = false;
    else
      throw UsageError(f + " expects true or false, got '" + x + "'");
  };
  s.to_json = [m](const C& c) { return json(c.*m); };
  s.read_json = [m, key](C& c, const json& j, const std::string& origin) {
    if (!j.is_boolean()) bad_json(origin, key, "true or false", j);
    c.*m = j.get<bool>();
  };
  return s;
}

std::function<std::string(const std::string&, const std::string&)> one_of(
    std::vector<std::string> choices) {
  return [choices](const std::string& v, const std::string& what) {
    if (std::find(choices.begin(), choices.end(), v) != choices.end()) return v;
    std::string list;
    for (const std::string& c : choices) list += (list.empty() ? "" : ", ") + c;
    throw UsageError(what + " expects one of " + list + ", got '" + v + "'" +
                     did_you_mean(v, choices));
  };
}

std::string check_model(const std::string& v, const std::string& what) {
  return canonical_model(v, what);
}

std::string check_device(const std::string& v, const std::string& what) {
  if (v == "auto") return v;
  try {
    parse_device(v);
  } catch (const Error&) {
    throw UsageError(what + " expects auto, cpu, cuda or cuda:N, got '" + v + "'");
  }
  return v;
}

// The method: its name in config files and JSON, parsed by the method table (method.h).
Setting method_setting() {
  std::string names;
  for (const std::string& n : method_names(false)) names += (names.empty() ? "" : " | ") + n;
  Setting s = base("method", "distillation", "METHOD", names + " (+ls: logit standardization)");
  s.toml = [](const C& c) { return toml_string(c.method.name()); };
  s.read_text = [](C& c, const std::vector<std::string>& v) {
    c.method = Method::parse(v.back(), "--method");
  };
  s.to_json = [](const C& c) { return json(c.method.name()); };
  s.read_json = [](C& c, const json& j, const std::string& origin) {
    if (!j.is_string()) bad_json(origin, "method", "a string", j);
    try {
      c.method = Method::parse(j.get<std::string>(), "method");
    } catch (const UsageError& e) {
      ZKD_FAIL(origin, e.what());
    }
  };
  return s;
}

// Row attributes, set inside the table: paper(s) = the paper's value unless given, ...
Setting paper(Setting s) {
  s.paper = true;
  return s;
}
Setting resumable(Setting s) {
  s.resumable = true;
  return s;
}
Setting not_saved(Setting s) {
  s.saved = false;
  return s;
}
Setting default_text(Setting s, std::string text) {
  s.default_text = std::move(text);
  return s;
}

std::vector<Setting> make_settings() {
  constexpr int64_t kMaxEpochs = 100000;
  std::vector<Setting> s = {
      // model
      text("model", &C::model, "model", "NAME",
           "the model (the student when distilling; see --list-models)", check_model),
      // distillation
      method_setting(),
      text("teacher", &C::teacher_checkpoint, "distillation", "PATH",
           "the teacher: a zkd-train run directory (its last epoch, as the paper) or a checkpoint "
           "file (required)"),
      not_saved(text("teacher_pick", &C::teacher_pick, "distillation", "PICK",
                     "which checkpoint of a --teacher run directory: last | best",
                     one_of({"last", "best"}))),
      text("teacher_model", &C::teacher_model, "distillation", "NAME", "the teacher's model",
           check_model),
      text("teacher_cache", &C::teacher_cache, "distillation", "FILE|auto",
           "the teacher's logits for every image, crop and flip (zkd-data teacher-logits): "
           "looked up instead of running the teacher; auto: the file beside the teacher's "
           "checkpoint, built there when missing (docs/teacher-cache.md)"),
      paper(real("temperature", &C::temperature, 0, 1000, true, "distillation", "temperature T")),
      paper(
          real("lambda_ce", &C::lambda_ce, 0, kInf, false, "distillation", "cross-entropy weight")),
      paper(real("kd_weight", &C::kd_weight, 0, kInf, false, "distillation",
                 "KD: lambda_KD; DKD: alpha = kd_weight, beta = dkd_beta x kd_weight")),
      paper(real("dkd_beta", &C::dkd_beta, 0, kInf, false, "distillation",
                 "DKD only: BETA, beta = BETA x kd_weight")),
      integer("dkd_warmup", &C::dkd_warmup_epochs, 1, kMaxEpochs, "distillation", "EPOCHS",
              "DKD only: loss warm-up factor min(epoch / N, 1)"),
      paper(real("ctkd_t_start", &C::ctkd_t_start, 0, 1000, true, "distillation",
                 "CTKD only: learned T = t_start + t_end x sigmoid(g) (docs/distillers.md)")),
      paper(real("ctkd_t_end", &C::ctkd_t_end, 0, 1000, false, "distillation",
                 "CTKD only: see --ctkd-t-start")),
      // optimization
      default_text(resumable(paper(integer("epochs", &C::epochs, 1, kMaxEpochs, "optimization",
                                           "EPOCHS", "training epochs"))),
                   "the paper's: 240; MLKD 480, 960 for resnet32x4 -> ShuffleNet"),
      integer("batch_size", &C::batch_size, 1, 65536, "optimization", "N",
              "batch size (the last partial batch is kept)"),
      default_text(
          paper(real("lr", &C::lr, 0, 1000, true, "optimization", "base learning rate")),
          "the paper's: 0.01 for MobileNetV2 / ShuffleNet students, else 0.05; MLKD its own"),
      real("momentum", &C::momentum, 0, 1, false, "optimization", "SGD momentum"),
      real("weight_decay", &C::weight_decay, 0, 1, false, "optimization",
           "SGD weight decay (all parameters)"),
      text("schedule", &C::schedule, "optimization", "NAME",
           "multistep (x gamma once the epoch is > each milestone) | cosine",
           one_of({"multistep", "cosine"})),
      int_list("milestones", &C::milestones, 1, kMaxEpochs, "optimization", "E1,E2,...",
               "multistep milestones"),
      real("gamma", &C::gamma, 0, kInf, true, "optimization", "multistep factor"),
      unsigned64("seed", &C::seed, "optimization", "SEED",
                 "seed of initialization, shuffling and augmentation"),
      // data
      resumable(text("data", &C::data, "data", "PATH",
                     "CIFAR-100 folder, tarball, or a data dir holding cifar-100-binary (default "
                     "$ZKD_DATA or ./data)")),
      integer("num_classes", &C::num_classes, 2, 100, "data", "N",
              "the first N classes of CIFAR-100 only"),
      integer("train_per_class", &C::train_per_class, 0, 1000000, "data", "N",
              "the first N training images of each class (0 = all)"),
      integer("test_per_class", &C::test_per_class, 0, 1000000, "data", "N",
              "the first N test images of each class (0 = all)"),
      // output
      default_text(text("out", &C::out, "output", "DIR", "run directory"),
                   "runs/<method>-[<teacher>-]<model>-seed<N>"),
      resumable(integer("log_every", &C::log_every, 1, 1000000000, "output", "STEPS",
                        "steps between progress lines (each waits for the device)")),
      resumable(text("dump_batch", &C::dump_batch, "output", "PNG",
                     "write the run's first (augmented) training batch as a PNG grid")),
      flag("overwrite", &C::overwrite, "output",
           "replace the run already in --out (its log, curves and checkpoints)"),
      // device
      resumable(text("device", &C::device, "device", "DEVICE", "auto | cpu | cuda | cuda:N",
                     check_device)),
      // Saved (config.toml, the checkpoint's JSON) and resumable: checkpoints hold the float32
      // master weights whatever the precision, so a bf16 run may continue in fp32 and back
      // (docs/precision.md; the continued run is then exact only in its saved precision).
      resumable(text("precision", &C::precision, "device", "NAME",
                     "compute precision: fp32 | bf16 (convolutions and linear layers in bfloat16, "
                     "the rest float32; docs/precision.md)",
                     one_of({"fp32", "bf16"}))),
      default_text(
          not_saved(integer(
              "threads", &C::threads, 0, kMaxThreads, "device", "N",
              "CPU threads of the CPU backend: oneDNN, OpenBLAS and zkd's loops (0 = all cores)")),
          "0, all " + std::to_string(cpu_cores()) + " cores here"),
  };
  for (Setting& x : s) x.distill_only = x.group == "distillation";
  return s;
}

bool is_dkd(const C& c) {
  return c.method.family == MethodFamily::DKD;
}

// A settings file is flat: CLI11 reads [sections] and dotted keys as parents (the settings were
// then dropped) and several values for one setting (an array, or the key repeated: CLI11 merges
// them) as one item with several inputs (the last one won). Each is refused with one line.
void check_toml_items(const std::vector<CLI::ConfigItem>& items, const std::string& origin) {
  for (const CLI::ConfigItem& item : items) {
    if (!item.parents.empty() || item.name == "++" || item.name == "--") {
      const std::string what =
          item.name == "++" || item.name == "--"
              ? "the section [" +
                    brief_text(item.fullname().substr(0, item.fullname().size() - 3)) + "]"
              : "the dotted key '" + brief_text(item.fullname()) + "'";
      throw UsageError(origin +
                       ": expected top-level settings (no [sections] or dotted keys), got " + what);
    }
    auto s = std::find_if(settings().begin(), settings().end(),
                          [&](const Setting& x) { return x.key == item.name; });
    if (s != settings().end() && !s->is_list && item.inputs.size() > 1)
      throw UsageError(origin + ": expected one value for '" + item.name + "', got " +
                       std::to_string(item.inputs.size()) + " (an array, or the key repeated)");
  }
}

// A key given twice: CLI11 merges the values of a repeated key that follows itself (milestones
// = [1, 2] then milestones = [3] read as [1, 2, 3]) and keeps the first of one that does not, so
// the items cannot tell; the text's key lines can: a bare key, then '=' (comments skipped).
void check_repeated_keys(const std::string& text, const std::string& origin) {
  std::map<std::string, int> first_line;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    size_t e = b;
    while (e < line.size() &&
           (std::isalnum(static_cast<unsigned char>(line[e])) || line[e] == '_' || line[e] == '-'))
      ++e;
    size_t eq = line.find_first_not_of(" \t", e);
    if (e == b || eq == std::string::npos || line[eq] != '=') continue;
    const std::string key = line.substr(b, e - b);
    auto [it, fresh] = first_line.emplace(key, n);
    if (!fresh)
      throw UsageError(origin + ": expected each setting once, got '" + brief_text(key) +
                       "' on lines " + std::to_string(it->second) + " and " + std::to_string(n) +
                       " (a list is one array: " + key + " = [a, b])");
  }
}

// CLI11's TOML reader (flat files only, each key once: check_toml_items, check_repeated_keys);
// with_flag_names: our snake_case keys mapped to the flags' names.
std::vector<CLI::ConfigItem> read_toml_items(const std::string& text, const std::string& origin,
                                             bool with_flag_names) {
  check_repeated_keys(text, origin);
  std::vector<CLI::ConfigItem> items;
  try {
    std::istringstream in(text);
    items = CLI::ConfigTOML().from_config(in);
  } catch (const CLI::Error& e) {
    throw UsageError(origin + ": expected a TOML file of settings, got an unreadable file (" +
                     brief_text(e.what()) + ")");
  }
  check_toml_items(items, origin);
  if (with_flag_names)
    for (CLI::ConfigItem& i : items) std::replace(i.name.begin(), i.name.end(), '_', '-');
  return items;
}
}  // namespace

const std::vector<Setting>& settings() {
  static const std::vector<Setting> s = make_settings();
  return s;
}

const Setting& setting(const std::string& key) {
  for (const Setting& s : settings())
    if (s.key == key) return s;
  ZKD_FAIL("settings", "expected a known setting, got '", key, "'");
}

std::string canonical_model(const std::string& name, const std::string& what) {
  std::vector<std::string> names = nets::names();
  for (const std::string& n : names)
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        }))
      return n;
  throw UsageError(what + " expects a model name (--list-models lists them), got '" + name + "'" +
                   did_you_mean(name, names));
}

json config_to_json(const C& c) {
  json j = json::object();
  for (const Setting& s : settings())
    if (s.saved && (s.applies(c) || s.key == "method") && setting_applies(s.key, c.method))
      j[s.key] = s.to_json(c);
  return j;
}

C config_from_json(const std::string& text, const std::string& origin) {
  const json j = parse_json_limited<json>(text, origin, kMaxConfigBytes);
  if (!j.is_object()) ZKD_FAIL(origin, "expected a JSON object of settings, got ", j.type_name());
  C c = default_config(true);
  for (const auto& item : j.items()) {
    const std::string& key = item.key();  // a named copy: clang cannot capture a binding in C++17
    auto s = std::find_if(settings().begin(), settings().end(),
                          [&](const Setting& x) { return x.key == key; });
    if (s == settings().end()) ZKD_FAIL(origin, "expected known settings, got '", key, "'");
    s->read_json(c, item.value(), origin);
  }
  return c;
}

C config_from_toml(const std::string& path) {
  return config_from_toml_text(read_file(path, "config", kMaxConfigBytes), path);  // regular only
}

namespace {
C parse_toml_settings(const std::string& text, const std::string& path) {
  std::vector<CLI::ConfigItem> items;
  try {
    items = read_toml_items(text, path, /*with_flag_names=*/false);
  } catch (const UsageError& e) {
    ZKD_FAIL(path, std::string(e.what()).substr(path.size() + 2));
  }
  C c = default_config(false);  // a zkd-train run's file has no method (it is ce)
  for (const CLI::ConfigItem& item : items) {
    auto s = std::find_if(settings().begin(), settings().end(),
                          [&](const Setting& x) { return x.key == item.name; });
    if (!item.parents.empty() || s == settings().end())
      ZKD_FAIL(path, "expected known settings, got '", brief_text(item.fullname()), "'");
    try {
      s->read_text(c, item.inputs.empty() ? std::vector<std::string>{""} : item.inputs);
    } catch (const UsageError& e) {
      ZKD_FAIL(path, e.what());
    }
  }
  return c;
}
}  // namespace

C config_from_toml_text(const std::string& text, const std::string& path) {
  C c = parse_toml_settings(text, path);
  // Say no instead of guessing: CLI11's reader accepts some malformed values (an unclosed [ runs
  // on over the next lines and is cut to one string); a value that its own config.toml would not
  // read back as itself is refused, naming the setting.
  const C back = parse_toml_settings(config_to_toml(c), path);
  for (const Setting& s : settings())
    if (s.toml(back) != s.toml(c))
      ZKD_FAIL(path, "expected '", s.key, "' as a plain TOML value, got text that reads as ",
               brief_text(s.toml(c)), " (an unclosed [ or quote?)");
  return c;
}

std::string config_to_toml(const C& c, const Sources* sources) {
  std::string out, group;
  for (const Setting& s : settings()) {
    if (!s.saved || !s.applies(c) || !setting_applies(s.key, c.method)) continue;
    if (s.group != group)
      out += (out.empty() ? "" : "\n") + std::string("# ") + (group = s.group) + "\n";
    std::string value = s.toml(c);
    // Commented out: empty values, and with sources the values zkd derived (defaults, the paper's,
    // the teacher checkpoint's), so that the file read back with --config resolves them again
    // (another seed gets its own --out, another teacher its own model and classes).
    const std::string source = sources && sources->count(s.key) ? sources->at(s.key) : "";
    const bool derived = source == "default" || source.rfind("paper", 0) == 0 ||
                         source == "the teacher's checkpoint";
    std::string line = (value == "\"\"" || derived ? "# " : "") + s.key + " = " + value;
    if (sources && sources->count(s.key)) {
      line.resize(std::max<size_t>(line.size() + 2, 34), ' ');
      line += "# " + sources->at(s.key);
    }
    out += line + "\n";
  }
  if (is_dkd(c))
    out += "# DKD: alpha = kd_weight = " + num_text(c.kd_weight) +
           ", beta = dkd_beta x kd_weight = " + num_text(c.dkd_beta * c.kd_weight) + "\n";
  return out;
}

namespace {
// One setting's option: its flag, placeholder, group and help ending in "(range; default D)".
// The value reaches `on_value` (training: none, read after the parse with its source).
CLI::Option* add_option_of(CLI::App& app, const Setting& s, std::string def,
                           CLI::callback_t on_value) {
  if (def.size() > 1 && def.front() == '"') def = def.substr(1, def.size() - 2);
  std::string help = s.help + " (" + s.range + (s.range.empty() || def.empty() ? "" : "; ") +
                     (def.empty() ? "" : "default " + def) + ")";
  if (help.size() > 3 && help.compare(help.size() - 3, 3, " ()") == 0) help.resize(help.size() - 3);
  if (s.is_flag)
    return app.add_flag(s.flag(), s.help)
        ->group(s.group)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  CLI::Option* o = app.add_option(s.flag(), std::move(on_value), help)
                       ->option_text(s.placeholder)
                       ->type_name(s.placeholder)
                       ->group(s.group);
  if (s.is_list)
    o->expected(1, CLI::detail::expected_max_vector_size)->delimiter(',');
  else
    o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  return o;
}

std::string default_of(const Setting& s, const C& defaults) {
  return !s.default_text.empty() ? s.default_text
         : s.paper               ? "the paper's for the method and pair"
                                 : s.toml(defaults);
}
}  // namespace

void add_setting_options(CLI::App& app, bool distill, const C& defaults) {
  for (const Setting& s : settings())
    if (!s.distill_only || distill) add_option_of(app, s, default_of(s, defaults), {});
  // Not CLI11's config option (it opens the path again itself, after our checks: a FIFO swapped
  // in would block): the caller reads the file once through read_file and hands the text to
  // apply_config_text.
  app.add_option("--config",
                 "read settings from this TOML file (keys as in a run's config.toml); "
                 "flags on the command line win")
      ->option_text("FILE")
      ->group("run")
      ->configurable(false);
}

void apply_config_text(CLI::App& app, const std::string& text) {
  for (const CLI::ConfigItem& item : read_toml_items(text, "--config", /*with_flag_names=*/true)) {
    CLI::Option* o = app.get_option_no_throw("--" + item.name);
    if (o == nullptr || !o->get_configurable()) {  // a key of no setting of this program
      std::vector<std::string> keys;
      for (const CLI::Option* x : app.get_options())
        for (std::string n : x->get_lnames()) {
          std::replace(n.begin(), n.end(), '-', '_');
          if (x->get_configurable()) keys.push_back(n);
        }
      std::string key = item.name;
      std::replace(key.begin(), key.end(), '-', '_');
      throw UsageError("unknown setting '" + brief_text(key) + "' in the config file" +
                       did_you_mean(key, keys));
    }
    if (o->count() > 0) continue;  // given on the command line: it wins
    // As CLI11 applies a config file's item (App::_parse_single_config).
    if (o->get_expected_min() == 0) {
      o->add_result(o->get_flag_value(item.name, CLI::ConfigTOML().to_flag(item)));
    } else {
      o->add_result(item.inputs);
      o->run_callback();
    }
  }
}

void add_schema_options(CLI::App& app, C& c, const std::vector<std::string>& keys,
                        const std::map<std::string, std::string>& defaults) {
  for (const std::string& key : keys) {
    const Setting& s = setting(key);
    ZKD_CHECK(!s.is_flag, "settings", "expected a setting with a value, got the flag ", s.flag());
    auto d = defaults.find(key);
    add_option_of(app, s, d != defaults.end() ? d->second : default_of(s, c),
                  [&c, s](const CLI::results_t& r) {
                    s.read_text(c, r.empty() ? std::vector<std::string>{""} : r);
                    return true;
                  });
  }
}

bool given(const Sources& s, const std::string& key) {
  auto it = s.find(key);
  return it != s.end() && (it->second == "command line" || it->second.rfind("config file", 0) == 0);
}

Sources read_setting_options(const CLI::App& app, bool distill, C& c) {
  Sources src;
  std::string config_file;
  if (const CLI::Option* o = app.get_option_no_throw("--config"); o && o->count() > 0)
    config_file = o->results().back();
  for (const Setting& s : settings()) {
    if (s.distill_only && !distill) continue;
    const CLI::Option* o = app.get_option(s.flag());
    if (o->count() == 0) {
      src[s.key] = "default";
      continue;
    }
    bool typed = on_command_line(s.flag());
    const int times = times_on_command_line(s.flag());
    if (times > 1)  // CLI11 keeps the last value of a setting and joins a list's: neither guessed
      throw UsageError(
          s.flag() + " given " + std::to_string(times) + " times; expected it once" +
          (s.is_list ? " (a list is one comma-separated value, e.g. " + s.flag() + " 150,180,210)"
                     : ""));
    std::vector<std::string> v = o->results();
    if (v.empty()) v.push_back("");
    try {
      s.read_text(c, v);
    } catch (const UsageError& e) {
      if (typed) throw;
      throw UsageError("config file " + config_file + ": " + e.what());
    }
    src[s.key] = typed ? "command line" : "config file " + config_file;
  }
  return src;
}

void apply_paper_defaults(C& c, Sources& src) {
  MethodDefaults d = paper_defaults(c.method, c.teacher_model, c.model);
  auto take = [&](const char* key, double& v, double paper, const std::string& note) {
    if (given(src, key)) return;
    v = paper;
    src[key] = note;
  };
  take("lr", c.lr, d.lr, d.lr_note);
  if (!given(src, "epochs") && d.epochs != c.epochs) {
    c.epochs = d.epochs;
    src["epochs"] = d.epochs_note;
  }
  if (!c.distills()) return;
  take("temperature", c.temperature, d.temperature, d.note);
  take("lambda_ce", c.lambda_ce, d.lambda_ce, d.note);
  take("kd_weight", c.kd_weight, d.kd_weight, d.note);
  if (setting_applies("dkd_beta", c.method)) take("dkd_beta", c.dkd_beta, d.dkd_beta, d.note);
  if (setting_applies("ctkd_t_start", c.method)) {
    take("ctkd_t_start", c.ctkd_t_start, d.ctkd_t_start, d.note);
    take("ctkd_t_end", c.ctkd_t_end, d.ctkd_t_end, d.note);
  }
}

C saved_config(const std::string& dir) {
  std::string path = dir + "/last.safetensors";
  const std::string dir_kind = file_kind(dir);
  ZKD_CHECK(dir_kind == "a directory", "--resume " + dir,
            "expected a run directory holding last.safetensors, got ", dir_kind);
  // A run stopped before its first checkpoint (a full disk, a kill in epoch 1) has its settings
  // but nothing to continue from: say what is missing and how to start it again (issue 25).
  if (file_kind(path, /*follow=*/false) == "no such file or directory") {
    const bool has_toml = file_kind(dir + "/config.toml") == "a regular file";
    ZKD_CHECK(!has_toml, "--resume " + dir, "expected ", path,
              " (the run's last checkpoint), got none: the run stopped before its first "
              "checkpoint and there is nothing to resume; start it again with ",
              program_name(), " --config ", dir, "/config.toml --out ", dir, " --overwrite");
    ZKD_FAIL("--resume " + dir, "expected a run directory holding last.safetensors, got a ",
             "directory without it or config.toml (not a zkd run)");
  }
  SafetensorsFile f = load_safetensors(path);
  auto it = f.metadata.find("config");
  ZKD_CHECK(it != f.metadata.end(), "--resume", "expected a training checkpoint with a config in '",
            path, "', got none");
  return config_from_json(it->second, path + " config");
}

void check_out_dir(const std::string& path) {
  ZKD_CHECK(!path.empty(), "--out", "expected a directory, got an empty path");
  fs::path p(path);
  std::error_code ec;
  if (fs::exists(p, ec)) {
    ZKD_CHECK(fs::is_directory(p, ec), "--out", "expected a directory, got the file '", path, "'");
    ZKD_CHECK(access(path.c_str(), W_OK | X_OK) == 0, "--out",
              "expected a writable directory, got '", path, "' (permission denied)");
    return;
  }
  // The nearest existing ancestor must be a writable directory.
  fs::path a = p.parent_path();
  while (!a.empty() && !fs::exists(a, ec)) a = a.parent_path();
  if (a.empty()) a = ".";
  ZKD_CHECK(fs::is_directory(a, ec), "--out", "expected a path under a directory, got '", path,
            "' ('", a.string(), "' is a file)");
  ZKD_CHECK(access(a.c_str(), W_OK | X_OK) == 0, "--out", "cannot create '", path, "': '",
            a.string(), "' is not writable");
}

void write_run_files(const C& c) {
  write_file_atomic(c.out + "/config.toml", "# zkd " + version() + ": the settings of this run; " +
                                                "read them back with --config " + c.out +
                                                "/config.toml\n" + config_to_toml(c));
  std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  // Appended: the command lines of every start of the run, oldest first.
  const std::string cmd = c.out + "/command.txt";
  std::string text =
      file_kind(cmd) == "no such file or directory"
          ? std::string()
          : read_file(cmd, "run directory", 16u << 20);  // 16 MiB: thousands of starts
  write_file_atomic(cmd, text + "# " + when + " zkd " + version() + "\n" + invocation() + "\n");
}

}  // namespace zkd::app
