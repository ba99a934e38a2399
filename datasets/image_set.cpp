// ImageSet helpers: allocation, the per-class subset, class counts and consistency checks.
#include "datasets/image_set.h"

#include <cstring>

namespace zkd::data {

ImageSet make_image_set(int64_t n, bool with_coarse) {
  ImageSet s;
  s.images = zeros({n, 3, kImageSide, kImageSide}, DType::U8);
  s.labels = zeros({n}, DType::I64);
  if (with_coarse) s.coarse_labels = zeros({n}, DType::I64);
  return s;
}

void check_image_set(const ImageSet& set, const char* op) {
  ZKD_CHECK(set.images.defined() && set.labels.defined(), op,
            "expected an image set with images and labels, got an empty one");
  check_dtype(op, set.images, DType::U8, "images");
  int64_t n = set.images.size(0);
  check_shape(op, set.images, {n, 3, kImageSide, kImageSide}, "images");
  check_dtype(op, set.labels, DType::I64, "labels");
  check_shape(op, set.labels, {n}, "labels");
  ZKD_CHECK(!set.images.is_cuda() && set.images.is_contiguous() && !set.labels.is_cuda(), op,
            "expected contiguous host tensors, got ", set.images.str());
  const int64_t* lab = set.labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    ZKD_CHECK(lab[i] >= 0 && lab[i] < set.num_classes(), op, "expected labels in [0, ",
              set.num_classes(), "), got ", lab[i], " at image ", i);
}

std::vector<int64_t> class_counts(const ImageSet& set) {
  std::vector<int64_t> counts(static_cast<size_t>(set.num_classes()), 0);
  const int64_t* lab = set.labels.data<int64_t>();
  for (int64_t i = 0; i < set.size(); ++i) {
    ZKD_CHECK(lab[i] >= 0 && lab[i] < set.num_classes(), "class_counts", "expected labels in [0, ",
              set.num_classes(), "), got ", lab[i], " at image ", i);
    ++counts[static_cast<size_t>(lab[i])];
  }
  return counts;
}

namespace {
// The images at `keep` (data-set indices, in order), with their labels; names kept.
ImageSet select(const ImageSet& set, const std::vector<int64_t>& keep) {
  ImageSet out = make_image_set(static_cast<int64_t>(keep.size()), set.coarse_labels.defined());
  out.class_names = set.class_names;
  out.coarse_names = set.coarse_names;
  const uint8_t* src = set.images.data<uint8_t>();
  uint8_t* dst = out.images.data<uint8_t>();
  const int64_t* lab = set.labels.data<int64_t>();
  for (size_t j = 0; j < keep.size(); ++j) {
    std::memcpy(dst + j * kImageBytes, src + keep[j] * kImageBytes, kImageBytes);
    out.labels.data<int64_t>()[j] = lab[keep[j]];
    if (set.coarse_labels.defined())
      out.coarse_labels.data<int64_t>()[j] = set.coarse_labels.data<int64_t>()[keep[j]];
  }
  return out;
}
}  // namespace

ImageSet first_per_class(const ImageSet& set, int64_t per_class) {
  check_image_set(set, "first_per_class");
  ZKD_CHECK(per_class > 0, "first_per_class", "expected a positive count per class, got ",
            per_class);
  const int64_t* lab = set.labels.data<int64_t>();
  std::vector<int64_t> taken(static_cast<size_t>(set.num_classes()), 0), keep;
  for (int64_t i = 0; i < set.size(); ++i)
    if (taken[static_cast<size_t>(lab[i])]++ < per_class) keep.push_back(i);
  return select(set, keep);
}

ImageSet first_classes(const ImageSet& set, int64_t classes) {
  check_image_set(set, "first_classes");
  ZKD_CHECK(classes >= 1 && classes <= set.num_classes(), "first_classes", "expected 1 to ",
            set.num_classes(), " classes, got ", classes);
  if (classes == set.num_classes()) return set;
  const int64_t* lab = set.labels.data<int64_t>();
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < set.size(); ++i)
    if (lab[i] < classes) keep.push_back(i);
  ImageSet out = select(set, keep);
  out.class_names.resize(static_cast<size_t>(classes));
  return out;
}

}  // namespace zkd::data
