// write_batch_png: interleaves the weak and strong views (uint8 [2B, 3, 32, 32]) and hands them
// to write_png_grid with an even number of columns, so each pair sits side by side.
#include "datasets/batch_png.h"

#include <cstring>

#include "datasets/augment.h"
#include "datasets/image_io.h"

namespace zkd::data {

void write_batch_png(const std::string& path, const Batch& b, int pairs_per_row, int scale) {
  ZKD_CHECK(pairs_per_row > 0, "write_batch_png", "expected a positive pairs_per_row, got ",
            pairs_per_row);
  Tensor weak = denormalize_images(b.images);
  if (!b.strong_images.defined()) {
    write_png_grid(path, weak, 2 * pairs_per_row, scale);
    return;
  }
  Tensor strong = denormalize_images(b.strong_images);
  ZKD_CHECK(strong.shape() == weak.shape(), "write_batch_png",
            "expected strong_images shaped like images, got ", strong.size(0), " and ",
            weak.size(0), " images");
  const int64_t n = weak.size(0), per = weak.numel() / n;
  Tensor pairs = Tensor::empty({2 * n, weak.size(1), weak.size(2), weak.size(3)}, DType::U8);
  uint8_t* dst = pairs.data<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(dst + (2 * i) * per, weak.data<uint8_t>() + i * per, static_cast<size_t>(per));
    std::memcpy(dst + (2 * i + 1) * per, strong.data<uint8_t>() + i * per,
                static_cast<size_t>(per));
  }
  write_png_grid(path, pairs, 2 * pairs_per_row, scale);
}

}  // namespace zkd::data
