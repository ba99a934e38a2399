// Test helpers (see test_util.h).
#include "tests/common/test_util.h"

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace zkd::test {

double rel_l2(const std::vector<float>& got, const std::vector<float>& want) {
  ZKD_CHECK(got.size() == want.size(), "rel_l2", "expected vectors of the same length, got ",
            got.size(), " and ", want.size());
  double d = 0, n = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    d += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
    n += double(want[i]) * want[i];
  }
  return std::sqrt(d) / (std::sqrt(n) + 1e-6);
}

Diff diff(const Tensor& got, const Tensor& want) {
  std::vector<double> g = got.to(Device::cpu()).to(DType::F64).to_vector<double>();
  std::vector<double> w = want.to(Device::cpu()).to(DType::F64).to_vector<double>();
  Diff d;
  double err2 = 0, ref2 = 0;
  for (size_t i = 0; i < g.size() && i < w.size(); ++i) {
    double e = std::fabs(g[i] - w[i]);
    d.max_abs = std::max(d.max_abs, e);
    d.max_rel = std::max(d.max_rel, e / std::max(std::fabs(w[i]), 1e-12));
    err2 += e * e;
    ref2 += w[i] * w[i];
  }
  d.nmse = ref2 > 0 ? err2 / ref2 : err2;
  return d;
}

::testing::AssertionResult all_close(const Tensor& got, const Tensor& want, double atol,
                                     double rtol, const std::string& what) {
  if (got.shape() != want.shape())
    return ::testing::AssertionFailure() << what << ": shape " << shape_str(got.shape())
                                         << " vs expected " << shape_str(want.shape());
  std::vector<double> g = got.to(Device::cpu()).to(DType::F64).to_vector<double>();
  std::vector<double> w = want.to(Device::cpu()).to(DType::F64).to_vector<double>();
  std::ostringstream bad;
  int64_t nbad = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    bool ok = std::fabs(g[i] - w[i]) <= atol + rtol * std::fabs(w[i]);
    if (!ok || std::isnan(g[i]) != std::isnan(w[i])) {
      if (nbad < 5) bad << "\n    [" << i << "] got " << g[i] << ", expected " << w[i];
      ++nbad;
    }
  }
  Diff d = diff(got, want);
  if (nbad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << " shape " << shape_str(got.shape()) << ": " << nbad << " of " << g.size()
         << " elements outside atol " << atol << " + rtol " << rtol << "; max abs error "
         << d.max_abs << ", max rel error " << d.max_rel << ", NMSE " << d.nmse
         << "; first mismatches:" << bad.str();
}

void report_error(const std::string& op, const Tensor& got, const Tensor& want) {
  Diff d = diff(got, want);
  std::printf("[zkd-error] %s max_abs=%.3e max_rel=%.3e nmse=%.3e shape=%s\n", op.c_str(),
              d.max_abs, d.max_rel, d.nmse, shape_str(want.shape()).c_str());
}

Tensor random_tensor(const Shape& shape, uint64_t seed, DType dtype, Device device, double lo,
                     double hi, bool away_from_zero) {
  Generator gen(seed);
  Tensor t = uniform(shape, lo, hi, gen, DType::F64);
  if (away_from_zero) {
    double* p = t.data<double>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      double m = std::max(std::fabs(lo), std::fabs(hi));
      // map |v| into [0.1 m, m]
      double sign = p[i] < 0 ? -1 : 1;
      p[i] = sign * (0.1 * m + 0.9 * std::fabs(p[i]));
    }
  }
  return t.to(dtype).to(device);
}

Tensor random_labels(int64_t n, int64_t classes, uint64_t seed, Device device) {
  Generator gen(seed);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(gen.uniform_int(static_cast<uint64_t>(classes)));
  return from_vector(v, {n}, device);
}

int run_command(const std::string& cmd, std::string& output) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace zkd::test
