// The one translation unit holding the stb_image / stb_image_write implementations (header-only
// libraries from Debian's libstb-dev). Compiled with warnings off (third-party code).
#define STB_IMAGE_IMPLEMENTATION
#include "datasets/image_io.h"  // kMaxImageSide
// stb's own cap is 4x ours, so that stbi_info still reads an oversized header and
// decode_image_32 can say which size it found; anything over it stb refuses by itself.
#define STBI_MAX_DIMENSIONS (4 * zkd::data::kMaxImageSide)
#define STBI_FAILURE_USERMSG
// Only the formats zkd reads (is_image_file): the other decoders are attack surface we do not need.
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "stb_image.h"
#include "stb_image_write.h"
