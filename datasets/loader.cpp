// The Loader: device-resident data, per-epoch shuffle, one transform per batch.
#include "datasets/loader.h"

#include <numeric>

#include "datasets/augment.h"
#include "datasets/randaugment.h"

namespace zkd::data {

namespace {
// Keeps the loader's shuffle counters apart from any other Generator built on the run's seed.
constexpr uint64_t kShuffleSalt = 0x9E3779B97F4A7C15ull;
}  // namespace

std::vector<int64_t> Loader::epoch_permutation(uint64_t seed, int64_t epoch, int64_t n) {
  // Epoch e uses Shuffle-stream counters [e * 2^32, e * 2^32 + n): disjoint across epochs.
  Generator gen(seed ^ kShuffleSalt, static_cast<uint64_t>(epoch) << 32);
  return gen.permutation(n);
}

Loader::Loader(const ImageSet& set, Device device, int64_t batch_size, uint64_t seed, bool train)
    : device_(device), n_(set.size()), batch_(batch_size), seed_(seed), train_(train) {
  check_image_set(set, "Loader");
  ZKD_CHECK(n_ > 0 && n_ < (int64_t(1) << 32), "Loader",
            "expected between 1 and 2^32 - 1 images, got ", n_);
  ZKD_CHECK(batch_size > 0, "Loader", "expected a positive batch size, got ", batch_size);
  images_ = set.images.contiguous().to(device);
  labels_ = set.labels.contiguous().to(device);
  int64_t cap = std::min(batch_, n_);
  out_images_ = Tensor::empty({cap, 3, kImageSide, kImageSide}, DType::F32, device);
  out_labels_ = Tensor::empty({cap}, DType::I64, device);
  if (train_) order_ = Tensor::empty({n_}, DType::I64, device);
  start_epoch(0);
}

void Loader::start_epoch(int64_t epoch) {
  ZKD_CHECK(epoch >= 0 && epoch < (int64_t(1) << 32), "Loader::start_epoch",
            "expected an epoch in [0, 2^32), got ", epoch);
  epoch_ = epoch;
  if (!train_) {
    if (order_host_.empty()) {
      order_host_.resize(static_cast<size_t>(n_));
      std::iota(order_host_.begin(), order_host_.end(), int64_t(0));
    }
    return;
  }
  order_host_ = epoch_permutation(seed_, epoch, n_);
  // One upload per epoch; the host->device copy is staged, so order_host_ may change at once.
  order_.copy_from(from_vector(order_host_, {n_}));
}

void Loader::enable_strong_view() {
  ZKD_CHECK(train_, "Loader::enable_strong_view",
            "expected a training loader (the strong view is an augmentation), got a test loader");
  if (!strong_images_.defined())
    strong_images_ = Tensor::empty(out_images_.shape(), DType::F32, device_);
}

Batch Loader::batch(int64_t i) {
  ZKD_CHECK(i >= 0 && i < num_batches(), "Loader::batch", "expected a batch index in [0, ",
            num_batches(), "), got ", i);
  AugmentArgs a;
  a.images = images_.data<uint8_t>();
  a.labels = labels_.data<int64_t>();
  a.order = train_ ? order_.data<int64_t>() : nullptr;
  a.start = i * batch_;
  a.count = std::min(batch_, n_ - a.start);
  a.params = make_augment_params(seed_, static_cast<uint64_t>(epoch_), train_);
  a.out = out_images_.data<float>();
  a.out_labels = out_labels_.data<int64_t>();
  if (device_.is_cuda())
    augment_batch_cuda(a);
  else
    augment_batch_cpu(a);
  Batch b;
  b.images = a.count == out_images_.size(0)
                 ? out_images_
                 : out_images_.view_at(0, {a.count, 3, kImageSide, kImageSide});
  if (strong_images_.defined()) {  // same images and params; its own counters (docs/randaugment.md)
    a.out = strong_images_.data<float>();
    if (device_.is_cuda())
      randaugment_batch_cuda(a);
    else
      randaugment_batch_cpu(a);
    b.strong_images = a.count == strong_images_.size(0)
                          ? strong_images_
                          : strong_images_.view_at(0, {a.count, 3, kImageSide, kImageSide});
  }
  b.labels = a.count == out_labels_.size(0) ? out_labels_ : out_labels_.view_at(0, {a.count});
  return b;
}

void Loader::batch_draws(int64_t i, std::vector<SampleDraw>& out) const {
  ZKD_CHECK(train_, "Loader::batch_draws", "expected a training loader, got a test loader");
  ZKD_CHECK(i >= 0 && i < num_batches(), "Loader::batch_draws", "expected a batch index in [0, ",
            num_batches(), "), got ", i);
  const int64_t start = i * batch_, count = std::min(batch_, n_ - start);
  out.resize(static_cast<size_t>(count));
  for (int64_t b = 0; b < count; ++b) {
    int64_t src = order_host_[static_cast<size_t>(start + b)];
    out[static_cast<size_t>(b)] = {
        src, augment_draw(seed_, static_cast<uint64_t>(epoch_), static_cast<uint64_t>(src))};
  }
}

}  // namespace zkd::data
