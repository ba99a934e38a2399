// zkd_precision_bench: bf16 vs fp32 speed on the CPU, per conv op and per training step (forward,
// cross-entropy, backward, SGD) of a zoo net, fp32 and bf16 interleaved round by round in one
// process, median of the rounds. A measurement to run by hand (docs/precision.md), not a test.
//   zkd_precision_bench [net=resnet20] [threads=1] [batch=64] [rounds=7] [steps-only]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/bf16_cpu.h"
#include "engine/core/cpu_settings.h"
#include "engine/ops/ops.h"
#include "engine/optim/sgd.h"
#include "nets/registry.h"

namespace {
using namespace zkd;

double ms_of(const std::function<void()>& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median ms of f(fp32) and f(bf16), interleaved, after one warm-up call each.
std::pair<double, double> compare(int rounds, const std::function<void(Precision)>& f) {
  f(Precision::F32);
  f(Precision::BF16);
  std::vector<double> a, b;
  for (int r = 0; r < rounds; ++r) {
    a.push_back(ms_of([&] { f(Precision::F32); }));
    b.push_back(ms_of([&] { f(Precision::BF16); }));
  }
  return {median(a), median(b)};
}

void row(const std::string& what, std::pair<double, double> t) {
  std::printf("%-44s fp32 %9.3f ms  bf16 %9.3f ms  fp32/bf16 %.2fx\n", what.c_str(), t.first,
              t.second, t.first / t.second);
}

void conv_ops(int64_t batch, int rounds) {
  struct C {
    int64_t ch, hw, groups;
  };
  for (C c : {C{16, 32, 1}, C{32, 16, 1}, C{64, 8, 1}, C{256, 8, 1}, C{116, 16, 116}}) {
    Generator gen(1);
    Tensor x = uniform({batch, c.ch, c.hw, c.hw}, -1, 1, gen);
    Tensor w = uniform({c.ch, c.ch / c.groups, 3, 3}, -1, 1, gen);
    Tensor dy = uniform({batch, c.ch, c.hw, c.hw}, -1, 1, gen);
    auto args = [&](Precision p) {
      Conv2dArgs a;
      a.pad_h = a.pad_w = 1;
      a.groups = c.groups;
      a.precision = p;
      return a;
    };
    std::string tag = std::to_string(c.ch) + "ch " + std::to_string(c.hw) + "x" +
                      std::to_string(c.hw) + (c.groups > 1 ? " depthwise" : " 3x3");
    row("conv fwd " + tag,
        compare(rounds, [&](Precision p) { cpu::conv2d_fwd(x, w, Tensor(), args(p)); }));
    row("conv bwd-data " + tag,
        compare(rounds, [&](Precision p) { cpu::conv2d_bwd_data(dy, w, x.shape(), args(p)); }));
    row("conv bwd-weights " + tag,
        compare(rounds, [&](Precision p) { cpu::conv2d_bwd_weight(dy, x, w.shape(), args(p)); }));
  }
}

void train_steps(const std::string& net, int64_t batch, int rounds) {
  Generator g32(7), g16(7), data(8);
  auto m32 = nets::create(net, g32), m16 = nets::create(net, g16);
  SGD o32(m32->parameters(), SgdArgs{}), o16(m16->parameters(), SgdArgs{});
  Tensor x = uniform({batch, 3, 32, 32}, -1, 1, data);
  Tensor labels = Tensor::empty({batch}, DType::I64);
  for (int64_t i = 0; i < batch; ++i) labels.data<int64_t>()[i] = (i * 37) % 100;
  auto step = [&](Precision p) {
    Module& m = p == Precision::BF16 ? *m16 : *m32;
    SGD& o = p == Precision::BF16 ? o16 : o32;
    o.zero_grad();
    Variable loss;
    {
      PrecisionScope scope(p);
      loss = cross_entropy(m(Variable(x)), labels);
    }
    loss.backward();
    o.step();
  };
  row(net + " train step, batch " + std::to_string(batch), compare(rounds, step));
}
}  // namespace

int main(int argc, char** argv) {
  std::string net = argc > 1 ? argv[1] : "resnet20";
  int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  int64_t batch = argc > 3 ? std::atoll(argv[3]) : 64;
  int rounds = argc > 4 ? std::atoi(argv[4]) : 7;
  zkd::set_cpu_threads(threads);
  std::printf("bf16: %s; threads %d\n",
              zkd::cpu::bf16_native() ? "native (oneDNN, AVX512-BF16)" : "emulated", threads);
  if (argc <= 5 || std::string(argv[5]) != "steps-only") conv_ops(batch, rounds);
  train_steps(net, batch, rounds);
  return 0;
}
