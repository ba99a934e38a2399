// Sweep expansion (see grid.h).
#include "apps/sweep/grid.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "engine/core/checked.h"
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
  uint64_t lo = 0, hi = 0;
  const bool fit = std::from_chars(a.data(), a.data() + a.size(), lo).ec == std::errc() &&
                   std::from_chars(b.data(), b.data() + b.size(), hi).ec == std::errc();
  ZKD_CHECK(fit && lo <= hi, "sweep",
            "expected a seed range LOW-HIGH of integers under 2^64 with LOW <= HIGH, got '", item,
            "'");
  checked_add(hi - lo, 1, "sweep", "seeds in range '" + item + "'", kMaxMembers);
  for (uint64_t s = lo;; ++s) {
    out.push_back(std::to_string(s));
    if (s == hi) break;
  }
  return true;
}
// Whether the whole item reads as a finite number (strtod: decimal, or hexadecimal "0x10").
bool is_number(const std::string& v, double* d) {
  char* end = nullptr;
  *d = v.empty() ? NAN : std::strtod(v.c_str(), &end);
  return !v.empty() && end == v.c_str() + v.size() && std::isfinite(*d);
}

// The value an item stands for: a number by its value (0.1 and 0.10 are one), any other text as
// it is.
std::string value_key(const std::string& v) {
  double d = 0;
  if (!is_number(v, &d)) return "text:" + v;
  char buf[40];
  std::snprintf(buf, sizeof buf, "num:%.17g", d);
  return buf;
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
  ZKD_CHECK(a.values.size() <= kMaxMembers, "sweep", "expected at most ", kMaxMembers, " --", flag,
            " values, got ", a.values.size());
  std::map<std::string, std::string> seen;  // value key -> the item that gave it
  for (const std::string& v : a.values) {
    double d = 0;
    ZKD_CHECK(!is_number(v, &d) || v.find_first_of("xX") == std::string::npos, "sweep",
              "expected decimal --", flag, " values, got '", v, "'");
    auto [it, fresh] = seen.emplace(value_key(v), v);
    ZKD_CHECK(fresh, "sweep", "expected distinct --", flag, " values, got '", it->second, "' and '",
              v, "' (the same value) in '", text, "'");
  }
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
  std::vector<uint64_t> lengths;
  for (const Axis& a : axes) lengths.push_back(a.values.size());
  const uint64_t total =
      checked_product(lengths, "sweep", "members (the product of the list lengths)", kMaxMembers);
  std::vector<Member> out;
  std::vector<size_t> idx(axes.size(), 0);
  for (uint64_t n = 0; n < total; ++n) {
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
