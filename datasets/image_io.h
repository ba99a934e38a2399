// Single images through stb_image: decoding PNG / JPEG / BMP (and what else stb reads) into the
// [3, 32, 32] uint8 layout of the data sets, the resize used for other sizes, and a PNG grid
// writer for looking at batches.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor/tensor.h"

namespace zkd::data {

// Caps for untrusted images, checked before decoding: pixels per side, and file size.
constexpr int kMaxImageSide = 4096;
constexpr uint64_t kMaxImageFileBytes = 64ull << 20;
// The largest PNG grid write_png_grid makes, per side in pixels (--scale is checked against it).
constexpr int64_t kMaxGridSide = 16384;

// Checks the segment structure of a JPEG file before stb sees it: every marker segment inside
// the file, each Huffman table (DHT) with at most 256 codes and its symbols present (a crafted
// DHT drives an out-of-bounds write in stb_image 2.27's table builder). Like stb, it accepts
// 0xFF fill bytes before the FF D8 start marker. Errors name `origin`.
void check_jpeg_segments(const std::string& bytes, const std::string& origin);

// PNG: every chunk up to IEND inside the file (stb sizes its buffer from the lengths). BMP:
// uncompressed pixel data present for the size in the header.
void check_png_chunks(const std::string& bytes, const std::string& origin);
void check_bmp_size(const std::string& bytes, const std::string& origin);

// Decodes the bytes of an image (PNG, JPEG, BMP) to uint8 [3, 32, 32] as load_image_32 does,
// after the checks above; stb is built with only its PNG, JPEG and BMP decoders.
Tensor decode_image_32(const std::string& bytes, const std::string& origin, bool resize = true);

// Decodes an image file to uint8 [3, 32, 32] on the host (RGB: grey is replicated, alpha
// dropped). Another size is resized with resize_bilinear when `resize`, otherwise rejected with
// an error naming the file and its size. Regular files of at most kMaxImageFileBytes, at most
// kMaxImageSide pixels per side (read from the header before decoding).
Tensor load_image_32(const std::string& path, bool resize = true);

// Antialiased bilinear resize, the filter of PIL's Image.resize(BILINEAR): a triangle filter on
// pixel centres ((o + 0.5) * in / out), widened by the scale factor when shrinking so that every
// source pixel contributes, weights renormalized at the borders, rounded to nearest.
// src: uint8 [C, in_h, in_w] -> uint8 [C, out_h, out_w].
std::vector<uint8_t> resize_bilinear(const uint8_t* src, int channels, int in_h, int in_w,
                                     int out_h, int out_w);

// Writes images uint8 [N, 3, H, W] (any device) as a PNG grid of `cols` columns with a 2-pixel
// grey gutter, each image enlarged `scale` times (nearest neighbour) for viewing; a grid wider or
// taller than kMaxGridSide pixels is an error.
void write_png_grid(const std::string& path, const Tensor& images, int cols = 8, int scale = 1);

// A PNG / JPEG / BMP file (by extension) from an image uint8 [3, H, W] on the host (tests).
void write_image(const std::string& path, const Tensor& image);

bool is_image_file(const std::string& path);  // .png .jpg .jpeg .bmp, any case

}  // namespace zkd::data
