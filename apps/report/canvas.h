// Drawing primitives for the run's plots with two back ends that share one layout: SVG text, and
// an RGB raster (drawn 2x supersampled, box-filtered down, encoded as PNG with stb_image_write;
// text from stb_easy_font's quads). Coordinates are pixels, y downwards; text y is the baseline.
#pragma once
#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace zkd::app {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};
enum class Anchor { Start, Middle, End };
using Points = std::vector<std::pair<double, double>>;

class Canvas {
 public:
  virtual ~Canvas() = default;
  // dash > 0: dashes of that length with equal gaps.
  virtual void line(double x0, double y0, double x1, double y1, Rgb c, double width,
                    double dash = 0) = 0;
  // polyline and dot default to line(): segments of it, and a zero-length round-capped one.
  virtual void polyline(const Points& pts, Rgb c, double width);
  virtual void fill_rect(double x, double y, double w, double h, Rgb c) = 0;
  virtual void dot(double x, double y, double radius, Rgb c);
  virtual void text(double x, double y, const std::string& s, Rgb c, double size,
                    Anchor a = Anchor::Start) = 0;
};

// Approximate width of s at font size `size` in both back ends (for laying out legends).
double text_width(const std::string& s, double size);
std::string xml_escape(const std::string& s);  // & < > " ' as entities; control characters dropped

class SvgCanvas : public Canvas {
 public:
  SvgCanvas(int width, int height);
  void line(double x0, double y0, double x1, double y1, Rgb c, double width,
            double dash = 0) override;
  void polyline(const Points& pts, Rgb c, double width) override;
  void fill_rect(double x, double y, double w, double h, Rgb c) override;
  void dot(double x, double y, double radius, Rgb c) override;
  void text(double x, double y, const std::string& s, Rgb c, double size,
            Anchor a = Anchor::Start) override;
  std::string finish();  // the whole document

 private:
  std::ostringstream os_;
};

class RasterCanvas : public Canvas {
 public:
  RasterCanvas(int width, int height);  // white
  void line(double x0, double y0, double x1, double y1, Rgb c, double width,
            double dash = 0) override;  // round caps
  void fill_rect(double x, double y, double w, double h, Rgb c) override;
  void text(double x, double y, const std::string& s, Rgb c, double size,
            Anchor a = Anchor::Start) override;
  std::vector<uint8_t> rgb() const;  // [height, width, 3] at the output size
  std::string png() const;           // the encoded PNG file

 private:
  void put(int x, int y, Rgb c);  // supersampled pixel
  int w_, h_;                     // output size
  std::vector<uint8_t> px_;       // [2h, 2w, 3]
};

}  // namespace zkd::app
