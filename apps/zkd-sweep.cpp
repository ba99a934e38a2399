// zkd-sweep: many runs from one command. Seeds and loss / optimizer settings given as lists
// (--seeds 0-3 --temperature 2,3 --kd-weight 6,9) expand into members, each an ordinary
// zkd-train / zkd-distill run in its own directory under the sweep directory; summary.md /
// .json / .svg give mean +- std over seeds per grid point. See docs/sweeps.md.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "apps/config/cli.h"
#include "apps/config/version.h"
#include "apps/sweep/grid.h"
#include "apps/sweep/memory_estimate.h"
#include "apps/sweep/plan.h"
#include "apps/sweep/runner.h"
#include "apps/sweep/summary.h"
#include "engine/core/error.h"

namespace fs = std::filesystem;
using namespace zkd;
using namespace zkd::app::sweep;

namespace {

const char* kUsage =
    "usage:\n"
    "  zkd-sweep train|distill --out DIR [--seeds LIST] [--SETTING LIST ...] [--plan] [--member "
    "I]\n"
    "            [any zkd-train / zkd-distill flag, shared by all members]\n"
    "  zkd-sweep --resume DIR [--member I]\n"
    "  zkd-sweep summarize DIR... [--out DIR]\n"
    "\n"
    "Members are the cartesian product of the lists; each trains into DIR/<name>, an ordinary run\n"
    "directory named from the settings that vary and the seed (DIR/T2-kd9-seed1).\n"
    "  --seeds LIST      seeds: 0-3, 0,1,5 or 0-1,7 (default 0)\n"
    "  --SETTING LIST    comma-separated values of: method, model, temperature, lambda-ce, "
    "kd-weight,\n"
    "                    dkd-beta, lr, weight-decay, momentum (order of expansion: this order,\n"
    "                    the seed varying fastest)\n"
    "  --out DIR         the sweep directory (sweep.json, summary.*, one folder per member)\n"
    "  --plan            write DIR/sweep.json, print the members and the memory estimate, and "
    "exit\n"
    "  --member I        train member I (0-based) alone, e.g. one task of a Slurm job array\n"
    "  --resume DIR      continue a sweep: finished members are skipped, interrupted ones resumed\n"
    "  summarize DIR...  summary of sweeps, run directories or folders of runs trained elsewhere,\n"
    "                    grouped by their saved configs (written to --out, default the one DIR)\n";

[[noreturn]] void usage_error(const std::string& msg) {
  throw app::UsageError(msg);
}

struct Args {
  std::string mode, out, resume;
  int member = -1;
  bool plan = false;
  std::vector<Axis> axes;
  std::vector<std::string> shared, positional;
};

Args parse_args(int argc, char** argv) {
  Args a;
  std::vector<std::string> t(argv + 1, argv + argc);
  for (size_t i = 0; i < t.size(); ++i) {
    const std::string& tok = t[i];
    if (tok == "-h" || tok == "--help") {
      std::printf("%s", kUsage);
      std::exit(0);
    }
    if (tok == "--version") {
      std::printf("zkd %s\n", app::version().c_str());
      std::exit(0);
    }
    if (tok.rfind("--", 0) != 0) {
      if (a.mode.empty() && a.positional.empty() && a.shared.empty() && a.axes.empty())
        a.mode = tok;
      else
        a.positional.push_back(tok);
      continue;
    }
    std::string name = tok.substr(2), value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) value = name.substr(eq + 1), name = name.substr(0, eq);
    auto take = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= t.size()) usage_error("flag --" + name + " expects a value");
      return t[++i];
    };
    if (name == "plan") {
      a.plan = true;
    } else if (name == "out") {
      a.out = take();
    } else if (name == "resume") {
      a.resume = take();
    } else if (name == "member") {
      a.member = static_cast<int>(app::parse_int(take(), 0, 1000000, "--member"));
    } else if (name == "seeds" || is_sweepable(name)) {
      std::string flag = name == "seeds" ? "seed" : name;
      for (const Axis& x : a.axes)
        if (x.flag == flag) usage_error("--" + name + " given twice");
      a.axes.push_back(parse_axis(flag, take()));
    } else {  // a zkd-train / zkd-distill flag shared by all members, passed on verbatim
      a.shared.push_back(tok);
      if (!has_value && i + 1 < t.size() && t[i + 1].rfind("--", 0) != 0)
        a.shared.push_back(t[++i]);
    }
  }
  return a;
}

// The largest member's footprint (members may differ in model) times the member count.
MemoryEstimate estimate(const Plan& p, int members) {
  MemoryEstimate best;
  std::map<std::string, bool> seen;
  for (const app::TrainConfig& c : p.configs) {
    if (seen[c.model + "|" + c.teacher_model]) continue;
    seen[c.model + "|" + c.teacher_model] = true;
    int64_t per = c.num_classes;
    int64_t train = (c.train_per_class > 0 ? c.train_per_class : 500) * per;
    int64_t test = (c.test_per_class > 0 ? c.test_per_class : 100) * per;
    MemoryEstimate e = estimate_memory(c, members, train, test);
    if (e.total() > best.total()) best = e;
  }
  return best;
}

