// Summary statistics of a handful of runs: count, mean, sample standard deviation (n - 1 in the
// denominator, as papers report over seeds), minimum and maximum.
#pragma once
#include <string>
#include <vector>

namespace zkd::app::sweep {

struct Stat {
  int n = 0;
  double mean = 0, std = 0, min = 0, max = 0;  // std: NaN when n < 2; all NaN when n == 0
};

Stat describe(const std::vector<double>& values);

// "76.62 +- 0.21" (std printed as "-" when n < 2), with `digits` decimals.
std::string mean_pm_std(const Stat& s, int digits = 2);

}  // namespace zkd::app::sweep
