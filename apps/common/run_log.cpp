// log.jsonl and curves.svg of a training run.
#include "apps/common/run_log.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "engine/io/atomic_file.h"
#include "engine/io/json.h"

namespace zkd::app {

std::string epoch_json(const EpochRecord& r) {
  Json j = Json::object();
  j.set("epoch", Json(r.epoch));
  j.set("train_loss", Json(r.train_loss));
  j.set("train_acc", Json(r.train_acc));
  j.set("test_loss", Json(r.test_loss));
  j.set("test_top1", Json(r.test_top1));
  j.set("test_top5", Json(r.test_top5));
  j.set("lr", Json(r.lr));
  j.set("seconds", Json(r.seconds));
  j.set("images_per_s", Json(r.images_per_s));
  return j.dump();
}

RunLog::RunLog(std::string dir) : dir_(std::move(dir)) {}

void RunLog::load_existing(int64_t next_epoch) {
  records_.clear();
  std::ifstream in(dir_ + "/log.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Json j = Json::parse(line, dir_ + "/log.jsonl");
    auto num = [&](const char* k) {
      const Json* v = j.find(k);
      return v && v->is_number() ? v->as_number(k) : NAN;
    };
    EpochRecord r;
    r.epoch = static_cast<int64_t>(num("epoch"));
    if (r.epoch >= next_epoch) break;
    r.train_loss = num("train_loss");
    r.train_acc = num("train_acc");
    r.test_loss = num("test_loss");
    r.test_top1 = num("test_top1");
    r.test_top5 = num("test_top5");
    r.lr = num("lr");
    r.seconds = num("seconds");
    r.images_per_s = num("images_per_s");
    records_.push_back(r);
  }
}

void RunLog::append(const EpochRecord& r) {
  records_.push_back(r);
  std::string all;
  for (const EpochRecord& e : records_) all += epoch_json(e) + "\n";
  write_file_atomic(dir_ + "/log.jsonl", all);
  write_file_atomic(dir_ + "/curves.svg", curves_svg(records_, dir_));
}

namespace {
struct Series {
  std::string name, color;
  std::vector<double> y;
};

// One panel: axes, ticks, polylines and a legend inside a box at (x0, y0) of size w x h.
void panel(std::ostringstream& os, double x0, double y0, double w, double h, const std::string& title,
           const std::vector<double>& xs, const std::vector<Series>& series) {
  double ymin = INFINITY, ymax = -INFINITY;
  for (const Series& s : series)
    for (double v : s.y)
      if (std::isfinite(v)) {
        ymin = std::min(ymin, v);
        ymax = std::max(ymax, v);
      }
  if (!std::isfinite(ymin)) ymin = 0, ymax = 1;
  if (ymax - ymin < 1e-9) ymax = ymin + 1;
  double xmin = xs.empty() ? 0 : xs.front(), xmax = xs.empty() ? 1 : xs.back();
  if (xmax - xmin < 1) xmax = xmin + 1;
  auto px = [&](double x) { return x0 + 50 + (x - xmin) / (xmax - xmin) * (w - 60); };
  auto py = [&](double y) { return y0 + h - 30 - (y - ymin) / (ymax - ymin) * (h - 60); };
  os << "<text x='" << x0 + w / 2 << "' y='" << y0 + 18 << "' text-anchor='middle' font-size='14'>"
     << title << "</text>\n";
  os << "<rect x='" << x0 + 50 << "' y='" << y0 + 30 << "' width='" << w - 60 << "' height='" << h - 60
     << "' fill='none' stroke='#999'/>\n";
  for (int t = 0; t <= 4; ++t) {
    double v = ymin + (ymax - ymin) * t / 4;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    os << "<text x='" << x0 + 45 << "' y='" << py(v) + 4 << "' text-anchor='end' font-size='10'>" << buf
       << "</text>\n";
  }
  os << "<text x='" << px(xmin) << "' y='" << y0 + h - 12 << "' font-size='10'>" << xmin << "</text>\n";
  os << "<text x='" << px(xmax) << "' y='" << y0 + h - 12 << "' text-anchor='end' font-size='10'>epoch "
     << xmax << "</text>\n";
  int li = 0;
  for (const Series& s : series) {
    os << "<polyline fill='none' stroke='" << s.color << "' stroke-width='1.5' points='";
    for (size_t i = 0; i < xs.size() && i < s.y.size(); ++i)
      if (std::isfinite(s.y[i])) os << px(xs[i]) << "," << py(s.y[i]) << " ";
    os << "'/>\n";
    os << "<text x='" << x0 + 60 << "' y='" << y0 + 45 + 14 * li++ << "' font-size='11' fill='" << s.color
       << "'>" << s.name << "</text>\n";
  }
}
}  // namespace

std::string curves_svg(const std::vector<EpochRecord>& rs, const std::string& title) {
  std::vector<double> xs;
  Series tl{"train loss", "#1f77b4", {}}, vl{"test loss", "#d62728", {}};
  Series ta{"train acc %", "#1f77b4", {}}, t1{"test top-1 %", "#d62728", {}},
      t5{"test top-5 %", "#2ca02c", {}};
  for (const EpochRecord& r : rs) {
    xs.push_back(static_cast<double>(r.epoch));
    tl.y.push_back(r.train_loss);
    vl.y.push_back(r.test_loss);
    ta.y.push_back(r.train_acc);
    t1.y.push_back(r.test_top1);
    t5.y.push_back(r.test_top5);
  }
  std::ostringstream os;
  os << "<svg xmlns='http://www.w3.org/2000/svg' width='900' height='340' font-family='sans-serif'>\n"
     << "<rect width='900' height='340' fill='white'/>\n";
  panel(os, 0, 10, 450, 320, "loss (" + title + ")", xs, {tl, vl});
  panel(os, 450, 10, 450, 320, "accuracy", xs, {ta, t1, t5});
  os << "</svg>\n";
  return os.str();
}

}  // namespace zkd::app
