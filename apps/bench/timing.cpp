// The timing protocol and the synthetic data of zkd-bench (see timing.h).
#include "apps/bench/timing.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "engine/memory/gpu_api.h"

namespace zkd::app::bench {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// Mean ms per step of `steps` calls of step(first + i).
double timed_run(Device dev, int64_t first, int64_t steps,
                 const std::function<void(int64_t)>& step) {
  if (dev.is_cuda()) {
    gpu::DeviceTimer t;
    t.start();
    for (int64_t i = 0; i < steps; ++i) step(first + i);
    return t.stop_ms() / static_cast<double>(steps);
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < steps; ++i) step(first + i);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
         static_cast<double>(steps);
}

}  // namespace

Timing time_steps(const Protocol& p, const std::function<void(int64_t)>& step) {
  const bool cuda = p.device.is_cuda();
  if (cuda) gpu::reset_peak_memory();
  for (int64_t i = 0; i < p.warmup; ++i) step(i);
  Timing out;
  std::clock_t c0 = std::clock();
  std::vector<double> ms;
  for (int64_t r = 0; r < p.repeats; ++r) {
    ms.push_back(timed_run(p.device, p.warmup + r * p.steps, p.steps, step));
    if (cuda) {
      gpu::MemoryStats m = gpu::memory_stats();
      out.allocated_mib.push_back(static_cast<double>(m.allocated) / kMiB);
      out.reserved_mib.push_back(static_cast<double>(m.reserved) / kMiB);
    }
  }
  out.cpu_ms = 1e3 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC /
               static_cast<double>(p.steps * p.repeats);
  std::sort(ms.begin(), ms.end());
  out.ms = ms[ms.size() / 2];
  if (cuda) out.peak_mib = static_cast<double>(gpu::memory_stats().peak_allocated) / kMiB;
  return out;
}

data::ImageSet synthetic_set(int64_t n, uint64_t seed) {
  data::ImageSet s = data::make_image_set(n, false);
  Generator g(seed);
  uint8_t* p = s.images.data<uint8_t>();
  for (int64_t i = 0; i < s.images.numel(); ++i) p[i] = static_cast<uint8_t>(g.uniform_int(256));
  int64_t* l = s.labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) l[i] = static_cast<int64_t>(g.uniform_int(100));
  s.class_names.assign(100, "c");
  return s;
}

}  // namespace zkd::app::bench
