// A training batch as a PNG, as the network sees it (de-normalized): the images in a grid, or,
// when the batch carries MLKD's strong view, each weak image with its strong view to its right.
#pragma once
#include <string>

#include "datasets/loader.h"

namespace zkd::data {

// `pairs_per_row` images per row (weak | strong pairs when b.strong_images is defined), each
// enlarged `scale` times; see write_png_grid for the layout.
void write_batch_png(const std::string& path, const Batch& b, int pairs_per_row = 4, int scale = 4);

}  // namespace zkd::data
