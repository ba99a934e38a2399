// SVG and raster canvases (see canvas.h).
#include "apps/report/canvas.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/core/error.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "stb_easy_font.h"
#pragma GCC diagnostic pop
#include "stb_image_write.h"  // implemented in datasets/stb_write_impl.cpp

namespace zkd::app {

namespace {
constexpr int kSuper = 2;  // raster supersampling factor per axis

std::string color(Rgb c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

std::string num(double v) {  // short coordinates
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

const char* anchor_name(Anchor a) {
  return a == Anchor::Start ? "start" : a == Anchor::Middle ? "middle" : "end";
}

// stb_easy_font's glyphs are 7 units tall at scale 1 (capitals and digits); sans-serif capitals
// are about 0.72 of the font size.
double font_scale(double size) {
  return 0.72 * size / 7.0;
}
}  // namespace

double text_width(const std::string& s, double size) {
  return 0.6 * size * static_cast<double>(s.size());
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f)
          out += ch;  // no control characters
    }
  }
  return out;
}

// ---- defaults of both back ends ----

void Canvas::polyline(const Points& pts, Rgb c, double width) {
  for (size_t i = 1; i < pts.size(); ++i)
    line(pts[i - 1].first, pts[i - 1].second, pts[i].first, pts[i].second, c, width);
  if (pts.size() == 1) dot(pts[0].first, pts[0].second, width, c);
}

void Canvas::dot(double x, double y, double radius, Rgb c) {
  line(x, y, x, y, c, 2 * radius);
}

// ---- SVG ----

SvgCanvas::SvgCanvas(int width, int height) {
  os_ << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height
      << "' viewBox='0 0 " << width << " " << height << "' font-family='sans-serif'>\n"
      << "<rect width='" << width << "' height='" << height << "' fill='white'/>\n";
}

void SvgCanvas::line(double x0, double y0, double x1, double y1, Rgb c, double width, double dash) {
  os_ << "<line x1='" << num(x0) << "' y1='" << num(y0) << "' x2='" << num(x1) << "' y2='"
      << num(y1) << "' stroke='" << color(c) << "' stroke-width='" << width << "'";
  if (dash > 0) os_ << " stroke-dasharray='" << dash << "," << dash << "'";
  os_ << "/>\n";
}

void SvgCanvas::polyline(const Points& pts, Rgb c, double width) {
  os_ << "<polyline fill='none' stroke='" << color(c) << "' stroke-width='" << width
      << "' stroke-linejoin='round' points='";
  for (const auto& [x, y] : pts) os_ << num(x) << "," << num(y) << " ";
  os_ << "'/>\n";
}

void SvgCanvas::fill_rect(double x, double y, double w, double h, Rgb c) {
  os_ << "<rect x='" << num(x) << "' y='" << num(y) << "' width='" << num(w) << "' height='"
      << num(h) << "' fill='" << color(c) << "'/>\n";
}

void SvgCanvas::dot(double x, double y, double radius, Rgb c) {
  os_ << "<circle cx='" << num(x) << "' cy='" << num(y) << "' r='" << radius << "' fill='"
      << color(c) << "'/>\n";
}

void SvgCanvas::text(double x, double y, const std::string& s, Rgb c, double size, Anchor a) {
  os_ << "<text x='" << num(x) << "' y='" << num(y) << "' font-size='" << size << "' fill='"
      << color(c) << "' text-anchor='" << anchor_name(a) << "'>" << xml_escape(s) << "</text>\n";
}

std::string SvgCanvas::finish() {
  return os_.str() + "</svg>\n";
}

// ---- raster ----

RasterCanvas::RasterCanvas(int width, int height)
    : w_(width), h_(height), px_(static_cast<size_t>(width) * height * 3 * kSuper * kSuper, 255) {
  ZKD_CHECK(width > 0 && height > 0 && width <= 8192 && height <= 8192, "plot",
            "expected a canvas size in [1, 8192], got ", width, " x ", height);
}

void RasterCanvas::put(int x, int y, Rgb c) {
  if (x < 0 || y < 0 || x >= w_ * kSuper || y >= h_ * kSuper) return;
  uint8_t* p = &px_[(static_cast<size_t>(y) * w_ * kSuper + x) * 3];
  p[0] = c.r, p[1] = c.g, p[2] = c.b;
}

