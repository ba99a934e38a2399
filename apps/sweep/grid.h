// The expansion of a sweep: settings given as lists ("--seeds 0-3 --temperature 2,3") become the
// members of the sweep, one per point of their cartesian product. Pure functions of strings, with
// no flag library behind them, so any command-line front end can feed them.
//
// Order (docs/sweeps.md): the axes are sorted by the fixed order of sweepable_settings() (method,
// model, temperature, ..., seed), whatever the command-line order; the product is row-major, the
// last axis (the seed) varying fastest, so the seeds of one grid point are neighbours.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace zkd::app::sweep {

// One sweepable setting: its flag name (as zkd-train / zkd-distill spell it) and the prefix of its
// value in member names ("temperature" -> "T" gives "T2"; an empty prefix names by value alone).
// The most members a sweep may have (the product of its list lengths) and the most seeds in one
// axis: a larger grid is a one-line refusal naming this cap.
constexpr uint64_t kMaxMembers = 10000;

struct Setting {
  std::string flag, label;
};
const std::vector<Setting>& sweepable_settings();
bool is_sweepable(const std::string& flag);

// A setting with its values, as given: "2,3" -> {"2", "3"}; for "seed" also ranges "0-3" and
// mixes "0-1,5". Throws zkd::Error on empty items, repeated values (numbers compared by value:
// "0.1,0.10" repeats), hexadecimal numbers, more than kMaxMembers values, values that cannot be
// part of a folder name ('/', spaces), and on a setting that cannot be swept.
struct Axis {
  std::string flag;
  std::vector<std::string> values;
};
Axis parse_axis(const std::string& flag, const std::string& text);

struct Member {
  int index = 0;      // position in the expansion
  std::string name;   // "T2-kd9-seed1": the varying settings and the seed
  std::string group;  // the name without the seed: its grid point ("T2-kd9"; "all" when none vary)
  std::vector<std::pair<std::string, std::string>> settings;  // flag -> value, one per axis
};

// The cartesian product of the axes (each flag at most once; the seed axis is added as {"0"} when
// missing). Names hold every axis with more than one value, and always the seed. More than
// kMaxMembers members (the product checked for overflow) is a one-line zkd::Error.
std::vector<Member> expand(std::vector<Axis> axes);

}  // namespace zkd::app::sweep
