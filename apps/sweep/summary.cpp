// Sweep summaries (see summary.h).
#include "apps/sweep/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "apps/config/settings.h"
#include "apps/sweep/grid.h"
#include "apps/sweep/json_read.h"
#include "engine/io/atomic_file.h"
#include "engine/io/json_limits.h"

namespace zkd::app::sweep {

namespace {
// Config keys that do not make a different experiment.
const std::set<std::string>& ignored_keys() {
  static const std::set<std::string> k = {"seed", "out", "device", "data", "log_every"};
  return k;
}

// The sweep's short names (grid.h) for config keys: a flag's config key is its name with '_' for
// '-' ("kd-weight" -> "kd_weight"); other keys print as "key=".
std::string key_label(const std::string& key) {
  for (const Setting& s : sweepable_settings()) {
    std::string k = s.flag;
    std::replace(k.begin(), k.end(), '-', '_');
    if (k == key) return s.label;
  }
  return key + "=";
}

// A config value as labels show it: strings bare, integral numbers without a fraction ("T3", not
// "T3.0"), other numbers with 9 significant digits, the rest as JSON.
std::string value_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_number_float()) return json_brief(v);
  const double x = v.get<double>();
  char buf[32];
  if (std::floor(x) == x && std::fabs(x) < 9e15)
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(x));
  else
    std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

ojson stat_json(const Stat& s) {
  auto num = [](double x) { return std::isfinite(x) ? ojson(x) : ojson(); };
  return {{"n", s.n},
          {"mean", num(s.mean)},
          {"std", num(s.std)},
          {"min", num(s.min)},
          {"max", num(s.max)}};
}

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
}  // namespace

std::vector<std::string> group_labels(const std::vector<RunInfo>& runs) {
  std::vector<std::vector<std::pair<std::string, std::string>>> kv(runs.size());
  std::map<std::string, std::set<std::string>> values;  // key -> distinct values
  std::vector<std::string> order;
  for (size_t i = 0; i < runs.size(); ++i) {
    const nlohmann::json config = config_to_json(runs[i].config);
    for (const auto& [k, v] : config.items()) {
      if (ignored_keys().count(k)) continue;
      if (!values.count(k)) order.push_back(k);
      kv[i].emplace_back(k, value_text(v));
      values[k].insert(kv[i].back().second);
    }
  }
  std::vector<std::string> labels;
  for (size_t i = 0; i < runs.size(); ++i) {
    std::string label;
    for (const auto& [k, v] : kv[i])
      if (values[k].size() > 1) label += (label.empty() ? "" : "-") + key_label(k) + v;
    labels.push_back(label.empty() ? "all" : label);
  }
  return labels;
}

Summary summarize(const std::string& title, const std::vector<RunInfo>& runs) {
  Summary s;
  s.title = title;
  std::vector<std::string> labels = group_labels(runs);
  std::map<std::string, size_t> group_of;
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunInfo& r = runs[i];
    MemberRow m;
    m.name = r.name;
    m.dir = r.dir;
    m.group = labels[i];
    m.state = state_name(r.state);
    m.error = r.error;
    m.epochs = r.config.epochs;
    m.epochs_done = static_cast<int64_t>(r.records.size());
    for (const EpochRecord& e : r.records)
      if (e.test_top1 > m.best_top1 || m.best_epoch == 0) {
        m.best_top1 = e.test_top1;
        m.best_epoch = e.epoch;
      }
    if (!r.records.empty()) m.last_top1 = r.records.back().test_top1;
    if (!group_of.count(m.group)) {
      group_of[m.group] = s.groups.size();
      s.groups.push_back(GroupRow{m.group, {}, 0, 0, {}, {}, {}});
    }
    s.groups[group_of[m.group]].members.push_back(s.members.size());
    s.members.push_back(m);
    s.curves.push_back(r.records);
  }
  for (GroupRow& g : s.groups) {
    std::vector<double> best, last, epoch;
    for (size_t i : g.members) {
      const MemberRow& m = s.members[i];
      g.finished += m.state == std::string("finished");
      g.diverged += m.state == std::string("diverged");
      if (m.state == std::string("diverged") || m.epochs_done == 0) continue;
      best.push_back(m.best_top1);
      last.push_back(m.last_top1);
      epoch.push_back(static_cast<double>(m.best_epoch));
    }
    g.best_top1 = describe(best);
    g.last_top1 = describe(last);
    g.best_epoch = describe(epoch);
  }
  return s;
}

