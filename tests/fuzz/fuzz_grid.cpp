// libFuzzer harness: zkd-sweep's list parser and expansion (apps/sweep/grid.h) on untrusted
// command-line text. The first byte picks the setting, the rest up to a NUL is the list, what
// follows a second list for another setting; parse_axis and expand must either throw a
// zkd::Error or give distinct values and at most kMaxMembers members, each with one value per
// axis (issue 25: a product past 64 bits wrapped to 0 members).
#include <cstdint>
#include <set>
#include <string>

#include "apps/sweep/grid.h"
#include "engine/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zkd::app::sweep;
  if (size == 0) return 0;
  const auto& s = sweepable_settings();
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t nul = text.find('\0');
  const std::string first = text.substr(0, nul),
                    second = nul == std::string::npos ? "" : text.substr(nul + 1);
  const std::string flag_a = s[data[0] % s.size()].flag, flag_b = s[(data[0] / 16) % s.size()].flag;
  try {
    std::vector<Axis> axes = {parse_axis(flag_a, first)};
    if (!second.empty() && flag_b != flag_a) axes.push_back(parse_axis(flag_b, second));
    for (const Axis& a : axes) {
      std::set<std::string> seen(a.values.begin(), a.values.end());
      if (seen.size() != a.values.size() || a.values.empty()) __builtin_trap();
    }
    std::vector<Member> ms = expand(axes);
    if (ms.empty() || ms.size() > kMaxMembers) __builtin_trap();
    bool has_seed = false;  // expand adds the seed axis when it is missing
    for (const Axis& a : axes) has_seed = has_seed || a.flag == "seed";
    const size_t n_axes = axes.size() + (has_seed ? 0 : 1);
    for (const Member& m : ms)
      if (m.settings.size() != n_axes) __builtin_trap();
  } catch (const zkd::Error&) {
  }
  return 0;
}
