// Image decode / resize / encode with stb_image and stb_image_write (implementations in
// stb_impl.cpp).
#include "datasets/image_io.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "stb_image.h"
#include "stb_image_write.h"

namespace zkd::data {
namespace {

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

Tensor load_image_32(const std::string& path, bool resize) {
  int w = 0, h = 0, comp = 0;
  uint8_t* hwc = stbi_load(path.c_str(), &w, &h, &comp, 3);
  ZKD_CHECK(hwc != nullptr, "load_image", "expected a PNG, JPEG or BMP image in '", path,
            "', got one stb_image cannot decode (", stbi_failure_reason(), ")");
  std::vector<uint8_t> chw(static_cast<size_t>(3) * w * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        chw[(static_cast<size_t>(c) * h + y) * w + x] =
            hwc[(static_cast<size_t>(y) * w + x) * 3 + c];
  stbi_image_free(hwc);
  if (w != 32 || h != 32) {
    ZKD_CHECK(resize, "load_image", "expected a 32x32 image in '", path, "', got ", w, "x", h,
              " (width x height); resizing is switched off");
    chw = resize_bilinear(chw.data(), 3, h, w, 32, 32);
  }
  return from_vector(chw, {3, 32, 32});
}

void write_png_grid(const std::string& path, const Tensor& images, int cols, int scale) {
  check_dtype("write_png_grid", images, DType::U8, "images");
  check_rank("write_png_grid", images, 4, "[N, 3, H, W]");
  ZKD_CHECK(images.size(1) == 3 && images.size(0) > 0 && cols > 0 && scale > 0, "write_png_grid",
            "expected [N >= 1, 3, H, W] images, cols > 0 and scale > 0, got ",
            shape_str(images.shape()), ", cols ", cols, ", scale ", scale);
  Tensor host = images.to(Device::cpu()).contiguous();
  const int n = static_cast<int>(host.size(0)), h = static_cast<int>(host.size(2)),
            w = static_cast<int>(host.size(3)), gap = 2, sh = h * scale, sw = w * scale;
  cols = std::min(cols, n);
  int rows = (n + cols - 1) / cols;
  int gw = cols * (sw + gap) + gap, gh = rows * (sh + gap) + gap;
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
  ZKD_CHECK(stbi_write_png(path.c_str(), gw, gh, 3, grid.data(), gw * 3) != 0, "write_png_grid",
            "expected to write '", path, "', got a write error");
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
  if (ext == ".png")
    ok = stbi_write_png(path.c_str(), w, h, 3, hwc.data(), w * 3);
  else if (ext == ".jpg" || ext == ".jpeg")
    ok = stbi_write_jpg(path.c_str(), w, h, 3, hwc.data(), 95);
  else if (ext == ".bmp")
    ok = stbi_write_bmp(path.c_str(), w, h, 3, hwc.data());
  else
    ZKD_FAIL("write_image", "expected a .png, .jpg or .bmp path, got '", path, "'");
  ZKD_CHECK(ok != 0, "write_image", "expected to write '", path, "', got a write error");
}

}  // namespace zkd::data
