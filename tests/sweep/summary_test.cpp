// Sweep summaries on known runs: grouping by config (seed and output folder ignored), labels from
// the settings that differ, statistics over the non-diverged runs, and the written forms.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "apps/sweep/summary.h"

namespace zkd::app::sweep {
namespace {

RunInfo run(const std::string& name, float temperature, uint64_t seed, std::vector<double> top1,
            int64_t epochs, RunState state = RunState::Finished) {
  RunInfo r;
  r.name = name;
  r.dir = "/runs/" + name;
  r.config.method = app::Method::parse("kd+ls");
  r.config.temperature = temperature;
  r.config.seed = seed;
  r.config.out = r.dir;
  r.config.epochs = epochs;
  r.state = state;
  for (size_t i = 0; i < top1.size(); ++i) {
    EpochRecord e;
    e.epoch = static_cast<int64_t>(i) + 1;
    e.test_top1 = top1[i];
    r.records.push_back(e);
  }
  if (state == RunState::Diverged) r.error = "train: expected a finite loss, got nan";
  return r;
}

std::vector<RunInfo> runs() {
  return {run("T2-seed0", 2, 0, {10, 30, 20}, 3),  // best 30 @2, last 20
          run("T2-seed1", 2, 1, {40, 35, 50}, 3),  // best 50 @3, last 50
          run("T3-seed0", 3, 0, {5, 15}, 3, RunState::Partial),
          run("T3-seed1", 3, 1, {1, NAN}, 3, RunState::Diverged)};
}

TEST(SweepSummary, GroupsByConfigWithoutSeedAndLabelsByWhatDiffers) {
  EXPECT_EQ(group_labels(runs()), (std::vector<std::string>{"T2", "T2", "T3", "T3"}));
  std::vector<RunInfo> same = {runs()[0], runs()[1]};
  EXPECT_EQ(group_labels(same), (std::vector<std::string>{"all", "all"}));
  std::vector<RunInfo> lr = {runs()[0], runs()[1]};
  lr[1].config.lr = 0.01;
  EXPECT_EQ(group_labels(lr), (std::vector<std::string>{"lr0.05", "lr0.01"}));
}

TEST(SweepSummary, StatisticsPerGridPoint) {
  Summary s = summarize("test", runs());
  ASSERT_EQ(s.groups.size(), 2u);
  const GroupRow& t2 = s.groups[0];
  EXPECT_EQ(t2.label, "T2");
  EXPECT_EQ(t2.finished, 2);
  EXPECT_EQ(t2.best_top1.n, 2);
  EXPECT_DOUBLE_EQ(t2.best_top1.mean, 40);
  EXPECT_DOUBLE_EQ(t2.best_top1.std, std::sqrt(200.0));  // (30, 50): sample std = 10 sqrt 2
  EXPECT_DOUBLE_EQ(t2.last_top1.mean, 35);
  EXPECT_DOUBLE_EQ(t2.last_top1.min, 20);
  EXPECT_DOUBLE_EQ(t2.last_top1.max, 50);
  EXPECT_DOUBLE_EQ(t2.best_epoch.mean, 2.5);
  const GroupRow& t3 = s.groups[1];
  EXPECT_EQ(t3.finished, 0);
  EXPECT_EQ(t3.diverged, 1);
  EXPECT_EQ(t3.best_top1.n, 1) << "the diverged run is left out";
  EXPECT_DOUBLE_EQ(t3.best_top1.mean, 15);
  EXPECT_TRUE(std::isnan(t3.best_top1.std));
  EXPECT_EQ(s.members[3].state, "diverged");
  EXPECT_EQ(s.members[2].state, "running");
  EXPECT_EQ(s.members[2].epochs_done, 2);
}

TEST(SweepSummary, WrittenForms) {
  Summary s = summarize("test", runs());
  std::string md = summary_markdown(s);
  EXPECT_NE(md.find("| T2 | 2 | 2/2 | 40.00 +- 14.14 | 30.00 | 50.00 | 35.00 +- 21.21 | 20.00 | "
                    "50.00 | 2.5 +- 0.7 | 2 | 3 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| T3 | 1 | 0/2 (1 diverged) | 15.00 +- - |"), std::string::npos) << md;
  EXPECT_NE(md.find("- T3-seed1: train: expected a finite loss"), std::string::npos) << md;
  EXPECT_NE(md.find("sample standard deviation (n - 1"), std::string::npos);
  nlohmann::json j = nlohmann::json::parse(summary_json(s));
  const nlohmann::json& g = j.at("grid_points").at(1);
  EXPECT_EQ(g.at("grid_point"), "T3");
  EXPECT_TRUE(g.at("best_top1").at("std").is_null());
  EXPECT_EQ(g.at("best_top1").at("mean").get<double>(), 15);
  EXPECT_EQ(j.at("runs").size(), 4u);
  std::string svg = summary_svg(s);
  EXPECT_NE(svg.find("stroke-width='3'"), std::string::npos) << "bold means";
  size_t lines = 0;
  for (size_t p = svg.find("<polyline"); p != std::string::npos; p = svg.find("<polyline", p + 1))
    ++lines;
  EXPECT_EQ(lines, 6u) << "4 runs + 2 means";
  EXPECT_EQ(svg.find("nan"), std::string::npos) << "non-finite points are skipped";
}

}  // namespace
}  // namespace zkd::app::sweep
