// Sweep memory estimate (see memory_estimate.h).
#include "apps/sweep/memory_estimate.h"

#include <malloc.h>

#include <cstdio>

#include "apps/run/trainer.h"
#include "datasets/image_set.h"
#include "engine/memory/gpu_api.h"
#include "nets/registry.h"

namespace zkd::app::sweep {

namespace {
constexpr int64_t kMiB = 1 << 20;
// Assumptions (docs/sweeps.md): cuDNN workspace per member (stream), CUDA context + allocator
// slack per process, and the backward pass's transient activation gradients as a factor.
constexpr int64_t kWorkspace = 256 * kMiB;
constexpr int64_t kFixed = 512 * kMiB;
constexpr double kBackwardFactor = 1.5;

int64_t heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 m = mallinfo2();
  return static_cast<int64_t>(m.uordblks + m.hblkhd);
#else
  return -1;
#endif
}

int64_t params_of(const std::string& model, int64_t classes) {
  Generator g(0);
  return nets::create(model, g, classes)->num_parameters();
}

std::string gib(int64_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1024.0 * kMiB));
  return buf;
}
}  // namespace

int64_t graph_bytes_per_image(const std::string& model, int64_t num_classes) {
  Generator g(0);
  std::shared_ptr<Module> m = nets::create(model, g, num_classes);
  m->train();
  auto kept = [&](int64_t batch) {
    Variable x(full({batch, 3, 32, 32}, 0.5, DType::F32, Device::cpu()));
    int64_t before = heap_in_use();
    Variable y = (*m)(x);  // the graph (and y) stay alive until the reading below
    int64_t after = heap_in_use();
    return after - before;
  };
  if (heap_in_use() < 0) return -1;
  kept(2);  // warm-up: one-time caches of the CPU backend
  int64_t two = kept(2), four = kept(4);
  return std::max<int64_t>(0, (four - two) / 2);
}

MemoryEstimate estimate_memory(const TrainConfig& cfg, int64_t members, int64_t train_images,
                               int64_t test_images) {
  MemoryEstimate e;
  e.members = members;
  e.state = 3 * 4 * params_of(cfg.model, cfg.num_classes);
  int64_t act = std::max<int64_t>(graph_bytes_per_image(cfg.model, cfg.num_classes), 0);
  e.activations = static_cast<int64_t>(kBackwardFactor * static_cast<double>(act * cfg.batch_size));
  // Device-resident uint8 images and int64 labels (the loader's copy of each split).
  e.data = (train_images + test_images) * (data::kImageBytes + 8);
  e.workspace = kWorkspace;
  e.per_member = e.state + e.activations + e.data + e.workspace;
  if (cfg.distills()) {
    int64_t tact = std::max<int64_t>(graph_bytes_per_image(cfg.teacher_model, cfg.num_classes), 0);
    e.teacher = 4 * params_of(cfg.teacher_model, cfg.num_classes) + tact * cfg.batch_size * members;
  }
  e.fixed = kFixed;
  return e;
}

std::string MemoryEstimate::describe() const {
  std::string s = std::to_string(members) + " member(s) x " + gib(per_member) +
                  " (parameters+grads+momentum " + gib(state) + ", activations " +
                  gib(activations) + ", data " + gib(data) + ", workspace " + gib(workspace) + ")";
  if (teacher > 0)
    s += " + teacher " + gib(teacher) + " (weights + one stacked forward, upper bound)";
  s += " + CUDA context " + gib(fixed) + " = " + gib(total());
  return s;
}

void check_fits(const MemoryEstimate& e, const std::string& device) {
  Device dev = pick_device(device);
  if (!dev.is_cuda()) return;
  gpu::DeviceMemory m = gpu::device_memory();
  ZKD_CHECK(e.total() <= m.free, "sweep",
            "expected the sweep's members to fit in GPU memory together: ", e.describe(), ", got ",
            gib(m.free), " free of ", gib(m.total),
            "; run fewer members per process (several sweeps, or one member each with --member I)");
}

}  // namespace zkd::app::sweep
