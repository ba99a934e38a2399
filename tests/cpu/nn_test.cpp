// nn: PyTorch-style names of a module tree, train/eval propagation, default initialization
// statistics, and the state dict in safetensors (round trip, mismatch report, truncated file).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "engine/io/atomic_file.h"
#include "engine/io/safetensors.h"
#include "engine/nn/init.h"
#include "engine/nn/layers.h"
#include "engine/nn/state_dict.h"
#include "tests/common/test_util.h"

namespace zkd {
namespace {

// A tiny block named like torchvision's: conv1, bn1, downsample.0 / downsample.1.
class Block : public Module {
 public:
  explicit Block(Generator& g, int64_t out = 4) {
    conv1 = register_module("conv1",
                            std::make_shared<Conv2d>(3, out, 3, Conv2dOptions{1, 1, 1, false}, g));
    bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(out));
    downsample = register_module("downsample", std::make_shared<Sequential>());
    downsample->add(std::make_shared<Conv2d>(3, out, 1, Conv2dOptions{}, g));
    downsample->add(std::make_shared<BatchNorm2d>(out));
  }
  Variable forward(const Variable& x) override {
    return relu(add(bn1->forward(conv1->forward(x)), downsample->forward(x)));
  }
  std::string type_name() const override { return "Block"; }
  std::shared_ptr<Conv2d> conv1;
  std::shared_ptr<BatchNorm2d> bn1;
  std::shared_ptr<Sequential> downsample;
};

class Net : public Module {
 public:
  explicit Net(Generator& g, int64_t width = 4) {
    layer1 = register_module("layer1", std::make_shared<Sequential>());
    layer1->add(std::make_shared<Block>(g, width));
    fc = register_module("fc", std::make_shared<Linear>(width, 5, g));
  }
  Variable forward(const Variable& x) override {
    return fc->forward(global_avg_pool(layer1->forward(x)));
  }
  std::string type_name() const override { return "Net"; }
  std::shared_ptr<Sequential> layer1;
  std::shared_ptr<Linear> fc;
};

std::vector<std::string> names_of(const std::vector<std::pair<std::string, Variable>>& v) {
  std::vector<std::string> out;
  for (auto& p : v) out.push_back(p.first);
  return out;
}

TEST(Module, PyTorchNames) {
  Generator g(1);
  Net net(g);
  EXPECT_EQ(
      names_of(net.named_parameters()),
      (std::vector<std::string>{"layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias",
                                "layer1.0.downsample.0.weight", "layer1.0.downsample.1.weight",
                                "layer1.0.downsample.1.bias", "fc.weight", "fc.bias"}));
  EXPECT_EQ(names_of(net.named_buffers()),
            (std::vector<std::string>{
                "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var",
                "layer1.0.bn1.num_batches_tracked", "layer1.0.downsample.1.running_mean",
                "layer1.0.downsample.1.running_var", "layer1.0.downsample.1.num_batches_tracked"}));
  EXPECT_EQ(net.num_parameters(), 4 * 3 * 9 + 4 + 4 + 4 * 3 + 4 + 4 + 5 * 4 + 5);
}

TEST(Module, TrainEvalPropagatesAndBatchNormCounts) {
  Generator g(2);
  Net net(g);
  net.eval();
  EXPECT_FALSE(net.layer1->is_training());
  net.train();
  Variable x(test::random_tensor({2, 3, 4, 4}, 3, DType::F32));
  net.forward(x);
  net.forward(x);
  auto* blk = static_cast<Block*>(net.layer1->named_children()[0].second.get());
  EXPECT_EQ(blk->bn1->num_batches_tracked.data().item<int64_t>(), 2);
  net.eval();
  net.forward(x);
  EXPECT_EQ(blk->bn1->num_batches_tracked.data().item<int64_t>(), 2);
}

TEST(Init, DefaultsFollowPyTorch) {
  Generator g(5);
  Conv2d conv(64, 128, 3, Conv2dOptions{1, 1, 1, true}, g);
  double bound = 1.0 / std::sqrt(64.0 * 9);  // kaiming_uniform(a = sqrt(5)) == U(+-1/sqrt(fan_in))
  std::vector<float> w = conv.weight.data().to_vector<float>();
  double lo = 1, hi = -1, sq = 0;
  for (float v : w) {
    lo = std::min<double>(lo, v);
    hi = std::max<double>(hi, v);
    sq += double(v) * v;
  }
  EXPECT_GE(lo, -bound);
  EXPECT_LE(hi, bound);
  EXPECT_NEAR(hi, bound, bound * 0.01);  // 73,728 draws reach the edges
  EXPECT_NEAR(std::sqrt(sq / w.size()), bound / std::sqrt(3.0), bound * 0.01);
  for (float v : conv.bias.data().to_vector<float>()) EXPECT_LE(std::fabs(v), bound);

  Variable k(Tensor::empty({256, 64, 3, 3}), true);
  init::kaiming_normal_fan_out(k, g);
  double s = 0;
  for (float v : k.data().to_vector<float>()) s += double(v) * v;
  EXPECT_NEAR(std::sqrt(s / k.data().numel()), std::sqrt(2.0 / (256 * 9)),
              0.01 * std::sqrt(2.0 / (256 * 9)));
}

TEST(Init, SameSeedSameWeights) {
  Generator g1(9), g2(9), g3(10);
  Net a(g1), b(g2), c(g3);
  auto wa = a.fc->weight.data().to_vector<float>();
  EXPECT_EQ(wa, b.fc->weight.data().to_vector<float>());
  EXPECT_NE(wa, c.fc->weight.data().to_vector<float>());
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/zkd_" + name;
}

TEST(StateDict, SafetensorsRoundTrip) {
  Generator g(11);
  Net a(g);
  a.train();
  a.forward(Variable(test::random_tensor({2, 3, 4, 4}, 12, DType::F32)));  // non-trivial stats
  std::string path = temp_path("roundtrip.safetensors");
  save_module(a, path, {{"epoch", "3"}});
  Generator g2(99);
  Net b(g2);
  load_module(b, path);
  auto sa = state_dict(a), sb = state_dict(b);
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].first, sb[i].first);
    EXPECT_TRUE(test::all_close(sb[i].second.to(DType::F64), sa[i].second.to(DType::F64), 0, 0,
                                sa[i].first));
  }
  SafetensorsFile f = load_safetensors(path);
  EXPECT_EQ(f.metadata.at("epoch"), "3");
  // The header layout PyTorch's safetensors expects: 8-byte length, JSON, aligned data.
  std::string bytes = read_file(path);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(bytes[8], '{');
  EXPECT_NE(bytes.find("\"layer1.0.bn1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[]"),
            std::string::npos);
}

