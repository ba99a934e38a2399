// The one translation unit holding the stb_image / stb_image_write implementations (header-only
// libraries from Debian's libstb-dev). Compiled with warnings off (third-party code).
#define STB_IMAGE_IMPLEMENTATION
#define STBI_FAILURE_USERMSG
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "stb_image.h"
#include "stb_image_write.h"