std::string summary_markdown(const Summary& s) {
  int finished = 0, diverged = 0;
  for (const MemberRow& m : s.members) {
    finished += m.state == std::string("finished");
    diverged += m.state == std::string("diverged");
  }
  std::ostringstream os;
  os << "# Sweep summary: " << s.title << "\n\n"
     << s.members.size() << " runs: " << finished << " finished, " << diverged << " diverged, "
     << s.members.size() - finished - diverged << " running or waiting.\n"
     << "Per grid point, over its runs with at least one epoch that did not diverge: mean +- "
        "sample "
        "standard deviation (n - 1; \"-\" when n < 2), min and max. Test top-1 in %.\n\n"
     << "| grid point | n | finished | best top-1 | min | max | last top-1 | min | max | best "
        "epoch | min | max |\n"
     << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const GroupRow& g : s.groups) {
    os << "| " << g.label << " | " << g.best_top1.n << " | " << g.finished << "/"
       << g.members.size() << (g.diverged ? " (" + std::to_string(g.diverged) + " diverged)" : "")
       << " | " << mean_pm_std(g.best_top1) << " | " << fixed(g.best_top1.min, 2) << " | "
       << fixed(g.best_top1.max, 2) << " | " << mean_pm_std(g.last_top1) << " | "
       << fixed(g.last_top1.min, 2) << " | " << fixed(g.last_top1.max, 2) << " | "
       << mean_pm_std(g.best_epoch, 1) << " | " << fixed(g.best_epoch.min, 0) << " | "
       << fixed(g.best_epoch.max, 0) << " |\n";
  }
  os << "\n| run | grid point | state | epochs | best top-1 | best epoch | last top-1 |\n"
     << "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const MemberRow& m : s.members) {
    bool any = m.epochs_done > 0;
    os << "| " << m.name << " | " << m.group << " | " << m.state << " | " << m.epochs_done << "/"
       << m.epochs << " | " << (any ? fixed(m.best_top1, 2) : "-") << " | "
       << (any ? std::to_string(m.best_epoch) : "-") << " | " << (any ? fixed(m.last_top1, 2) : "-")
       << " |\n";
  }
  bool header = false;
  for (const MemberRow& m : s.members) {
    if (m.error.empty()) continue;
    if (!header) os << "\nDiverged:\n\n";
    header = true;
    os << "- " << m.name << ": " << m.error << "\n";
  }
  os << "\n![test top-1 of every run, grid-point means bold](summary.svg)\n";
  return os.str();
}

std::string summary_json(const Summary& s) {
  ojson groups = ojson::array();
  for (const GroupRow& g : s.groups) {
    ojson names = ojson::array();
    for (size_t i : g.members) names.push_back(s.members[i].name);
    groups.push_back({{"grid_point", g.label},
                      {"runs", names},
                      {"finished", g.finished},
                      {"diverged", g.diverged},
                      {"best_top1", stat_json(g.best_top1)},
                      {"last_top1", stat_json(g.last_top1)},
                      {"best_epoch", stat_json(g.best_epoch)}});
  }
  ojson members = ojson::array();
  for (const MemberRow& m : s.members) {
    ojson mj = {{"name", m.name},
                {"dir", m.dir},
                {"grid_point", m.group},
                {"state", m.state},
                {"epochs_done", m.epochs_done},
                {"epochs", m.epochs}};
    if (m.epochs_done > 0) {
      mj["best_top1"] = m.best_top1;
      mj["best_epoch"] = m.best_epoch;
      mj["last_top1"] = m.last_top1;
    }
    if (!m.error.empty()) mj["error"] = m.error;
    members.push_back(mj);
  }
  ojson j = {{"title", s.title},
             {"std", "sample standard deviation (n - 1); null when n < 2"},
             {"grid_points", groups},
             {"runs", members}};
  return dump_json(j) + "\n";
}

