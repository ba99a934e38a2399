// Image decode / resize / encode with stb_image and stb_image_write (implementations in
// stb_impl.cpp and stb_write_impl.cpp).
#include "datasets/image_io.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "engine/io/atomic_file.h"

#include "stb_image.h"
#include "stb_image_write.h"

namespace zkd::data {
namespace {

// stb's write callback: appends the encoded bytes to a std::string (files go through
// write_file_atomic, never stb's own fopen).
void append_bytes(void* ctx, void* data, int size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), static_cast<size_t>(size));
}

std::string lower_extension(const std::string& path) {
  size_t dot = path.find_last_of('.');
  size_t slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return ext;
}

// The taps of one axis: output o reads source pixels [first[o], first[o] + taps[o]) with
// weights w[o * max_taps + k].
struct AxisFilter {
  std::vector<int> first, taps;
  std::vector<float> w;
  int max_taps = 0;
};

AxisFilter axis_filter(int in, int out) {
  AxisFilter f;
  double scale = static_cast<double>(in) / out;
  double support = std::max(scale, 1.0);
  f.max_taps = static_cast<int>(std::ceil(2 * support)) + 2;
  f.first.resize(out);
  f.taps.resize(out);
  f.w.assign(static_cast<size_t>(out) * f.max_taps, 0.0f);
  for (int o = 0; o < out; ++o) {
    double center = (o + 0.5) * scale;
    int lo = std::max(0, static_cast<int>(std::floor(center - support)));
    int hi = std::min(in, static_cast<int>(std::ceil(center + support)));
    std::vector<double> w;
    double sum = 0;
    for (int i = lo; i < hi; ++i) {
      double t = std::fabs(i + 0.5 - center) / support;
      double v = t < 1 ? 1 - t : 0;
      w.push_back(v);
      sum += v;
    }
    f.first[o] = lo;
    f.taps[o] = static_cast<int>(w.size());
    for (size_t k = 0; k < w.size(); ++k)
      f.w[static_cast<size_t>(o) * f.max_taps + k] = static_cast<float>(w[k] / sum);
  }
  return f;
}

}  // namespace

bool is_image_file(const std::string& path) {
  std::string ext = lower_extension(path);
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

std::vector<uint8_t> resize_bilinear(const uint8_t* src, int channels, int in_h, int in_w,
                                     int out_h, int out_w) {
  ZKD_CHECK(in_h > 0 && in_w > 0 && out_h > 0 && out_w > 0, "resize_bilinear",
            "expected positive sizes, got ", in_h, "x", in_w, " -> ", out_h, "x", out_w);
  AxisFilter fx = axis_filter(in_w, out_w), fy = axis_filter(in_h, out_h);
  std::vector<float> rows(static_cast<size_t>(channels) * in_h * out_w);  // [C, in_h, out_w]
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < in_h; ++y) {
      const uint8_t* s = src + (static_cast<size_t>(c) * in_h + y) * in_w;
      float* d = &rows[(static_cast<size_t>(c) * in_h + y) * out_w];
      for (int o = 0; o < out_w; ++o) {
        float acc = 0;
        for (int k = 0; k < fx.taps[o]; ++k)
          acc += fx.w[static_cast<size_t>(o) * fx.max_taps + k] * s[fx.first[o] + k];
        d[o] = acc;
      }
    }
  std::vector<uint8_t> out(static_cast<size_t>(channels) * out_h * out_w);
  for (int c = 0; c < channels; ++c)
    for (int o = 0; o < out_h; ++o)
      for (int x = 0; x < out_w; ++x) {
        float acc = 0;
        for (int k = 0; k < fy.taps[o]; ++k)
          acc += fy.w[static_cast<size_t>(o) * fy.max_taps + k] *
                 rows[(static_cast<size_t>(c) * in_h + fy.first[o] + k) * out_w + x];
        long v = std::lround(acc);
        out[(static_cast<size_t>(c) * out_h + o) * out_w + x] =
            static_cast<uint8_t>(std::min(255L, std::max(0L, v)));
      }
  return out;
}

