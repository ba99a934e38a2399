// Summary statistics (see stats.h). Two passes (mean, then squared deviations) for accuracy.
#include "apps/sweep/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace zkd::app::sweep {

Stat describe(const std::vector<double>& v) {
  Stat s;
  s.n = static_cast<int>(v.size());
  if (v.empty()) {
    s.mean = s.std = s.min = s.max = NAN;
    return s;
  }
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / s.n;
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = s.n > 1 ? std::sqrt(ss / (s.n - 1)) : NAN;
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  return s;
}

std::string mean_pm_std(const Stat& s, int digits) {
  if (s.n == 0) return "-";
  char buf[64];
  if (s.n < 2)
    std::snprintf(buf, sizeof buf, "%.*f +- -", digits, s.mean);
  else
    std::snprintf(buf, sizeof buf, "%.*f +- %.*f", digits, s.mean, digits, s.std);
  return buf;
}

}  // namespace zkd::app::sweep