void RasterCanvas::line(double x0, double y0, double x1, double y1, Rgb c, double width,
                        double dash) {
  // Every supersampled pixel within width / 2 of the segment (a capsule), dashes by arc length.
  const double s = kSuper;
  x0 *= s, y0 *= s, x1 *= s, y1 *= s;
  const double r = std::max(width * s / 2, 0.5), dx = x1 - x0, dy = y1 - y0;
  const double len2 = dx * dx + dy * dy, len = std::sqrt(len2);
  if (!std::isfinite(len)) return;
  const int xa = static_cast<int>(std::floor(std::min(x0, x1) - r)),
            xb = static_cast<int>(std::ceil(std::max(x0, x1) + r));
  const int ya = static_cast<int>(std::floor(std::min(y0, y1) - r)),
            yb = static_cast<int>(std::ceil(std::max(y0, y1) + r));
  for (int y = std::max(ya, 0); y <= std::min(yb, h_ * kSuper - 1); ++y)
    for (int x = std::max(xa, 0); x <= std::min(xb, w_ * kSuper - 1); ++x) {
      const double px = x + 0.5 - x0, py = y + 0.5 - y0;
      const double t = len2 > 0 ? std::clamp((px * dx + py * dy) / len2, 0.0, 1.0) : 0.0;
      const double ex = px - t * dx, ey = py - t * dy;
      if (ex * ex + ey * ey > r * r) continue;
      if (dash > 0 && std::fmod(t * len, 2 * dash * s) >= dash * s) continue;
      put(x, y, c);
    }
}

void RasterCanvas::fill_rect(double x, double y, double w, double h, Rgb c) {
  const int xa = static_cast<int>(std::lround(x * kSuper)),
            xb = static_cast<int>(std::lround((x + w) * kSuper));
  const int ya = static_cast<int>(std::lround(y * kSuper)),
            yb = static_cast<int>(std::lround((y + h) * kSuper));
  for (int yy = std::max(ya, 0); yy < std::min(yb, h_ * kSuper); ++yy)
    for (int xx = std::max(xa, 0); xx < std::min(xb, w_ * kSuper); ++xx) put(xx, yy, c);
}

void RasterCanvas::text(double x, double y, const std::string& s, Rgb c, double size, Anchor a) {
  std::string t;
  for (char ch : s) t += (ch >= 32 && ch < 127) ? ch : '?';  // the font is printable ASCII
  if (t.empty()) return;
  // Whole output pixels per font unit, glyphs on the output pixel grid: crisp strokes (a
  // fractional scale would blend one-unit strokes into grey). Sizes from 13 on are drawn bold.
  const double k = std::max(1.0, std::round(font_scale(size) / 1.5));
  const double w = stb_easy_font_width(t.data()) * k;
  const double left = std::round(a == Anchor::Start ? x : a == Anchor::Middle ? x - w / 2 : x - w);
  const double top = std::round(y - 7 * k);
  std::vector<char> buf(t.size() * 1024);  // 64 bytes per segment; no glyph has 16 segments
  const int quads =
      stb_easy_font_print(0, 0, t.data(), nullptr, buf.data(), static_cast<int>(buf.size()));
  for (int bold = 0; bold <= (size >= 13 ? 1 : 0); ++bold)
    for (int q = 0; q < quads; ++q) {
      const float* v0 = reinterpret_cast<const float*>(buf.data() + q * 64);       // 4 vertices of
      const float* v2 = reinterpret_cast<const float*>(buf.data() + q * 64 + 32);  // 16 bytes each
      fill_rect(left + bold + v0[0] * k, top + v0[1] * k, (v2[0] - v0[0]) * k, (v2[1] - v0[1]) * k,
                c);
    }
}

std::vector<uint8_t> RasterCanvas::rgb() const {
  std::vector<uint8_t> out(static_cast<size_t>(w_) * h_ * 3);
  for (int y = 0; y < h_; ++y)
    for (int x = 0; x < w_; ++x)
      for (int ch = 0; ch < 3; ++ch) {
        int sum = 0;
        for (int j = 0; j < kSuper; ++j)
          for (int i = 0; i < kSuper; ++i)
            sum += px_[((static_cast<size_t>(y) * kSuper + j) * w_ * kSuper + x * kSuper + i) * 3 +
                       ch];
        out[(static_cast<size_t>(y) * w_ + x) * 3 + ch] =
            static_cast<uint8_t>((sum + kSuper * kSuper / 2) / (kSuper * kSuper));
      }
  return out;
}

std::string RasterCanvas::png() const {
  std::vector<uint8_t> pixels = rgb();
  std::string out;
  auto append = [](void* ctx, void* data, int size) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(data),
                                           static_cast<size_t>(size));
  };
  // Flat colours compress well without row filters; stb's defaults (every filter tried per row,
  // level 8) take ~5x longer for 7% smaller files. The settings are stb globals: restored after.
  const int level = stbi_write_png_compression_level, filter = stbi_write_force_png_filter;
  stbi_write_png_compression_level = 1;
  stbi_write_force_png_filter = 0;
  int ok = stbi_write_png_to_func(append, &out, w_, h_, 3, pixels.data(), w_ * 3);
  stbi_write_png_compression_level = level;
  stbi_write_force_png_filter = filter;
  ZKD_CHECK(ok != 0, "plot", "expected to encode a ", w_, " x ", h_, " PNG, got an encoder error");
  return out;
}

}  // namespace zkd::app
