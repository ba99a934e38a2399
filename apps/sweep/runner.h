// Runs a sweep's members on this machine, in turn (the CPU path of docs/sweeps.md): finished and
// diverged members are skipped, a member with a checkpoint is resumed, the others start; each
// trains with run_training into its own run directory, exactly as zkd-train / zkd-distill would.
// A member whose loss or weights are not finite is marked diverged (DIR/<member>/diverged.txt) and
// the sweep goes on; Ctrl-C (SIGINT / SIGTERM) lets the current member write its checkpoint and
// stops the sweep, which `zkd-sweep --resume DIR` continues. The summary is rewritten after every
// epoch.
#pragma once
#include <string>

#include "apps/sweep/plan.h"
#include "apps/sweep/summary.h"

namespace zkd::app::sweep {

// The summary of a sweep's members as they are on disk now.
Summary sweep_summary(const Plan& plan, const std::string& dir);

struct SweepResult {
  int finished = 0, diverged = 0, waiting = 0;  // over the members this call was given
  bool interrupted = false;
};

// only_member >= 0: that member alone (a job-array task); it does not write the sweep's summary
// (tasks run at the same time; `zkd-sweep summarize DIR` merges).
SweepResult run_sweep(const Plan& plan, const std::string& dir, int only_member = -1);

}  // namespace zkd::app::sweep
