// Initialization per family (docs/models.md), checked on large tensors by their sample
// statistics: resnet.py/resnetv2.py convs N(0, sqrt(2 / fan_out)); wrn/vgg/mobilenetv2 convs
// N(0, sqrt(2 / (k*k*out))) (the same number); VGG conv bias 0; VGG/MobileNetV2 Linear N(0, 0.01)
// with bias 0; WRN Linear bias 0 with default weight; ResNet Linear and all ShuffleNet weights
// PyTorch's default U(+-1/sqrt(fan_in)); BN weight 1, bias 0.
// Tolerances: the sample std of n draws has relative spread ~1/sqrt(2n) (normal) or
// ~0.45/sqrt(n) (uniform); every tensor below has n >= 25,600, so that spread is <= 0.5% and the
// 3% bound is > 6 sigma, while a wrong formula (fan_in for fan_out, a missing sqrt(2), uniform
// for normal bounds) is off by >= 18%.
#include <gtest/gtest.h>

#include <cmath>

#include "nets/registry.h"

namespace zkd {
namespace {

struct Stats {
  double mean = 0, std = 0, max_abs = 0;
  int64_t n = 0;
};

Stats stats_of(Module& net, const std::string& key) {
  for (auto& [name, p] : net.named_parameters()) {
    if (name != key) continue;
    std::vector<float> v = p.data().to_vector<float>();
    Stats s;
    s.n = static_cast<int64_t>(v.size());
    for (float x : v) s.mean += x;
    s.mean /= static_cast<double>(s.n);
    for (float x : v) {
      s.std += (x - s.mean) * (x - s.mean);
      s.max_abs = std::max(s.max_abs, std::fabs(static_cast<double>(x)));
    }
    s.std = std::sqrt(s.std / static_cast<double>(s.n));
    return s;
  }
  ADD_FAILURE() << "no parameter " << key;
  return {};
}

std::shared_ptr<Module> make(const std::string& name) {
  Generator gen(42);
  return nets::create(name, gen);
}

void expect_normal(Module& net, const std::string& key, double stddev) {
  Stats s = stats_of(net, key);
  EXPECT_GE(s.n, 25600) << key;
  EXPECT_NEAR(s.std, stddev, 0.03 * stddev) << key;
  EXPECT_LT(std::fabs(s.mean), 6 * stddev / std::sqrt(static_cast<double>(s.n))) << key;
  EXPECT_GT(s.max_abs, 3.5 * stddev) << key << ": tails too short for a normal";
}

// PyTorch's default U(+-1/sqrt(fan_in)).
void expect_default_uniform(Module& net, const std::string& key, int64_t fan_in) {
  double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  Stats s = stats_of(net, key);
  EXPECT_LE(s.max_abs, bound * (1 + 1e-6)) << key;
  // The largest of n >= 2000 uniform draws is below 0.99 * bound with probability < 2e-9.
  if (s.n >= 2000) {
    EXPECT_GT(s.max_abs, 0.99 * bound) << key;
  }
  EXPECT_GT(s.std, 0.0) << key;
  if (s.n >= 25600) {
    EXPECT_NEAR(s.std, bound / std::sqrt(3.0), 0.03 * bound / std::sqrt(3.0)) << key;
  }
}

void expect_constant(Module& net, const std::string& key, double value) {
  Stats s = stats_of(net, key);
  EXPECT_GT(s.n, 0);
  EXPECT_EQ(s.mean, value) << key;
  EXPECT_EQ(s.std, 0.0) << key;
}

TEST(Init, ResNetConvsKaimingFanOutBnOnesFcDefault) {
  auto net = make("resnet32x4");
  expect_normal(*net, "layer3.0.conv2.weight", std::sqrt(2.0 / (256 * 9)));
  expect_normal(*net, "layer3.0.downsample.0.weight", std::sqrt(2.0 / 256));
  expect_constant(*net, "layer3.4.bn2.weight", 1.0);
  expect_constant(*net, "layer3.4.bn2.bias", 0.0);
  expect_default_uniform(*net, "fc.weight", 256);
  expect_default_uniform(*net, "fc.bias", 256);
}

TEST(Init, ResNet50ConvsKaimingFanOutLinearDefault) {
  auto net = make("ResNet50");
  expect_normal(*net, "layer4.0.conv2.weight", std::sqrt(2.0 / (512 * 9)));
  expect_normal(*net, "layer2.0.shortcut.0.weight", std::sqrt(2.0 / 512));
  expect_constant(*net, "layer4.2.bn3.weight", 1.0);
  expect_default_uniform(*net, "linear.weight", 2048);
}

TEST(Init, WrnConvsNormalFcBiasZero) {
  auto net = make("wrn_40_2");
  expect_normal(*net, "block3.layer.5.conv2.weight", std::sqrt(2.0 / (9 * 128)));
  expect_constant(*net, "bn1.weight", 1.0);
  expect_constant(*net, "fc.bias", 0.0);
  expect_default_uniform(*net, "fc.weight", 128);
}

TEST(Init, VggConvsNormalBiasZeroClassifierNormal001) {
  auto net = make("vgg13");
  expect_normal(*net, "block4.3.weight", std::sqrt(2.0 / (9 * 512)));
  expect_constant(*net, "block0.0.bias", 0.0);
  expect_constant(*net, "block4.3.bias", 0.0);
  expect_normal(*net, "classifier.weight", 0.01);
  expect_constant(*net, "classifier.bias", 0.0);
}

TEST(Init, MobileNetV2ConvsNormalClassifierNormal001) {
  auto net = make("MobileNetV2");
  expect_normal(*net, "conv2.0.weight", std::sqrt(2.0 / 1280));
  expect_normal(*net, "blocks.6.0.conv.0.weight", std::sqrt(2.0 / 480));
  expect_normal(*net, "classifier.0.weight", 0.01);
  expect_constant(*net, "classifier.0.bias", 0.0);
  expect_constant(*net, "blocks.3.2.conv.4.weight", 1.0);
}

TEST(Init, ShuffleNetsKeepPyTorchDefaults) {
  auto v2 = make("ShuffleV2");
  expect_default_uniform(*v2, "conv2.weight", 464);
  expect_default_uniform(*v2, "layer3.0.conv4.weight", 9);  // depthwise: fan_in = 1 * 3 * 3
  expect_default_uniform(*v2, "linear.weight", 1024);
  expect_default_uniform(*v2, "linear.bias", 1024);
  expect_constant(*v2, "layer2.3.bn2.weight", 1.0);
  auto v1 = make("ShuffleV1");
  expect_default_uniform(*v1, "layer3.1.conv1.weight", 320);  // 960 inputs in 3 groups
  expect_default_uniform(*v1, "linear.weight", 960);
}

}  // namespace
}  // namespace zkd
