// log.jsonl, log.csv and the curves of a training run.
#include "apps/report/run_log.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/io/json_limits.h"
#include "engine/optim/sgd.h"

namespace zkd::app {

namespace {
// The columns of log.jsonl and log.csv, in order.
struct Column {
  const char* name;
  double EpochRecord::*field;
  double lo, hi;  // the possible values (a log read back outside them is refused)
};
constexpr double kInf = HUGE_VAL;
const Column kColumns[] = {{"train_loss", &EpochRecord::train_loss, -kInf, kInf},
                           {"train_acc", &EpochRecord::train_acc, 0, 100},
                           {"test_loss", &EpochRecord::test_loss, -kInf, kInf},
                           {"test_top1", &EpochRecord::test_top1, 0, 100},
                           {"test_top5", &EpochRecord::test_top5, 0, 100},
                           {"lr", &EpochRecord::lr, 0, kInf},
                           {"seconds", &EpochRecord::seconds, 0, kInf},
                           {"images_per_s", &EpochRecord::images_per_s, 0, kInf}};
// Memory columns: in log.jsonl only when measured; in log.csv when any epoch has them.
const Column kMemoryColumns[] = {{"rss_mb", &EpochRecord::rss_mb, 0, kInf},
                                 {"gpu_allocated_mb", &EpochRecord::gpu_allocated_mb, 0, kInf},
                                 {"gpu_reserved_mb", &EpochRecord::gpu_reserved_mb, 0, kInf}};

// The memory columns some record has.
std::vector<const Column*> memory_columns(const std::vector<EpochRecord>& records) {
  std::vector<const Column*> out;
  for (const Column& c : kMemoryColumns)
    if (std::any_of(records.begin(), records.end(),
                    [&](const EpochRecord& r) { return std::isfinite(r.*c.field); }))
      out.push_back(&c);
  return out;
}

bool is_column(const std::string& key) {
  for (const Column& c : kColumns)
    if (key == c.name) return true;
  for (const Column& c : kMemoryColumns)
    if (key == c.name) return true;
  return key == "epoch";
}

std::string csv_number(double v) {  // the shortest text that reads back as v; "nan" when not finite
  return std::isfinite(v) ? nlohmann::json(v).dump()
                          : std::string(std::isnan(v) ? "nan"
                                        : v > 0       ? "inf"
                                                      : "-inf");
}
}  // namespace

PlotInfo plot_info(const TrainConfig& cfg) {
  PlotInfo p;
  p.title = cfg.out;
  p.objective = cfg.distills() ? cfg.method.name() : "CE";
  for (char& ch : p.objective) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  p.total_epochs = cfg.epochs;
  if (cfg.schedule == "multistep")
    for (int64_t e = 2; e <= cfg.epochs && e <= 100000; ++e)
      if (multistep_lr(1.0f, static_cast<int>(e), cfg.milestones, static_cast<float>(cfg.gamma)) <
          multistep_lr(1.0f, static_cast<int>(e - 1), cfg.milestones,
                       static_cast<float>(cfg.gamma)))
        p.lr_drops.push_back(e);
  return p;
}

std::string epoch_json(const EpochRecord& r) {
  nlohmann::ordered_json j;
  j["epoch"] = r.epoch;
  for (const Column& c : kColumns) j[c.name] = r.*c.field;  // NaN / inf are written as null
  for (const Column& c : kMemoryColumns)
    if (std::isfinite(r.*c.field)) j[c.name] = r.*c.field;
  for (const auto& [k, v] : r.extra) j[k] = v;
  return j.dump();
}

std::string log_csv(const std::vector<EpochRecord>& records) {
  std::string out = "epoch";
  for (const Column& c : kColumns) out += std::string(",") + c.name;
  const std::vector<const Column*> memory = memory_columns(records);
  for (const Column* c : memory) out += std::string(",") + c->name;
  const auto& extra =
      records.empty() ? std::vector<std::pair<std::string, double>>{} : records[0].extra;
  for (const auto& e : extra)
    out += "," + e.first;  // the distiller's columns, as the first row has them
  out += "\n";
  for (const EpochRecord& r : records) {
    out += std::to_string(r.epoch);
    for (const Column& c : kColumns) out += "," + csv_number(r.*c.field);
    for (const Column* c : memory) out += "," + csv_number(r.*c->field);
    for (const auto& e : extra) {
      double v = NAN;
      for (const auto& x : r.extra)
        if (x.first == e.first) v = x.second;
      out += "," + csv_number(v);
    }
    out += "\n";
  }
  return out;
}

RunLog::RunLog(std::string dir, PlotInfo info) : dir_(std::move(dir)), info_(std::move(info)) {}

std::vector<EpochRecord> parse_run_log(const std::string& text, const std::string& path,
                                       int64_t next_epoch) {
  std::vector<EpochRecord> records;
  std::istringstream in(text);
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = parse_json_limited<nlohmann::json>(line, "log", kMaxLogBytes);
    } catch (const Error&) {
      j = nullptr;  // refused below with the line
    }
    ZKD_CHECK(j.is_object(), "log", "expected a JSON object on line ", n, " of '", path, "', got '",
              brief_text(line), "'");
    auto num = [&](const char* k) {
      auto it = j.find(k);
      return it != j.end() && it->is_number() ? it->get<double>() : NAN;
    };
    double epoch = num("epoch");
    ZKD_CHECK(std::isfinite(epoch) && epoch >= 1 && epoch <= 1e9, "log",
              "expected an epoch >= 1 on line ", n, " of '", path, "', got '", brief_text(line),
              "'");
    EpochRecord r;
    r.epoch = static_cast<int64_t>(epoch);
    if (r.epoch >= next_epoch) break;
    auto read = [&](const Column& c) {
      auto it = j.find(c.name);
      ZKD_CHECK(it == j.end() || it->is_number() || it->is_null(), "log",
                "expected a number or "
                "null for ",
                c.name, " on line ", n, " of '", path, "', got ", json_brief(*it));
      r.*c.field = num(c.name);  // NaN when absent or null (a diverged epoch, not measured)
      ZKD_CHECK(!(r.*c.field < c.lo || r.*c.field > c.hi), "log", "expected ", c.name, " in [",
                c.lo, ", ", c.hi, "] on line ", n, " of '", path, "', got ", r.*c.field);
    };
    for (const Column& c : kColumns) read(c);
    for (const Column& c : kMemoryColumns) read(c);
    for (auto it = j.begin(); it != j.end(); ++it)  // the distiller's values: every other number
      if (!is_column(it.key()) && it->is_number())
        r.extra.emplace_back(it.key(), it->get<double>());
    records.push_back(r);
  }
  return records;
}

