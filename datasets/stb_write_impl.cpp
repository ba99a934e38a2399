// The translation unit holding the stb_image_write encoder implementation (header-only library
// from Debian's libstb-dev; PNG grids, test fixtures). Warnings off and no UBSan shift-base check
// (its JPEG encoder shifts negative ints): third-party code that only writes our own pixels.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "stb_image_write.h"