std::string summary_svg(const Summary& s) {
  static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  const double W = 900, H = 420, L = 60, R = 220, T = 40, B = 40;
  double xmax = 1, ymin = INFINITY, ymax = -INFINITY;
  for (const auto& c : s.curves)
    for (const EpochRecord& e : c) {
      xmax = std::max(xmax, static_cast<double>(e.epoch));
      if (std::isfinite(e.test_top1))
        ymin = std::min(ymin, e.test_top1), ymax = std::max(ymax, e.test_top1);
    }
  if (!std::isfinite(ymin)) ymin = 0, ymax = 100;
  if (ymax - ymin < 1) ymax = ymin + 1;
  const double xmin = 1;
  auto px = [&](double x) {
    return L + (xmax > xmin ? (x - xmin) / (xmax - xmin) : 0.5) * (W - L - R);
  };
  auto py = [&](double y) { return H - B - (y - ymin) / (ymax - ymin) * (H - T - B); };
  std::ostringstream os;
  os << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H
     << "' font-family='sans-serif'>\n<rect width='" << W << "' height='" << H
     << "' fill='white'/>\n"
     << "<text x='" << (W - R + L) / 2
     << "' y='22' text-anchor='middle' font-size='14'>test top-1 % (" << s.title
     << "): every run thin, grid-point mean bold</text>\n"
     << "<rect x='" << L << "' y='" << T << "' width='" << W - L - R << "' height='" << H - T - B
     << "' fill='none' stroke='#999'/>\n";
  for (int t = 0; t <= 4; ++t) {
    double v = ymin + (ymax - ymin) * t / 4;
    os << "<text x='" << L - 5 << "' y='" << py(v) + 4 << "' text-anchor='end' font-size='10'>"
       << fixed(v, 1) << "</text>\n";
  }
  os << "<text x='" << L << "' y='" << H - B + 15 << "' font-size='10'>1</text>\n<text x='" << W - R
     << "' y='" << H - B + 15 << "' text-anchor='end' font-size='10'>epoch " << xmax << "</text>\n";
  for (size_t gi = 0; gi < s.groups.size(); ++gi) {
    const GroupRow& g = s.groups[gi];
    const char* color = colors[gi % 10];
    std::map<int64_t, std::pair<double, int>> sum;  // epoch -> (sum, count) over non-diverged runs
    for (size_t i : g.members) {
      os << "<polyline fill='none' stroke='" << color
         << "' stroke-width='1' stroke-opacity='0.5' points='";
      for (const EpochRecord& e : s.curves[i])
        if (std::isfinite(e.test_top1))
          os << px(static_cast<double>(e.epoch)) << "," << py(e.test_top1) << " ";
      os << "'/>\n";
      if (s.members[i].state == std::string("diverged")) continue;
      for (const EpochRecord& e : s.curves[i]) {
        sum[e.epoch].first += e.test_top1;
        sum[e.epoch].second += 1;
      }
    }
    os << "<polyline fill='none' stroke='" << color << "' stroke-width='3' points='";
    for (const auto& [epoch, v] : sum)
      os << px(static_cast<double>(epoch)) << "," << py(v.first / v.second) << " ";
    os << "'/>\n<text x='" << W - R + 10 << "' y='" << T + 14 * (gi + 1)
       << "' font-size='11' fill='" << color << "'>" << g.label << " (" << g.members.size()
       << ")</text>\n";
  }
  os << "</svg>\n";
  return os.str();
}

void write_summary(const std::string& dir, const Summary& s) {
  write_file_atomic(dir + "/summary.md", summary_markdown(s));
  write_file_atomic(dir + "/summary.json", summary_json(s));
  write_file_atomic(dir + "/summary.svg", summary_svg(s));
}

}  // namespace zkd::app::sweep