void RunLog::load_existing(int64_t next_epoch) {
  records_.clear();
  const std::string path = dir_ + "/log.jsonl";
  if (file_kind(path, /*follow=*/false) == "no such file or directory") return;
  // Regular files only (a FIFO or /dev/zero is refused, never waited on), at most kMaxLogBytes.
  records_ = parse_run_log(read_file(path, "log", kMaxLogBytes), path, next_epoch);
}

void RunLog::append(const EpochRecord& r) {
  records_.push_back(r);
  std::string all;
  for (const EpochRecord& e : records_) all += epoch_json(e) + "\n";
  write_file_atomic(dir_ + "/log.jsonl", all);
  write_file_atomic(dir_ + "/log.csv", log_csv(records_));
  write_file_atomic(dir_ + "/curves.svg", curves_svg(records_, info_));
  write_file_atomic(dir_ + "/curves.png", curves_png(records_, info_));
}

CurvesData curves_data(const std::vector<EpochRecord>& rs, const PlotInfo& info) {
  const Rgb blue{31, 119, 180}, red{214, 39, 40}, orange{255, 127, 14};
  CurvesData d;
  d.title = info.title;
  d.objective = info.objective;
  d.total_epochs = info.total_epochs;
  d.lr_drops = info.lr_drops;
  CurveSeries obj{"train (" + info.objective + ")", blue, {}}, tl{"test CE", red, {}};
  CurveSeries ta{"train top-1", blue, {}}, t1{"test top-1", red, {}}, t5{"test top-5", orange, {}};
  for (const EpochRecord& r : rs) {
    d.epochs.push_back(static_cast<double>(r.epoch));
    obj.y.push_back(r.train_loss);
    tl.y.push_back(r.test_loss);
    ta.y.push_back(r.train_acc);
    t1.y.push_back(r.test_top1);
    t5.y.push_back(r.test_top5);
    if (std::isfinite(r.test_top1) && (d.best_epoch == 0 || r.test_top1 > d.best_top1)) {
      d.best_epoch = r.epoch;
      d.best_top1 = r.test_top1;
    }
  }
  d.objective_series = {obj};
  d.test_loss_series = {tl};
  d.accuracy_series = {ta, t1, t5};
  return d;
}

std::string curves_svg(const std::vector<EpochRecord>& rs, const PlotInfo& info) {
  SvgCanvas c(kCurvesWidth, kCurvesHeight);
  draw_curves(c, curves_data(rs, info));
  return c.finish();
}

std::string curves_png(const std::vector<EpochRecord>& rs, const PlotInfo& info) {
  RasterCanvas c(kCurvesWidth, kCurvesHeight);
  draw_curves(c, curves_data(rs, info));
  return c.png();
}

}  // namespace zkd::app
