// The timing protocol of docs/performance.md: untimed warm-up steps (cuDNN's algorithm search
// included), then --repeats runs of --steps steps timed with CUDA events on the GPU (a steady clock
// on the CPU), the median of the repeats; device memory in use and reserved after each repeat
// (a steady-state step must not grow them: the leak check), and the peak since the case began.
// Also the synthetic data every case reads.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "datasets/loader.h"
#include "engine/core/device.h"

namespace zkd::app::bench {

struct Protocol {
  Device device;
  int64_t warmup = 30, steps = 200, repeats = 3;
};

struct Timing {
  double ms = 0;        // median over repeats of the mean step time
  double cpu_ms = 0;    // process CPU time per timed step, all threads (fair on a loaded machine)
  double peak_mib = 0;  // device peak since time_steps began (0 on the CPU)
  std::vector<double> allocated_mib;  // device memory in use after each repeat
  std::vector<double> reserved_mib;   // held by the caching allocator after each repeat
};

// Resets the device's peak memory, runs step(i) for i = 0, 1, ... (warm-up, then the repeats).
Timing time_steps(const Protocol& p, const std::function<void(int64_t)>& step);

// n random uint8 images [n, 3, 32, 32] (never all zero) and labels in [0, 100), from seed.
data::ImageSet synthetic_set(int64_t n, uint64_t seed);

}  // namespace zkd::app::bench
