// The one translation unit holding the stb_image / stb_image_write implementations (header-only
// libraries from Debian's libstb-dev). Compiled with warnings off (third-party code). Images
// larger than kMaxImageSide on a side are refused by stb itself as well as by load_image_32.
#define STB_IMAGE_IMPLEMENTATION
#include "datasets/image_io.h"  // kMaxImageSide
#define STBI_MAX_DIMENSIONS zkd::data::kMaxImageSide
#define STBI_FAILURE_USERMSG
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "stb_image.h"
#include "stb_image_write.h"