// One line whatever the file holds: each kind of mismatch counted, the first names shown (a name
// from the file with a newline in it cannot split the message).
TEST(StateDict, MismatchesAreCountedAndNamedInOneLine) {
  Generator g(13);
  Net small(g, 4), wide(g, 6);
  std::string path = temp_path("wide.safetensors");
  NamedTensors t = state_dict(wide);
  t.erase(t.begin());                          // drop layer1.0.conv1.weight
  t.emplace_back("extra.weight", zeros({2}));  // add an unknown name
  t.emplace_back("two\nlines", zeros({1}));
  save_safetensors(path, t);
  try {
    load_module(small, path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_NE(m.find("13 mismatch(es) between '" + path +
                     "' and the model: missing "
                     "'layer1.0.conv1.weight' (expected float32 [4, 3, 3, 3]); of another shape "
                     "or dtype 'fc.weight' (expected float32 [5, 4], got float32 [5, 6]), "),
              std::string::npos)
        << m;
    EXPECT_NE(m.find(" and 7 more; unexpected 'extra.weight' (float32 [2]), 'two?lines' (float32 "
                     "[1])"),
              std::string::npos)
        << m;
  }
}

TEST(StateDict, WrongDtypeIsReported) {
  Generator g(14);
  Net a(g);
  NamedTensors t = state_dict(a);
  t.back().second = t.back().second.to(DType::F64);
  try {
    load_state_dict(a, t, "mem");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(expected int64 [], got float64 [])"), std::string::npos)
        << e.what();
  }
}

TEST(Safetensors, TruncatedAndCorruptFilesFailCleanly) {
  std::string good = encode_safetensors({{"a", arange(10)}, {"b", ones({3, 3}, DType::F64)}});
  for (size_t cut : {size_t(0), size_t(5), size_t(8), size_t(20), good.size() - 1}) {
    try {
      decode_safetensors(good.substr(0, cut), "cut");
      FAIL() << "expected an error at " << cut;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("safetensors 'cut'"), std::string::npos) << e.what();
    }
  }
  std::string bad = good;
  bad[8] = '#';  // corrupt the JSON: the header no longer starts with '{'
  EXPECT_THROW(decode_safetensors(bad, "bad"), Error);
  EXPECT_THROW(load_safetensors(temp_path("does-not-exist.safetensors")), Error);
  SafetensorsFile f = decode_safetensors(good, "good");
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_EQ(f.tensors[0].second.to_vector<float>()[9], 9.0f);
}

}  // namespace
}  // namespace zkd