void check_jpeg_segments(const std::string& bytes, const std::string& origin) {
  const std::string op = "load_image '" + origin + "'";
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  // stb reads the first marker as the decoder does: 0xFF, any number of 0xFF fill bytes, D8.
  size_t at = 0;
  while (at < n && p[at] == 0xFF) ++at;
  ZKD_CHECK(at >= 1 && at < n && p[at] == 0xD8, op, "expected a JPEG (FF D8), got other bytes");
  ++at;
  // Tables defined so far: Huffman [class DC/AC][id], quantization [id]; the frame's quantization
  // ids. stb 2.27 mallocs its decoder state without zeroing it, so a scan using a table no DHT /
  // DQT defined decodes with leftover heap bytes (fuzz_image: a shift by 32 that depended on them).
  bool huff[2][4] = {}, quant[4] = {};
  std::vector<int> frame_tq;
  while (at < n) {
    // Between segments: fill bytes 0xFF, or entropy-coded data after a scan, which ends at a
    // 0xFF followed by a byte other than 0x00 (stuffing) or a restart marker D0..D7.
    if (p[at] != 0xFF || at + 1 >= n) {
      ++at;
      continue;
    }
    uint8_t m = p[at + 1];
    if (m == 0xFF || m == 0x00 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) {
      at += (m == 0xFF) ? 1 : 2;
      continue;
    }
    if (m == 0xD9) return;  // end of image
    ZKD_CHECK(at + 4 <= n, op, "expected a segment length after marker FF ", int(m), " at byte ",
              at, ", got the end of the file");
    size_t len = (size_t{p[at + 2]} << 8) | p[at + 3];
    ZKD_CHECK(len >= 2 && at + 2 + len <= n, op, "expected segment FF ", int(m), " at byte ", at,
              " to fit in the file, got length ", len);
    // Progressive frames (SOF2 and its arithmetic twins): stb's progressive decoder shifts a
    // 32-bit value by 32 on crafted scans (a fuzzer finding, undefined behaviour), so only
    // baseline / extended sequential JPEGs reach it.
    ZKD_CHECK(m != 0xC2 && m != 0xC6 && m != 0xCA && m != 0xCE, op,
              "expected a baseline JPEG, got a progressive one (marker FF ", int(m), ")");
    if (m == 0xC4) {  // DHT: tables of (class/id, 16 code counts, symbols)
      size_t q = at + 4, end = at + 2 + len;
      while (q < end) {
        ZKD_CHECK(q + 17 <= end, op, "expected a whole Huffman table header at byte ", q,
                  ", got the end of its segment");
        size_t codes = 0;
        for (int i = 1; i <= 16; ++i) codes += p[q + i];
        ZKD_CHECK(codes <= 256, op, "expected at most 256 codes in the Huffman table at byte ", q,
                  ", got ", codes);
        ZKD_CHECK(q + 17 + codes <= end, op, "expected ", codes, " Huffman symbols at byte ",
                  q + 17, ", got the end of the segment");
        if ((p[q] >> 4) < 2 && (p[q] & 15) < 4) huff[p[q] >> 4][p[q] & 15] = true;
        q += 17 + codes;
      }
    }
    if (m == 0xDB)  // DQT: tables of (precision/id, 64 entries of 1 or 2 bytes)
      for (size_t q = at + 4, end = at + 2 + len; q < end; q += 1 + ((p[q] >> 4) ? 128 : 64))
        if ((p[q] & 15) < 4) quant[p[q] & 15] = true;
    if ((m == 0xC0 || m == 0xC1) && len >= 8) {  // SOF0 / SOF1: components (id, sampling, Tq)
      frame_tq.clear();
      for (size_t c = 0; c < p[at + 9] && at + 12 + 3 * c < at + 2 + len; ++c)
        frame_tq.push_back(p[at + 12 + 3 * c]);
    }
    if (m == 0xDA && len >= 3) {  // SOS: components (id, DC table << 4 | AC table)
      for (size_t c = 0; c < p[at + 4] && at + 6 + 2 * c < at + 2 + len; ++c) {
        int td = p[at + 6 + 2 * c] >> 4, ta = p[at + 6 + 2 * c] & 15;
        ZKD_CHECK(td < 4 && ta < 4 && huff[0][td] && huff[1][ta], op, "expected the Huffman ",
                  "tables of scan component ", c, " (DC ", td, ", AC ", ta, ") defined before the ",
                  "scan at byte ", at, ", got a table no DHT segment defined");
      }
      for (int tq : frame_tq)
        ZKD_CHECK(tq < 4 && quant[tq], op, "expected quantization table ", tq, " defined before ",
                  "the scan at byte ", at, ", got no DQT segment defining it");
    }
    at += 2 + len;
  }
}

