// MacCounter (engine/ops/mac_counter.h): exact counts for a grouped, strided conv and a linear,
// nothing counted outside a counter, nested counters. The conv's input needs no gradient while its
// weight does (as for every net's first conv): the regression test for conv2d's backward, which
// once read dw's shape from the weight it had not kept.
#include <gtest/gtest.h>

#include "engine/ops/mac_counter.h"
#include "engine/ops/ops.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

TEST(MacCounter, CountsConvAndLinearForwardMacs) {
  Variable x(test::random_tensor({3, 6, 9, 7}, 1, DType::F32));
  Variable w(test::random_tensor({10, 3, 3, 2}, 2, DType::F32), true);  // groups 2
  Conv2dArgs a;
  a.stride_h = 2;
  a.pad_h = 1;
  a.pad_w = 0;
  a.groups = 2;
  Variable lx(test::random_tensor({5, 13}, 3, DType::F32));
  Variable lw(test::random_tensor({4, 13}, 4, DType::F32));
  MacCounter outer;
  Variable y;
  {
    MacCounter inner;
    y = conv2d(x, w, Variable(), a);  // Ho = (9 + 2 - 3) / 2 + 1 = 5, Wo = 7 - 2 + 1 = 6
    ASSERT_EQ(y.shape(), Shape({3, 10, 5, 6}));
    EXPECT_EQ(inner.total(), 3 * 10 * 3 * 3 * 2 * 5 * 6);
  }
  Variable ly = linear(lx, lw, Variable());
  EXPECT_EQ(outer.total(), 3 * 10 * 3 * 3 * 2 * 5 * 6 + 5 * 13 * 4);
  sum(y).backward();  // backward passes are not forward MACs
  ASSERT_TRUE(w.grad().defined());
  EXPECT_EQ(w.grad().shape(), w.shape());
  EXPECT_EQ(outer.total(), 3 * 10 * 3 * 3 * 2 * 5 * 6 + 5 * 13 * 4);
}

TEST(MacCounter, NothingIsCountedWithoutACounter) {
  Variable lx(test::random_tensor({2, 3}, 5, DType::F32));
  Variable lw(test::random_tensor({4, 3}, 6, DType::F32));
  linear(lx, lw, Variable());
  MacCounter c;
  EXPECT_EQ(c.total(), 0);
}

}  // namespace
}  // namespace zkd
