// What the process holds in memory, read once per epoch for log.jsonl (docs/memory.md): the
// resident set of the process and, on CUDA, the caching allocator's bytes in tensors and held
// from the device. Growth from one epoch to the next is a leak (per epoch, evaluation or
// checkpoint); the e2e and GPU checks hold it flat after the first epochs.
#pragma once

namespace zkd::app {

struct MemoryUse {
  double rss_mb = 0;  // resident set size in MiB (/proc/self/statm); NaN where it cannot be read
  // CUDA runs only (NaN otherwise): the caching allocator's bytes in live tensors and bytes
  // reserved from the device, in MiB. Host-side counters: reading them waits for nothing.
  double gpu_allocated_mb = 0, gpu_reserved_mb = 0;
};

// Reads the counters now; cuda: the run's device is a GPU. No device synchronization.
MemoryUse memory_use(bool cuda);

}  // namespace zkd::app