void check_png_chunks(const std::string& bytes, const std::string& origin) {
  const std::string op = "load_image '" + origin + "'";
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  size_t at = 8;  // after the signature
  while (true) {
    ZKD_CHECK(at + 12 <= n, op, "expected a PNG chunk at byte ", at, ", got the end of the file");
    uint64_t len = (uint64_t{p[at]} << 24) | (uint64_t{p[at + 1]} << 16) |
                   (uint64_t{p[at + 2]} << 8) | p[at + 3];
    ZKD_CHECK(len <= n - at - 12, op, "expected PNG chunk at byte ", at,
              " to fit in the file, got ", "length ", len);
    if (std::memcmp(p + at + 4, "IEND", 4) == 0) return;
    at += 12 + len;
  }
}

void check_bmp_size(const std::string& bytes, const std::string& origin) {
  const std::string op = "load_image '" + origin + "'";
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  auto u32 = [&](size_t o) {
    return uint32_t{p[o]} | (uint32_t{p[o + 1]} << 8) | (uint32_t{p[o + 2]} << 16) |
           (uint32_t{p[o + 3]} << 24);
  };
  ZKD_CHECK(bytes.size() >= 34, op, "expected a BMP header, got ", bytes.size(), " bytes");
  if (u32(14) < 40) return;  // old OS/2 header: stb reads 16-bit sizes (at most 65535 pixels)
  const uint64_t offset = u32(10), compression = u32(30), bpp = p[28] | (p[29] << 8);
  const int64_t w = static_cast<int32_t>(u32(18)), h = static_cast<int32_t>(u32(22));
  if (compression != 0 && compression != 3) return;  // stb refuses RLE itself
  // Uncompressed rows of 4-byte-aligned bits: the pixels must be in the file.
  const uint64_t aw = static_cast<uint64_t>(w < 0 ? -w : w),
                 ah = static_cast<uint64_t>(h < 0 ? -h : h);
  if (aw > static_cast<uint64_t>(kMaxImageSide) || ah > static_cast<uint64_t>(kMaxImageSide))
    return;
  const uint64_t need = offset + (aw * bpp + 31) / 32 * 4 * ah;
  ZKD_CHECK(need <= bytes.size(), op, "expected ", need, " bytes for a ", aw, "x", ah, " BMP of ",
            bpp, " bits per pixel, got ", bytes.size());
}

Tensor decode_image_32(const std::string& bytes, const std::string& origin, bool resize) {
  ZKD_CHECK(bytes.size() <= static_cast<size_t>(INT32_MAX), "load_image", "expected an image under",
            " 2 GiB in '", origin, "', got ", bytes.size(), " bytes");
  // Whatever starts with 0xFF is what stb would try as a JPEG (fill bytes may precede FF D8).
  if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) == 0xFF) check_jpeg_segments(bytes, origin);
  // A chunk length stb trusts drives its buffer size (2 GiB from a 75-byte file, fuzz_image).
  if (bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) check_png_chunks(bytes, origin);
  // A BMP header claiming 4096x4096 pixels decodes 64 MB of zeros from a few bytes.
  if (bytes.compare(0, 2, "BM") == 0) check_bmp_size(bytes, origin);
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = static_cast<int>(bytes.size());
  int w = 0, h = 0, comp = 0;
  ZKD_CHECK(stbi_info_from_memory(data, len, &w, &h, &comp) != 0, "load_image",
            "expected a PNG, JPEG or BMP image in '", origin, "', got one stb_image cannot read (",
            stbi_failure_reason(), ")");
  ZKD_CHECK(w > 0 && h > 0 && w <= kMaxImageSide && h <= kMaxImageSide, "load_image",
            "expected at most ", kMaxImageSide, "x", kMaxImageSide, " pixels in '", origin,
            "', got ", w, "x", h);
  uint8_t* hwc = stbi_load_from_memory(data, len, &w, &h, &comp, 3);
  ZKD_CHECK(hwc != nullptr, "load_image", "expected a PNG, JPEG or BMP image in '", origin,
            "', got one stb_image cannot decode (", stbi_failure_reason(), ")");
  std::vector<uint8_t> chw(static_cast<size_t>(3) * w * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        chw[(static_cast<size_t>(c) * h + y) * w + x] =
            hwc[(static_cast<size_t>(y) * w + x) * 3 + c];
  stbi_image_free(hwc);
  if (w != 32 || h != 32) {
    ZKD_CHECK(resize, "load_image", "expected a 32x32 image in '", origin, "', got ", w, "x", h,
              " (width x height); resizing is switched off");
    chw = resize_bilinear(chw.data(), 3, h, w, 32, 32);
  }
  return from_vector(chw, {3, 32, 32});
}

