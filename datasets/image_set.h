// ImageSet: a labeled set of 32x32 RGB images held on the host, the common output of the
// CIFAR-100 reader and the image-folder reader, and the input of the training Loader.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor/tensor.h"

namespace zkd::data {

constexpr int64_t kImageSide = 32;
constexpr int64_t kImageBytes = 3 * kImageSide * kImageSide;  // 3,072: planes R, G, B
constexpr int64_t kImagePixels = kImageBytes;                 // values per image (3 x 32 x 32)

struct ImageSet {
  Tensor images;         // uint8 [N, 3, 32, 32] on the host
  Tensor labels;         // int64 [N] on the host: the class (the fine label for CIFAR-100)
  Tensor coarse_labels;  // int64 [N] on the host; CIFAR-100 only, undefined otherwise
  std::vector<std::string> class_names;   // label -> name
  std::vector<std::string> coarse_names;  // CIFAR-100 only

  int64_t size() const { return images.defined() ? images.size(0) : 0; }
  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }
};

// An empty set of n images (all fields allocated on the host, zero-filled).
ImageSet make_image_set(int64_t n, bool with_coarse);
// The first `per_class` images of every class, in data-set order (the quick preset's subset);
// a class with fewer images contributes all it has.
ImageSet first_per_class(const ImageSet& set, int64_t per_class);
// The images of the first `classes` classes (labels 0 .. classes-1), names truncated to them.
ImageSet first_classes(const ImageSet& set, int64_t classes);
// Number of images of each class: [num_classes].
std::vector<int64_t> class_counts(const ImageSet& set);
// Checks shapes and dtypes and that every label is < num_classes; errors name `op`.
void check_image_set(const ImageSet& set, const char* op);

}  // namespace zkd::data
