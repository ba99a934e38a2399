// Sweep expansion (see grid.h).
#include "apps/sweep/grid.h"

#include <algorithm>
#include <set>

#include "engine/core/error.h"

namespace zkd::app::sweep {

const std::vector<Setting>& sweepable_settings() {
  static const std::vector<Setting> s = {
      {"method", ""},      {"model", ""},     {"temperature", "T"}, {"lambda-ce", "ce"},
      {"kd-weight", "kd"}, {"dkd-beta", "b"}, {"lr", "lr"},         {"weight-decay", "wd"},
      {"momentum", "m"},   {"seed", "seed"}};
  return s;
}

namespace {
int rank_of(const std::string& flag) {
  const auto& s = sweepable_settings();
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i].flag == flag) return static_cast<int>(i);
  return -1;
}

std::string known_list() {
  std::string out;
  for (const Setting& s : sweepable_settings()) out += (out.empty() ? "" : ", ") + s.flag;
  return out;
}

// "a-b" with a <= b, both non-negative integers: the seeds a..b.
bool parse_range(const std::string& item, std::vector<std::string>& out) {
  size_t dash = item.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == item.size()) return false;
  std::string a = item.substr(0, dash), b = item.substr(dash + 1);
  auto digits = [](const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(a) || !digits(b)) return false;
  unsigned long long lo = std::stoull(a), hi = std::stoull(b);
  ZKD_CHECK(lo <= hi && hi - lo < 100000, "sweep",
            "expected a seed range LOW-HIGH with LOW <= HIGH "
            "(and under 100000 seeds), got '",
            item, "'");
  for (unsigned long long s = lo; s <= hi; ++s) out.push_back(std::to_string(s));
  return true;
}
}  // namespace

bool is_sweepable(const std::string& flag) {
  return rank_of(flag) >= 0;
}

Axis parse_axis(const std::string& flag, const std::string& text) {
  ZKD_CHECK(is_sweepable(flag), "sweep", "expected a sweepable setting (", known_list(), "), got '",
            flag, "'");
  Axis a{flag, {}};
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    ZKD_CHECK(!item.empty(), "sweep", "expected --", flag, " as values separated by commas, got '",
              text, "' (an empty item)");
    ZKD_CHECK(item.find_first_of("/\\ \t\n") == std::string::npos, "sweep", "expected --", flag,
              " values usable in a folder name, got '", item, "'");
    if (!(flag == "seed" && parse_range(item, a.values))) a.values.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::set<std::string> seen;
  for (const std::string& v : a.values)
    ZKD_CHECK(seen.insert(v).second, "sweep", "expected distinct --", flag, " values, got '", v,
              "' twice in '", text, "'");
  return a;
}

std::vector<Member> expand(std::vector<Axis> axes) {
  std::set<std::string> flags;
  for (const Axis& a : axes) {
    ZKD_CHECK(is_sweepable(a.flag), "sweep", "expected a sweepable setting (", known_list(),
              "), got '", a.flag, "'");
    ZKD_CHECK(flags.insert(a.flag).second, "sweep", "expected each setting once, got --", a.flag,
              " twice");
    ZKD_CHECK(!a.values.empty(), "sweep", "expected at least one value for --", a.flag,
              ", got none");
  }
  if (!flags.count("seed")) axes.push_back({"seed", {"0"}});
  std::stable_sort(axes.begin(), axes.end(),
                   [](const Axis& x, const Axis& y) { return rank_of(x.flag) < rank_of(y.flag); });
  size_t total = 1;
  for (const Axis& a : axes) total *= a.values.size();
  std::vector<Member> out;
  std::vector<size_t> idx(axes.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    Member m;
    m.index = static_cast<int>(n);
    std::string group;
    for (size_t k = 0; k < axes.size(); ++k) {
      const Axis& a = axes[k];
      const std::string& v = a.values[idx[k]];
      m.settings.emplace_back(a.flag, v);
      if (a.flag == "seed" || a.values.size() < 2) continue;
      group += (group.empty() ? "" : "-") + sweepable_settings()[rank_of(a.flag)].label + v;
    }
    m.group = group.empty() ? "all" : group;
    m.name = (group.empty() ? "" : group + "-") + "seed" + m.settings.back().second;
    out.push_back(std::move(m));
    for (size_t k = axes.size(); k-- > 0;) {  // odometer: the last axis fastest
      if (++idx[k] < axes[k].values.size()) break;
      idx[k] = 0;
    }
  }
  return out;
}

}  // namespace zkd::app::sweep