int run(const Plan& plan, const std::string& dir, int member) {
  const int n = static_cast<int>(plan.members.size());
  ZKD_CHECK(member < n, "sweep", "expected --member in [0, ", n - 1, "], got ", member);
  std::printf("zkd-sweep: %s sweep of %d member(s) in %s:", plan.mode.c_str(), n, dir.c_str());
  for (const Member& m : plan.members) std::printf(" %s", m.name.c_str());
  std::printf("\n");
  MemoryEstimate e = estimate(plan, member >= 0 ? 1 : n);
  check_fits(e, plan.configs.front().device);
  std::printf("zkd-sweep: device memory estimate, members resident together: %s\n",
              e.describe().c_str());
  std::fflush(stdout);
  SweepResult r = run_sweep(plan, dir, member);
  std::printf("zkd-sweep: %d finished, %d diverged, %d waiting%s\n", r.finished, r.diverged,
              r.waiting, member < 0 ? ("; summary " + dir + "/summary.md").c_str() : "");
  if (r.interrupted) {
    std::printf("zkd-sweep: interrupted; continue with: zkd-sweep --resume %s%s\n", dir.c_str(),
                member >= 0 ? (" --member " + std::to_string(member)).c_str() : "");
    return 130;
  }
  return 0;
}

bool is_run_dir(const fs::path& d) {
  return fs::exists(d / "last.safetensors") || fs::exists(d / "config.toml");
}

int summarize_dirs(const Args& a) {
  if (a.positional.empty()) usage_error("summarize expects one or more directories");
  std::vector<RunInfo> runs;
  // A run reached by two paths (a sweep and its member folder, "d" and "d/.") counts once.
  std::set<fs::path> seen;
  auto add = [&](const std::string& dir, const std::string& name,
                 const std::optional<app::TrainConfig>& config) {
    std::error_code ec;
    fs::path key = fs::weakly_canonical(fs::absolute(dir, ec), ec);
    if (!seen.insert(ec ? fs::path(dir) : key).second) return;
    runs.push_back(read_run(dir, name, config));
  };
  for (const std::string& d : a.positional) {
    ZKD_CHECK(fs::is_directory(d), "summarize", "expected a directory, got '", d, "'");
    if (fs::exists(fs::path(d) / "sweep.json")) {
      Plan p = read_plan(d);
      for (size_t i = 0; i < p.members.size(); ++i)
        add(p.configs[i].out, d + "/" + p.members[i].name, p.configs[i]);
    } else if (is_run_dir(d)) {
      add(d, d, std::nullopt);
    } else {
      std::vector<fs::path> subs;
      for (const auto& e : fs::directory_iterator(d))
        if (e.is_directory() && is_run_dir(e.path())) subs.push_back(e.path());
      std::sort(subs.begin(), subs.end());
      ZKD_CHECK(!subs.empty(), "summarize",
                "expected a sweep, a run directory or a folder of runs, got '", d, "' with none");
      for (const fs::path& s : subs) add(s.string(), s.string(), std::nullopt);
    }
  }
  std::string out = a.out;
  if (out.empty()) {
    if (a.positional.size() != 1) usage_error("summarize of several directories needs --out DIR");
    out = a.positional.front();
  }
  fs::create_directories(out);
  Summary s = summarize(out, runs);
  write_summary(out, s);
  std::printf("%s\nzkd-sweep: wrote %s/summary.md, summary.json, summary.svg\n",
              summary_markdown(s).c_str(), out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return app::run_main(argc, argv, [](int argc, char** argv) {
    Args a = parse_args(argc, argv);
    if (a.mode == "summarize") {
      if (!a.shared.empty() || !a.axes.empty() || a.plan || a.member >= 0 || !a.resume.empty())
        usage_error("summarize takes directories and --out only");
      return summarize_dirs(a);
    }
    if (!a.positional.empty()) usage_error("unexpected argument '" + a.positional.front() + "'");
    if (!a.resume.empty()) {
      if (!a.mode.empty() || !a.shared.empty() || !a.axes.empty() || !a.out.empty() || a.plan)
        usage_error(
            "--resume DIR takes only --member (the sweep's settings are in DIR/sweep.json)");
      return run(read_plan(a.resume), a.resume, a.member);
    }
    if (a.mode != "train" && a.mode != "distill")
      usage_error("expected train, distill or summarize first");
    if (a.out.empty()) usage_error("--out DIR (the sweep directory) is required");
    if (fs::exists(a.out + "/sweep.json"))
      usage_error(a.out + "/sweep.json exists: continue that sweep with zkd-sweep --resume " +
                  a.out);
    Plan plan = make_plan(a.mode, a.shared, a.axes, a.out);
    write_plan(plan, a.out);
    if (a.plan) {
      std::printf("zkd-sweep: wrote %s/sweep.json with %zu member(s):\n", a.out.c_str(),
                  plan.members.size());
      for (const Member& m : plan.members) std::printf("  %d  %s\n", m.index, m.name.c_str());
      MemoryEstimate e = estimate(plan, static_cast<int>(plan.members.size()));
      std::printf("zkd-sweep: device memory estimate, members resident together: %s\n",
                  e.describe().c_str());
      return 0;
    }
    return run(plan, a.out, a.member);
  });
}
