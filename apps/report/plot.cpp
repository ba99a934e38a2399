// The curves layout (see plot.h).
#include "apps/report/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace zkd::app {

std::string Ticks::label(double v) const {
  int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  decimals = std::clamp(decimals, 0, 12);
  if (std::abs(v) < step * 1e-6) v = 0;  // no "-0"
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

Ticks nice_ticks(double lo, double hi, int target, bool integer) {
  Ticks t;
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo <= 1e-12 * std::max(1.0, std::abs(hi))) {  // a flat series: a small range around it
    double pad = std::max(std::abs(lo) * 0.05, integer ? 1.0 : 1e-3);
    lo -= pad, hi += pad;
  }
  double raw = (hi - lo) / std::max(target, 1);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / mag;
  t.step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
  if (integer) t.step = std::max(t.step, 1.0);
  t.first = std::floor(lo / t.step + 1e-9) * t.step;
  t.last = std::ceil(hi / t.step - 1e-9) * t.step;
  for (int k = 0; t.first + k * t.step <= t.last + t.step * 1e-9 && k <= 100; ++k)
    t.values.push_back(t.first + k * t.step);
  return t;
}

namespace {
const Rgb kInk{40, 40, 40}, kAxis{150, 150, 150}, kGrid{232, 232, 232}, kBest{44, 160, 44},
    kDrop{120, 120, 120};

struct Box {
  double x, y, w, h;  // the plot area
};

// One panel: title, legend row above the plot area, grid, ticks, the marks and the curves.
void panel(Canvas& c, const Box& b, const std::string& title, const CurvesData& d,
           const std::vector<CurveSeries>& series, bool best_point = false) {
  c.text(b.x, b.y - 34, title, kInk, 13);
  double lx = b.x;  // the legend, left to right above the plot area
  for (const CurveSeries& s : series) {
    c.line(lx, b.y - 14, lx + 16, b.y - 14, s.color, 2);
    c.text(lx + 20, b.y - 10, s.name, kInk, 11);
    lx += 20 + text_width(s.name, 11) + 14;
  }

  double ylo = INFINITY, yhi = -INFINITY;
  for (const CurveSeries& s : series)
    for (double v : s.y)
      if (std::isfinite(v)) ylo = std::min(ylo, v), yhi = std::max(yhi, v);
  Ticks yt = nice_ticks(ylo, yhi, 5);
  double last_epoch = d.epochs.empty() ? 1 : d.epochs.back();
  Ticks xt =
      nice_ticks(0, std::max<double>(static_cast<double>(d.total_epochs), last_epoch), 6, true);
  auto px = [&](double x) { return b.x + (x - xt.first) / (xt.last - xt.first) * b.w; };
  auto py = [&](double y) { return b.y + b.h - (y - yt.first) / (yt.last - yt.first) * b.h; };

  for (double v : yt.values) {
    c.line(b.x, py(v), b.x + b.w, py(v), kGrid, 1);
    c.text(b.x - 5, py(v) + 4, yt.label(v), kInk, 10, Anchor::End);
  }
  for (double v : xt.values) {
    c.line(px(v), b.y, px(v), b.y + b.h, kGrid, 1);
    c.text(px(v), b.y + b.h + 14, xt.label(v), kInk, 10, Anchor::Middle);
  }
  c.text(b.x + b.w, b.y + b.h + 28, "epoch", kInk, 10, Anchor::End);
  for (int64_t e : d.lr_drops) {
    double x = px(static_cast<double>(e) -
                  0.5);  // between the last epoch at the old LR and the first at the new
    c.line(x, b.y, x, b.y + b.h, kDrop, 1, 2);
  }
  if (d.best_epoch > 0)
    c.line(px(static_cast<double>(d.best_epoch)), b.y, px(static_cast<double>(d.best_epoch)),
           b.y + b.h, kBest, 1.2, 5);
  c.line(b.x, b.y + b.h, b.x + b.w, b.y + b.h, kAxis, 1);
  c.line(b.x, b.y, b.x, b.y + b.h, kAxis, 1);

  for (const CurveSeries& s : series) {
    Points pts;
    auto flush = [&] {
      if (!pts.empty()) c.polyline(pts, s.color, 1.6);
      pts.clear();
    };
    for (size_t i = 0; i < d.epochs.size() && i < s.y.size(); ++i) {
      if (std::isfinite(s.y[i]))
        pts.emplace_back(px(d.epochs[i]), py(s.y[i]));
      else
        flush();  // a gap where a value is missing
    }
    flush();
  }
  if (best_point && d.best_epoch > 0 && std::isfinite(d.best_top1))
    c.dot(px(static_cast<double>(d.best_epoch)), py(d.best_top1), 3.5, kBest);
}
}  // namespace

void draw_curves(Canvas& c, const CurvesData& d) {
  const double W = kCurvesWidth, H = kCurvesHeight, pw = W / 3;
  c.fill_rect(0, 0, W, H, Rgb{255, 255, 255});
  c.text(12, 20, d.title, kInk, 13);
  const double top = 86, height = H - top - 78;
  auto box = [&](int i) { return Box{i * pw + 58, top, pw - 78, height}; };
  panel(c, box(0), "training objective (" + d.objective + ")", d, d.objective_series);
  panel(c, box(1), "test loss (CE)", d, d.test_loss_series);
  panel(c, box(2), "accuracy (%)", d, d.accuracy_series, /*best_point=*/true);
  // The marks' key, below the panels.
  double y = H - 18, x = 58;
  if (d.best_epoch > 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "best epoch %lld: test top-1 %.2f%%",
                  static_cast<long long>(d.best_epoch), d.best_top1);
    c.line(x, y - 4, x + 22, y - 4, kBest, 1.2, 5);
    c.text(x + 28, y, buf, kInk, 11);
    x += 28 + text_width(buf, 11) + 30;
  }
  if (!d.lr_drops.empty()) {
    std::string s = "LR drops after epoch";
    for (size_t i = 0; i < d.lr_drops.size(); ++i)
      s += (i ? ", " : " ") + std::to_string(d.lr_drops[i] - 1);
    c.line(x, y - 4, x + 22, y - 4, kDrop, 1, 2);
    c.text(x + 28, y, s, kInk, 11);
  }
}

}  // namespace zkd::app
