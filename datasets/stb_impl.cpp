// The translation unit holding the stb_image decoder implementation (header-only library from
// Debian's libstb-dev). Compiled with warnings off (third-party code) but fully sanitized: it
// decodes untrusted files (fuzz_image). The encoder is in stb_write_impl.cpp.
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
#include "stb_image.h"
