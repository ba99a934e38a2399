// Tensor basics: factories, views, strides, copies, conversions, errors.
#include <gtest/gtest.h>

#include "engine/tensor/tensor.h"
#include "tests/common/test_util.h"

namespace zkd {

TEST(Tensor, FactoriesAndShapes) {
  Tensor z = zeros({2, 3});
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(z.dim(), 2);
  EXPECT_EQ(z.strides(), (Shape{3, 1}));
  EXPECT_TRUE(z.is_contiguous());
  for (float v : z.to_vector<float>()) EXPECT_EQ(v, 0.0f);
  for (float v : ones({4}).to_vector<float>()) EXPECT_EQ(v, 1.0f);
  for (double v : full({3}, 2.5, DType::F64).to_vector<double>()) EXPECT_EQ(v, 2.5);
  std::vector<int64_t> r = arange(5, DType::I64).to_vector<int64_t>();
  EXPECT_EQ(r, (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(Tensor, SeededRandomIsReproducibleAndInRange) {
  Generator g1(42), g2(42), g3(43);
  std::vector<float> a = uniform({1000}, -2, 3, g1).to_vector<float>();
  std::vector<float> b = uniform({1000}, -2, 3, g2).to_vector<float>();
  std::vector<float> c = uniform({1000}, -2, 3, g3).to_vector<float>();
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  double mean = 0;
  for (float v : a) {
    EXPECT_GE(v, -2.0f);
    EXPECT_LT(v, 3.0f);
    mean += v;
  }
  EXPECT_NEAR(mean / 1000, 0.5, 0.15);
  EXPECT_EQ(g1.offset(), 1000u);
  std::vector<double> n = normal({20000}, 1.0, 2.0, g1, DType::F64).to_vector<double>();
  double m = 0, s = 0;
  for (double v : n) m += v;
  m /= n.size();
  for (double v : n) s += (v - m) * (v - m);
  s = std::sqrt(s / (n.size() - 1));
  EXPECT_NEAR(m, 1.0, 0.05);
  EXPECT_NEAR(s, 2.0, 0.05);
}

TEST(Tensor, ViewsShareStorageAndCloneCopies) {
  Tensor a = arange(12, DType::F32).view({3, 4});
  Tensor b = a.view({2, 6});
  Tensor c = a.clone();
  b.data<float>()[0] = 100;
  EXPECT_EQ(a.data<float>()[0], 100);
  EXPECT_EQ(c.data<float>()[0], 0);
  Tensor r = a.reshape({-1, 2});
  EXPECT_EQ(r.shape(), (Shape{6, 2}));
  Tensor v = a.view_at(4, {2, 2});
  EXPECT_EQ(v.to_vector<float>(), (std::vector<float>{4, 5, 6, 7}));
}

TEST(Tensor, ContiguousCopiesAStridedView) {
  // A transposed view of a 2x3 tensor through explicit strides.
  Tensor a = arange(6, DType::F64).view({2, 3});
  Tensor t(a.storage(), {3, 2}, {1, 3}, 0, DType::F64);
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.contiguous().to_vector<double>(), (std::vector<double>{0, 3, 1, 4, 2, 5}));
}

TEST(Tensor, ConvertsDtypes) {
  Tensor a = from_vector<int64_t>({1, -2, 300}, {3});
  EXPECT_EQ(a.to(DType::F32).to_vector<float>(), (std::vector<float>{1, -2, 300}));
  Tensor u = from_vector<uint8_t>({0, 7, 255}, {3});
  EXPECT_EQ(u.to(DType::F64).to_vector<double>(), (std::vector<double>{0, 7, 255}));
}

TEST(Tensor, ErrorsNameTheOp) {
  Tensor a = zeros({2, 3});
  try {
    a.view({4, 2});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(std::string(e.what()).find("view: cannot view shape [2, 3]") != std::string::npos)
        << e.what();
  }
  EXPECT_THROW(a.data<double>(), Error);
  EXPECT_THROW(Tensor::empty({-1}), Error);
  EXPECT_THROW(a.item<float>(), Error);
}

}  // namespace zkd
