// Command-line flags: `--name value`, `--name=value` and boolean `--name`. Each app declares its
// flags with a default and a help line; an unknown flag, a missing value or a malformed number
// prints the usage and exits with status 2.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace zkd::app {

class Flags {
 public:
  Flags(std::string program, std::string summary);
  // Declarations (before parse). Defaults are strings; bool flags default to false.
  void add(const std::string& name, const std::string& def, const std::string& help);
  void add_bool(const std::string& name, const std::string& help);
  // Parses argv; positional arguments are kept in positional(). Exits on --help (0) or errors (2).
  void parse(int argc, char** argv);

  std::string str(const std::string& name) const;
  double num(const std::string& name) const;
  int64_t integer(const std::string& name) const;
  bool on(const std::string& name) const;
  bool given(const std::string& name) const;  // set on the command line (not the default)
  void set_default(const std::string& name, const std::string& value);  // before or after parse
  const std::vector<std::string>& positional() const { return positional_; }
  std::string usage() const;
  [[noreturn]] void fail(const std::string& message) const;  // usage + message, exit 2

 private:
  struct Flag {
    std::string value, help;
    bool is_bool = false, given = false;
  };
  const Flag& get(const std::string& name) const;
  std::string program_, summary_;
  std::vector<std::string> order_;
  std::map<std::string, Flag> flags_;
  std::vector<std::string> positional_;
};

}  // namespace zkd::app
