// The device memory a sweep needs when its members are resident together (the GPU design of
// docs/sweeps.md), estimated before the start: per member the parameters, gradients and SGD
// momentum (3 x 4 bytes per parameter), the activations the autograd graph keeps for a batch
// (measured per image on the CPU, x1.5 for the backward pass's transient gradients), its own
// device-resident copy of the data set and a cuDNN workspace; once for the teacher its weights
// and its stacked forward over all members' batches; once a fixed CUDA context. The constants are
// assumptions written next to them, compared with zkd-bench's measured peaks in docs/sweeps.md.
#pragma once
#include <cstdint>
#include <string>

#include "apps/config/config.h"

namespace zkd::app::sweep {

// Bytes of host memory a training-mode forward keeps alive per image (the autograd graph's saved
// tensors and outputs), measured as the heap growth between batches 2 and 4 on the CPU (glibc's
// mallinfo2; -1 where not available).
int64_t graph_bytes_per_image(const std::string& model, int64_t num_classes);

struct MemoryEstimate {
  int64_t members = 0;
  int64_t per_member = 0;  // state + activations + data + workspace
  int64_t state = 0, activations = 0, data = 0, workspace = 0;  // of one member
  int64_t teacher = 0;  // weights + stacked forward of all members (upper bound)
  int64_t fixed = 0;    // CUDA context and allocator slack
  int64_t total() const { return members * per_member + teacher + fixed; }
  std::string describe() const;  // "4 members x 0.61 GiB (...) + teacher 0.2 GiB + ... = 2.8 GiB"
};

// cfg: one member's config (all members share model, batch and data sizes, or the largest is
// passed); train_images / test_images: the data set's sizes.
MemoryEstimate estimate_memory(const TrainConfig& cfg, int64_t members, int64_t train_images,
                               int64_t test_images);

// On a GPU: throws zkd::Error with the estimate when it exceeds the device's free memory.
// On the CPU: nothing (the caller prints the estimate).
void check_fits(const MemoryEstimate& e, const std::string& device);

}  // namespace zkd::app::sweep
