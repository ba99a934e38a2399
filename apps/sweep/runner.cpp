// The sequential sweep runner (see runner.h).
#include "apps/sweep/runner.h"

#include <cstdio>
#include <filesystem>
#include <set>

#include "apps/run/interrupt.h"
#include "apps/run/run_dir.h"
#include "apps/run/teacher_cache.h"
#include "apps/run/trainer.h"
#include "engine/core/error.h"

namespace zkd::app::sweep {

Summary sweep_summary(const Plan& plan, const std::string& dir) {
  std::vector<RunInfo> runs;
  for (size_t i = 0; i < plan.members.size(); ++i)
    runs.push_back(read_run(plan.configs[i].out, plan.members[i].name, plan.configs[i]));
  return summarize(dir, runs);
}

namespace {
// --teacher-cache auto: each missing cache file of the members to run is built once, here, before
// any member starts (never once per member). The tasks of a job array (--member) run at once and
// must not build the same file together: they expect it built.
void build_auto_caches(const Plan& plan, int only_member) {
  std::set<std::string> seen;
  for (size_t i = 0; i < plan.members.size(); ++i) {
    const TrainConfig& cfg = plan.configs[i];
    if (i >= plan.auto_cache.size() || !plan.auto_cache[i] ||
        (only_member >= 0 && static_cast<int>(i) != only_member))
      continue;
    const RunState st = run_state(cfg.out, cfg.epochs);  // done members need no cache
    if (st == RunState::Finished || st == RunState::Diverged ||
        !seen.insert(cfg.teacher_cache).second)
      continue;
    std::error_code ec;
    ZKD_CHECK(
        only_member < 0 || std::filesystem::exists(cfg.teacher_cache, ec), "sweep",
        "expected the teacher cache '", cfg.teacher_cache,
        "' (--teacher-cache auto) before a --member task starts, got none; build it once "
        "first: zkd-data teacher-logits --teacher ",
        cfg.teacher_checkpoint, " --teacher-model ", cfg.teacher_model, " --num-classes ",
        cfg.num_classes,
        cfg.train_per_class > 0 ? " --train-per-class " + std::to_string(cfg.train_per_class) : "",
        cfg.data.empty() ? "" : " --data " + cfg.data, " --out ", cfg.teacher_cache);
    build_missing_teacher_cache(cfg);
  }
}
}  // namespace

SweepResult run_sweep(const Plan& plan, const std::string& dir, int only_member) {
  const int n = static_cast<int>(plan.members.size());
  ZKD_CHECK(only_member < n, "sweep", "expected --member in [0, ", n - 1, "], got ", only_member);
  const bool summary = only_member < 0;
  auto update_summary = [&] {
    if (summary) write_summary(dir, sweep_summary(plan, dir));
  };
  build_auto_caches(plan, only_member);
  install_interrupt_handler();
  SweepResult res;
  update_summary();
  for (int i = 0; i < n; ++i) {
    if (only_member >= 0 && i != only_member) continue;
    const Member& m = plan.members[i];
    const TrainConfig& cfg = plan.configs[i];
    RunState st = run_state(cfg.out, cfg.epochs);
    if (st == RunState::Finished || st == RunState::Diverged) {
      std::printf("zkd-sweep: member %d/%d %s: %s, skipped\n", i + 1, n, m.name.c_str(),
                  state_name(st));
      (st == RunState::Finished ? res.finished : res.diverged) += 1;
      continue;
    }
    if (interrupted()) {
      res.interrupted = true;
      res.waiting += 1;
      continue;
    }
    // A fault before the member's first last.safetensors (a full disk) can leave best.safetensors
    // or log.jsonl and nothing to resume from: the member starts again, its own run files
    // removed by name (the folder is the sweep's).
    TrainConfig run_cfg = cfg;
    const bool restart = st == RunState::NotStarted && !run_files_in(cfg.out).empty();
    run_cfg.overwrite = run_cfg.overwrite || restart;
    std::printf("zkd-sweep: member %d/%d %s: %s %s\n", i + 1, n, m.name.c_str(),
                st == RunState::Partial ? "resuming"
                : restart               ? "restarting (no last.safetensors to resume from)"
                                        : "starting",
                cfg.out.c_str());
    std::fflush(stdout);
    try {
      TrainOutcome o = run_training(run_cfg, st == RunState::Partial ? cfg.out : "",
                                    [&](const EpochRecord&) { update_summary(); });
      if (o.interrupted) {
        res.interrupted = true;
        res.waiting += 1;
      } else {
        res.finished += 1;
      }
    } catch (const DivergedError& e) {
      mark_diverged(cfg.out, e.what());
      std::printf("zkd-sweep: member %d/%d %s diverged, the others go on: %s\n", i + 1, n,
                  m.name.c_str(), e.what());
      res.diverged += 1;
    }
    update_summary();
  }
  return res;
}

}  // namespace zkd::app::sweep
