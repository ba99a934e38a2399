// Command-line flag parsing with usage on error (see flags.h).
#include "apps/common/flags.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace zkd::app {

Flags::Flags(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {
  add_bool("help", "print this help and exit");
}

void Flags::add(const std::string& name, const std::string& def, const std::string& help) {
  if (!flags_.count(name)) order_.push_back(name);
  flags_[name] = Flag{def, help, false, false};
}

void Flags::add_bool(const std::string& name, const std::string& help) {
  if (!flags_.count(name)) order_.push_back(name);
  flags_[name] = Flag{"false", help, true, false};
}

void Flags::fail(const std::string& message) const {
  std::cerr << program_ << ": " << message << "\n\n" << usage();
  std::exit(2);
}

void Flags::parse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool has_value = false;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto it = flags_.find(name);
    if (it == flags_.end()) fail("unknown flag --" + name);
    Flag& f = it->second;
    if (f.is_bool) {
      if (has_value && value != "true" && value != "false")
        fail("flag --" + name + " expects true or false, got '" + value + "'");
      f.value = has_value ? value : "true";
    } else {
      if (!has_value) {
        if (i + 1 >= argc) fail("flag --" + name + " expects a value");
        value = argv[++i];
      }
      f.value = value;
    }
    f.given = true;
  }
  if (on("help")) {
    std::cout << usage();
    std::exit(0);
  }
}

const Flags::Flag& Flags::get(const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) fail("internal: undeclared flag --" + name);
  return it->second;
}

std::string Flags::str(const std::string& name) const { return get(name).value; }

double Flags::num(const std::string& name) const {
  const std::string& v = get(name).value;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0') fail("flag --" + name + " expects a number, got '" + v + "'");
  return d;
}

int64_t Flags::integer(const std::string& name) const {
  const std::string& v = get(name).value;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') fail("flag --" + name + " expects an integer, got '" + v + "'");
  return n;
}

bool Flags::on(const std::string& name) const { return get(name).value == "true"; }
bool Flags::given(const std::string& name) const { return get(name).given; }

void Flags::set_default(const std::string& name, const std::string& value) {
  auto it = flags_.find(name);
  if (it == flags_.end()) fail("internal: undeclared flag --" + name);
  if (!it->second.given) it->second.value = value;
}

std::string Flags::usage() const {
  std::ostringstream os;
  os << "usage: " << program_ << " [flags]\n" << summary_ << "\n\nflags:\n";
  for (const std::string& n : order_) {
    const Flag& f = flags_.at(n);
    std::string left = "  --" + n + (f.is_bool ? "" : " V");
    os << left << std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') << f.help;
    if (!f.is_bool && !f.value.empty()) os << " (default " << f.value << ")";
    os << "\n";
  }
  return os.str();
}

}  // namespace zkd::app
