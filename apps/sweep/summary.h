// The summary of a set of runs (a sweep's members, or run directories trained elsewhere): runs are
// grouped into grid points by their configs (every setting but the seed, the output folder, the
// device, the data path and the log interval), and each grid point gets the mean +- sample std
// (n - 1) and min / max over its runs of best top-1, last top-1 and best epoch. Written as
// summary.md, summary.json and summary.svg (every run's test top-1 per epoch, each grid point's
// mean bold).
#pragma once
#include <string>
#include <vector>

#include "apps/sweep/run_dir.h"
#include "apps/sweep/stats.h"

namespace zkd::app::sweep {

struct MemberRow {
  std::string name, dir, group, state, error;
  int64_t epochs_done = 0, epochs = 0, best_epoch = 0;
  double best_top1 = 0, last_top1 = 0;  // meaningful when epochs_done > 0
};

struct GroupRow {
  std::string label;
  std::vector<size_t> members;  // indices into Summary::members
  int finished = 0, diverged = 0;
  // Over the group's runs with at least one epoch that did not diverge.
  Stat best_top1, last_top1, best_epoch;
};

struct Summary {
  std::string title;
  std::vector<MemberRow> members;
  std::vector<GroupRow> groups;
  std::vector<std::vector<EpochRecord>> curves;  // per member
};

// One label per run: the settings whose values differ between the runs' groups, "T2-kd9" style
// (the sweep's short names), "all" when there is one group.
std::vector<std::string> group_labels(const std::vector<RunInfo>& runs);
Summary summarize(const std::string& title, const std::vector<RunInfo>& runs);
std::string summary_markdown(const Summary& s);
std::string summary_json(const Summary& s);
std::string summary_svg(const Summary& s);
// Writes DIR/summary.md, summary.json and summary.svg atomically.
void write_summary(const std::string& dir, const Summary& s);

}  // namespace zkd::app::sweep
