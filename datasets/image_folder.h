// A data set from a folder tree: root/<class>/<image>, one subfolder per class. Class names are
// the subfolder names sorted (byte order), labels their positions; images are read in sorted
// file-name order. Rules (docs/data.md): .png .jpg .jpeg .bmp in any case; hidden entries and
// other files are skipped; an image not 32x32 is resized (image_io.h) unless `resize` is off.
#pragma once
#include <string>

#include "datasets/image_set.h"

namespace zkd::data {

ImageSet load_image_folder(const std::string& root, bool resize = true);

}  // namespace zkd::data
