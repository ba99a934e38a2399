// Loader: the training / evaluation input pipeline. The whole set lives on the device as uint8
// (host memory on the CPU backend); each epoch of a training loader has its own shuffle, a pure
// function of (seed, epoch), uploaded once; each batch is ONE transform (gather, crop, flip,
// normalize) into buffers allocated once, with no host synchronization on the GPU; with the
// strong view enabled (MLKD), a second transform of the same images (datasets/randaugment.h).
#pragma once
#include <cstdint>
#include <vector>

#include "datasets/image_set.h"
#include "kernels/augment.h"

namespace zkd::data {

struct Batch {
  Tensor images;         // float32 [B, 3, 32, 32] on the loader's device, normalized
  Tensor labels;         // int64 [B] on the loader's device
  Tensor strong_images;  // float32 [B, 3, 32, 32], normalized; defined only when the loader's
                         // strong view is enabled
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

class Loader {
 public:
  // train: shuffle every epoch and augment (crop + flip); otherwise data-set order, normalize only.
  Loader(const ImageSet& set, Device device, int64_t batch_size = 64, uint64_t seed = 0,
         bool train = true);

  int64_t size() const { return n_; }
  int64_t batch_size() const { return batch_; }
  Device device() const { return device_; }
  int64_t num_batches() const { return (n_ + batch_ - 1) / batch_; }  // the last partial batch kept
  int64_t epoch() const { return epoch_; }
  // Selects epoch e (0-based): a training loader draws and uploads its permutation. Any order of
  // calls gives the same epoch e, so a resumed run reproduces it.
  void start_epoch(int64_t epoch);
  // Training loaders only: batch(i) also fills Batch::strong_images, MLKD's strong view of the
  // same images (own crop and flip, RandAugment(2, 10), Cutout; its own RNG counters).
  void enable_strong_view();
  bool strong_view() const { return strong_images_.defined(); }
  // Batch i of the current epoch, in [0, num_batches()). The tensors are views of buffers owned
  // by the loader and are overwritten by the next call: clone() to keep one.
  Batch batch(int64_t i);
  // The data-set index and the weak view's (crop, flip) draw of each sample of batch i of the
  // current epoch (training loaders), into out (resized to the batch; no allocation once it has
  // grown): what the teacher-logit cache looks up (docs/teacher-cache.md). Host only, no device
  // work; the same draws as batch(i) makes.
  struct SampleDraw {
    int64_t image;
    AugmentDraw draw;
  };
  void batch_draws(int64_t i, std::vector<SampleDraw>& out) const;
  // The data-set indices of the current epoch in batch order: [N] (identity when not training).
  const std::vector<int64_t>& order() const { return order_host_; }

  // The shuffle of epoch e for seed: a permutation of [0, n).
  static std::vector<int64_t> epoch_permutation(uint64_t seed, int64_t epoch, int64_t n);

 private:
  Device device_;
  int64_t n_, batch_;
  uint64_t seed_;
  bool train_;
  int64_t epoch_ = 0;
  Tensor images_;  // uint8 [N, 3, 32, 32] on device_
  Tensor labels_;  // int64 [N] on device_
  Tensor order_;   // int64 [N] on device_ (training only)
  std::vector<int64_t> order_host_;
  Tensor out_images_;     // float32 [batch, 3, 32, 32] on device_, reused
  Tensor out_labels_;     // int64 [batch] on device_, reused
  Tensor strong_images_;  // float32 [batch, 3, 32, 32] on device_, reused; once the view is enabled
};

}  // namespace zkd::data
