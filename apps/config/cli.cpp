// The shared command-line layer (see cli.h).
#include "apps/config/cli.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>

#include "apps/config/version.h"

namespace zkd::app {

namespace {
std::string g_program = "zkd", g_path = "zkd";
std::vector<std::string> g_args;    // the program's command line (run_main)
std::vector<std::string> g_parsed;  // the arguments of the last parse() (a sweep member's, say)

// Thrown by parse() after --help or --version has printed: run_main returns `code`.
struct EndProgram {
  int code;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string shell_quote(const std::string& s) {
  bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string("-_./=:,+@%").find(c) != std::string::npos;
  });
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

const std::string& program_name() {
  return g_program;
}
const std::string& program_path() {
  return g_path;
}

std::string invocation() {
  std::string out;
  for (const std::string& a : g_args) out += (out.empty() ? "" : " ") + shell_quote(a);
  return out;
}

int run_main(int argc, char** argv, const std::function<int(int, char**)>& body) {
  if (argc > 0) {
    g_path = argv[0];
    size_t slash = g_path.find_last_of('/');
    g_program = slash == std::string::npos ? g_path : g_path.substr(slash + 1);
  }
  g_args.assign(argv, argv + argc);
  const char* prog = g_program.c_str();
  try {
    return body(argc, argv);
  } catch (const EndProgram& e) {
    return e.code;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s; see %s --help\n", prog, one_line(e.what()).c_str(),
                 g_path.c_str());
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s; see %s --help\n", prog, one_line(e.what()).c_str(),
                 g_path.c_str());
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: out of memory (std::bad_alloc)\n", prog);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", prog, one_line(e.what()).c_str());
  } catch (...) {
    std::fprintf(stderr, "%s: unknown error\n", prog);
  }
  return kExitFailure;
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best, w = lower(word);
  size_t best_d = std::max<size_t>(2, w.size() / 3) + 1;  // farther than this is no suggestion
  for (const std::string& c : candidates) {
    size_t d = edit_distance(w, lower(c));
    if (d < best_d) best = c, best_d = d;
  }
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string c = closest(word, candidates);
  return c.empty() ? "" : " (did you mean " + c + "?)";
}

std::string int_range_text(int64_t lo, int64_t hi) {
  return "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

std::string double_range_text(double lo, double hi, bool lo_open) {
  auto str = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return std::string(b);
  };
  std::string out = "a finite number " + std::string(lo_open ? "> " : ">= ") + str(lo);
  if (hi < 1e300) out += " and <= " + str(hi);
  return out;
}

int64_t parse_int(const std::string& text, int64_t lo, int64_t hi, const std::string& what) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  bool whole = !text.empty() && end == text.data() + text.size();
  if (!whole || (ec != std::errc() && ec != std::errc::result_out_of_range) || v < lo || v > hi ||
      ec == std::errc::result_out_of_range)
    throw UsageError(what + " expects " + int_range_text(lo, hi) + ", got '" + text + "'");
  return v;
}

uint64_t parse_uint64(const std::string& text, const std::string& what) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || end != text.data() + text.size() || ec != std::errc())
    throw UsageError(what + " expects an integer in [0, 18446744073709551615], got '" + text + "'");
  return v;
}

double parse_double(const std::string& text, double lo, double hi, bool lo_open,
                    const std::string& what) {
  errno = 0;
  char* end = nullptr;
  // Decimal only: strtod also reads hexadecimal ("0x10" is 16), which nobody means for an LR.
  double v = text.empty() || std::isspace(static_cast<unsigned char>(text[0])) ||
                     text.find_first_of("xX") != std::string::npos
                 ? NAN
                 : std::strtod(text.c_str(), &end);
  bool ok = end == text.c_str() + text.size() && std::isfinite(v) &&
            !(errno == ERANGE && std::fabs(v) > 1) && (lo_open ? v > lo : v >= lo) && v <= hi;
  if (!ok)
    throw UsageError(what + " expects " + double_range_text(lo, hi, lo_open) + ", got '" + text +
                     "'");
  return v;
}

