// Sweep statistics on known inputs: mean, sample standard deviation (n - 1), min, max; the n < 2
// cases; and the printed form.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/sweep/stats.h"

namespace zkd::app::sweep {
namespace {

TEST(SweepStats, KnownValues) {
  Stat s = describe({1, 2, 3, 4});
  EXPECT_EQ(s.n, 4);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.std, 1.2909944487358056);  // sqrt(5 / 3): n - 1, not n (that gives 1.118)
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 4);
  // Four seeds of a paper-like row; reference: Python statistics.mean / statistics.stdev.
  Stat p = describe({76.62, 76.41, 76.80, 76.55});
  EXPECT_NEAR(p.mean, 76.595, 1e-12);
  EXPECT_NEAR(p.std, 0.16217274740226914, 1e-12);
  EXPECT_EQ(p.min, 76.41);
  EXPECT_EQ(p.max, 76.80);
}

TEST(SweepStats, LargeOffsetKeepsTheSpread) {
  Stat s = describe({1e9 + 1, 1e9 + 2, 1e9 + 3});  // a one-pass sum of squares loses this
  EXPECT_DOUBLE_EQ(s.mean, 1e9 + 2);
  EXPECT_DOUBLE_EQ(s.std, 1.0);
}

TEST(SweepStats, FewerThanTwoValues) {
  Stat one = describe({7.5});
  EXPECT_EQ(one.n, 1);
  EXPECT_EQ(one.mean, 7.5);
  EXPECT_TRUE(std::isnan(one.std));
  EXPECT_EQ(one.min, 7.5);
  Stat none = describe({});
  EXPECT_EQ(none.n, 0);
  EXPECT_TRUE(std::isnan(none.mean) && std::isnan(none.std) && std::isnan(none.min));
  EXPECT_EQ(mean_pm_std(one), "7.50 +- -");
  EXPECT_EQ(mean_pm_std(none), "-");
  EXPECT_EQ(mean_pm_std(describe({1, 2, 3, 4}), 3), "2.500 +- 1.291");
}

}  // namespace
}  // namespace zkd::app::sweep
