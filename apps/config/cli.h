// The command-line layer of every zkd binary, on CLI11: one way to build an app (-h, --version,
// grouped help with examples in the footer), strict numbers (no silent wrapping or clamping),
// "did you mean" for unknown flags and names, and run_main, which turns any exception into one
// line "zkd-xxx: <what>" and the documented exit codes:
//   0 success, 1 bad input or failure, 2 usage (bad flags; one line plus "see --help"),
//   130 interrupted (Ctrl-C; the run wrote a checkpoint).
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace zkd::app {

constexpr int kExitFailure = 1, kExitUsage = 2, kExitInterrupted = 130;

// A mistake on the command line or in a config file: exit 2 with "see --help".
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs body(argc, argv) and returns its exit code; any exception becomes one line on stderr and
// exit code 1 (UsageError and CLI11 parse errors: 2). Records the program name and command line.
int run_main(int argc, char** argv, const std::function<int(int, char**)>& body);

const std::string& program_name();  // "zkd-train" (argv[0]'s file name)
const std::string& program_path();  // argv[0] as typed, e.g. "./build/apps/zkd-train"
std::string invocation();           // the exact command line, shell-quoted

// The candidate nearest to `word` by edit distance (case-insensitive), or "" when none is close.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean X?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

// Strict numbers: the whole text, base 10, in [lo, hi]; otherwise a UsageError naming `what`.
int64_t parse_int(const std::string& text, int64_t lo, int64_t hi, const std::string& what);
uint64_t parse_uint64(const std::string& text, const std::string& what);
// Finite, in [lo, hi] (lo excluded when lo_open).
double parse_double(const std::string& text, double lo, double hi, bool lo_open,
                    const std::string& what);
// The error text of a range, e.g. "an integer in [1, 100000]" or "a number > 0".
std::string int_range_text(int64_t lo, int64_t hi);
std::string double_range_text(double lo, double hi, bool lo_open);

// A CLI11 app with zkd's conventions (help, --version, examples as the footer, extras kept for
// our own "did you mean" message).
std::unique_ptr<CLI::App> make_app(const std::string& description, const std::string& examples);
// Parses argv. --help / --version print and end the program (exit 0); a parse error, an unknown
// flag (with a suggestion; `renamed` maps old flag names to their replacement) or an unexpected
// argument is a UsageError.
void parse(CLI::App& app, int argc, char** argv,
           const std::map<std::string, std::string>& renamed = {});
// Whether --name was among the arguments of the last parse() (as opposed to set by a config file).
bool on_command_line(const std::string& flag);
// How many times --name was among those arguments (--name V and --name=V alike).
int times_on_command_line(const std::string& flag);

// Adds a strictly checked number option bound to `value` (its current value is the default).
CLI::Option* add_int(CLI::App& app, const std::string& flag, int64_t& value, int64_t lo, int64_t hi,
                     const std::string& placeholder, const std::string& help);
CLI::Option* add_uint64(CLI::App& app, const std::string& flag, uint64_t& value,
                        const std::string& placeholder, const std::string& help);
CLI::Option* add_double(CLI::App& app, const std::string& flag, double& value, double lo, double hi,
                        bool lo_open, const std::string& placeholder, const std::string& help);

}  // namespace zkd::app