std::unique_ptr<CLI::App> make_app(const std::string& description, const std::string& examples) {
  auto app = std::make_unique<CLI::App>(description, program_name());
  app->set_version_flag("--version", "zkd " + version());
  app->footer(examples);
  app->allow_extras();  // reported by parse() with a suggestion
  app->get_formatter()->column_width(32);
  return app;
}

namespace {
std::vector<std::string> long_flags(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::Option* o : app.get_options())
    for (const std::string& n : o->get_lnames()) out.push_back("--" + n);
  return out;
}
}  // namespace

void parse(CLI::App& app, int argc, char** argv,
           const std::map<std::string, std::string>& renamed) {
  g_parsed.assign(argv, argv + argc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    throw EndProgram{0};
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    throw EndProgram{0};
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    throw EndProgram{0};
  } catch (const CLI::ParseError& e) {
    throw UsageError(one_line(e.what()));
  }
  // The first thing not understood, from the command line or (remaining names without dashes
  // that were not typed) a config file.
  std::vector<std::string> extras = app.remaining(true), flags = long_flags(app);
  if (extras.empty()) return;
  for (const CLI::App* sub : app.get_subcommands())
    for (const std::string& f : long_flags(*sub)) flags.push_back(f);
  std::string x = extras.front();
  bool typed = on_command_line(x);
  if (x.rfind("--", 0) == 0) {
    std::string name = x.substr(0, x.find('='));
    auto it = renamed.find(name);
    if (it != renamed.end()) throw UsageError(name + " was replaced: use " + it->second);
    throw UsageError("unknown flag " + name + did_you_mean(name, flags));
  }
  if (!typed) {  // a key of the config file (its '-' stand for the file's '_')
    std::string key = x;
    std::replace(key.begin(), key.end(), '-', '_');
    std::vector<std::string> keys;
    for (std::string f : flags) {
      f = f.substr(2);
      std::replace(f.begin(), f.end(), '-', '_');
      keys.push_back(f);
    }
    throw UsageError("unknown setting '" + key + "' in the config file" + did_you_mean(key, keys));
  }
  throw UsageError("unexpected argument '" + x + "'");
}

bool on_command_line(const std::string& flag) {
  return times_on_command_line(flag) > 0;
}

int times_on_command_line(const std::string& flag) {
  return static_cast<int>(std::count_if(
      g_parsed.begin() + (g_parsed.empty() ? 0 : 1), g_parsed.end(),
      [&](const std::string& a) { return a == flag || a.rfind(flag + "=", 0) == 0; }));
}

CLI::Option* add_int(CLI::App& app, const std::string& flag, int64_t& value, int64_t lo, int64_t hi,
                     const std::string& placeholder, const std::string& help) {
  return app
      .add_option_function<std::string>(
          flag,
          [&value, lo, hi, flag](const std::string& s) { value = parse_int(s, lo, hi, flag); },
          help + " (" + int_range_text(lo, hi).substr(3) + "; default " + std::to_string(value) +
              ")")
      ->option_text(placeholder);
}

CLI::Option* add_uint64(CLI::App& app, const std::string& flag, uint64_t& value,
                        const std::string& placeholder, const std::string& help) {
  return app
      .add_option_function<std::string>(
          flag, [&value, flag](const std::string& s) { value = parse_uint64(s, flag); },
          help + " (default " + std::to_string(value) + ")")
      ->option_text(placeholder);
}

CLI::Option* add_double(CLI::App& app, const std::string& flag, double& value, double lo, double hi,
                        bool lo_open, const std::string& placeholder, const std::string& help) {
  char def[32];
  std::snprintf(def, sizeof def, "%g", value);
  return app
      .add_option_function<std::string>(
          flag,
          [&value, lo, hi, lo_open, flag](const std::string& s) {
            value = parse_double(s, lo, hi, lo_open, flag);
          },
          help + " (default " + def + ")")
      ->option_text(placeholder);
}

}  // namespace zkd::app
