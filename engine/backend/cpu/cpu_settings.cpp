// The CPU backend's thread count and reference switch (cpu_settings.h).
#include "engine/core/cpu_settings.h"

#include <cblas.h>
#include <malloc.h>
#include <omp.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "engine/core/error.h"

namespace zkd {

namespace {
bool env_on(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::strcmp(v, "") != 0 && std::strcmp(v, "0") != 0;
}
std::atomic<bool> g_reference{env_on("ZKD_CPU_REFERENCE")};
std::atomic<bool> g_bf16_emulated{env_on("ZKD_CPU_BF16_EMULATE")};
std::atomic<int> g_threads{0};  // 0: not set yet, the runtimes' default (all cores)

// Host tensors come from aligned_alloc (engine/memory/cpu_allocator.cpp). glibc serves large
// blocks with fresh mmap pages, so every op's output of a training step page-faulted anew
// (measured: a quarter of a resnet20 CPU step in the kernel). Blocks up to 256 MiB now stay on
// the heap and are reused from one step to the next, and freed memory is kept (trim at 1 GiB).
const bool g_malloc_tuned = [] {
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return true;
}();
}  // namespace

int cpu_cores() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void set_cpu_threads(int n) {
  ZKD_CHECK(n >= 1, "set_cpu_threads", "expected a thread count >= 1, got ", n);
  omp_set_num_threads(n);       // oneDNN (OpenMP runtime) and the backend's own loops
  openblas_set_num_threads(n);  // OpenBLAS (pthread build): the reference path and leftovers
  g_threads = n;
}

int cpu_threads() {
  int n = g_threads;
  return n == 0 ? omp_get_max_threads() : n;
}

void set_cpu_reference(bool on) {
  g_reference = on;
}
bool cpu_reference() {
  return g_reference;
}

void set_cpu_bf16_emulated(bool on) {
  g_bf16_emulated = on;
}
bool cpu_bf16_emulated() {
  return g_bf16_emulated;
}

}  // namespace zkd