Tensor load_image_32(const std::string& path, bool resize) {
  return decode_image_32(read_file(path, "load_image", kMaxImageFileBytes), path, resize);
}

void write_png_grid(const std::string& path, const Tensor& images, int cols, int scale) {
  check_dtype("write_png_grid", images, DType::U8, "images");
  check_rank("write_png_grid", images, 4, "[N, 3, H, W]");
  ZKD_CHECK(images.size(1) == 3 && images.size(0) > 0 && cols > 0 && scale > 0, "write_png_grid",
            "expected [N >= 1, 3, H, W] images, cols > 0 and scale > 0, got ",
            shape_str(images.shape()), ", cols ", cols, ", scale ", scale);
  // Sizes in int64, each factor bounded before it is multiplied: no overflow for any scale.
  const int64_t n = images.size(0), h = images.size(2), w = images.size(3), gap = 2;
  const int64_t c64 = std::min<int64_t>(cols, n), r64 = (n + c64 - 1) / c64;
  bool fits = h <= kMaxGridSide && w <= kMaxGridSide && scale <= kMaxGridSide &&
              c64 <= kMaxGridSide && r64 <= kMaxGridSide;
  int64_t gw64 = fits ? c64 * (w * scale + gap) + gap : 0,
          gh64 = fits ? r64 * (h * scale + gap) + gap : 0;
  ZKD_CHECK(fits && gw64 <= kMaxGridSide && gh64 <= kMaxGridSide, "write_png_grid",
            "expected a grid of at most ", kMaxGridSide, "x", kMaxGridSide, " pixels, got ", n,
            " images of ", h, "x", w, " at scale ", scale, " in ", c64, " columns");
  Tensor host = images.to(Device::cpu()).contiguous();
  const int sh = static_cast<int>(h * scale), sw = static_cast<int>(w * scale);
  cols = static_cast<int>(c64);
  const int gw = static_cast<int>(gw64), gh = static_cast<int>(gh64);
  std::vector<uint8_t> grid(static_cast<size_t>(gw) * gh * 3, 128);
  const uint8_t* src = host.data<uint8_t>();
  for (int i = 0; i < n; ++i) {
    int ox = gap + (i % cols) * (sw + gap), oy = gap + (i / cols) * (sh + gap);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < sh; ++y)
        for (int x = 0; x < sw; ++x)
          grid[(static_cast<size_t>(oy + y) * gw + ox + x) * 3 + c] =
              src[((static_cast<size_t>(i) * 3 + c) * h + y / scale) * w + x / scale];
  }
  std::string png;
  ZKD_CHECK(stbi_write_png_to_func(append_bytes, &png, gw, gh, 3, grid.data(), gw * 3) != 0,
            "write_png_grid", "expected stb to encode '", path, "', got an error");
  write_file_atomic(path, png);
}

void write_image(const std::string& path, const Tensor& image) {
  check_dtype("write_image", image, DType::U8, "image");
  check_rank("write_image", image, 3, "[3, H, W]");
  Tensor host = image.to(Device::cpu()).contiguous();
  const int h = static_cast<int>(host.size(1)), w = static_cast<int>(host.size(2));
  std::vector<uint8_t> hwc(static_cast<size_t>(3) * h * w);
  const uint8_t* src = host.data<uint8_t>();
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < h * w; ++i) hwc[static_cast<size_t>(i) * 3 + c] = src[c * h * w + i];
  std::string ext = lower_extension(path);
  int ok = 0;
  std::string bytes;
  if (ext == ".png")
    ok = stbi_write_png_to_func(append_bytes, &bytes, w, h, 3, hwc.data(), w * 3);
  else if (ext == ".jpg" || ext == ".jpeg")
    ok = stbi_write_jpg_to_func(append_bytes, &bytes, w, h, 3, hwc.data(), 95);
  else if (ext == ".bmp")
    ok = stbi_write_bmp_to_func(append_bytes, &bytes, w, h, 3, hwc.data());
  else
    ZKD_FAIL("write_image", "expected a .png, .jpg or .bmp path, got '", path, "'");
  ZKD_CHECK(ok != 0, "write_image", "expected stb to encode '", path, "', got an error");
  write_file_atomic(path, bytes);
}

}  // namespace zkd::data
