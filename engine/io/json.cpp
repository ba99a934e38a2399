// JSON parser (recursive descent) and writer for zkd::Json.
#include "engine/io/json.h"

#include <cmath>
#include <cstdio>

#include "engine/core/error.h"

namespace zkd {

namespace {
const char* kind_name(Json::Kind k) {
  switch (k) {
    case Json::Kind::Null: return "null";
    case Json::Kind::Bool: return "a boolean";
    case Json::Kind::Number: return "a number";
    case Json::Kind::String: return "a string";
    case Json::Kind::Array: return "an array";
    case Json::Kind::Object: return "an object";
  }
  return "?";
}
}  // namespace

#define ZKD_JSON_EXPECT(k, name)                                                        \
  ZKD_CHECK(kind_ == Json::Kind::k, what, "expected ", name, ", got ", kind_name(kind_))

double Json::as_number(const std::string& what) const {
  ZKD_JSON_EXPECT(Number, "a number");
  return num_;
}
int64_t Json::as_int(const std::string& what) const {
  ZKD_JSON_EXPECT(Number, "an integer");
  ZKD_CHECK(std::floor(num_) == num_, what, "expected an integer, got ", num_);
  return static_cast<int64_t>(num_);
}
const std::string& Json::as_string(const std::string& what) const {
  ZKD_JSON_EXPECT(String, "a string");
  return str_;
}
bool Json::as_bool(const std::string& what) const {
  ZKD_JSON_EXPECT(Bool, "a boolean");
  return bool_;
}
const std::vector<Json>& Json::items(const std::string& what) const {
  ZKD_JSON_EXPECT(Array, "an array");
  return arr_;
}
const std::vector<std::pair<std::string, Json>>& Json::members(const std::string& what) const {
  ZKD_JSON_EXPECT(Object, "an object");
  return obj_;
}
#undef ZKD_JSON_EXPECT

const Json* Json::find(const std::string& key) const {
  if (kind_ != Kind::Object) return nullptr;
  for (const auto& m : obj_)
    if (m.first == key) return &m.second;
  return nullptr;
}

Json& Json::push(Json v) {
  ZKD_CHECK(kind_ == Kind::Array, "json", "expected an array to push into, got ", kind_name(kind_));
  arr_.push_back(std::move(v));
  return arr_.back();
}

Json& Json::set(const std::string& key, Json v) {
  ZKD_CHECK(kind_ == Kind::Object, "json", "expected an object to set '", key, "' in, got ",
            kind_name(kind_));
  for (auto& m : obj_)
    if (m.first == key) return m.second = std::move(v);
  obj_.emplace_back(key, std::move(v));
  return obj_.back().second;
}

namespace {
void dump_string(const std::string& s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void dump_value(const Json& j, std::string& out) {
  switch (j.kind()) {
    case Json::Kind::Null: out += "null"; break;
    case Json::Kind::Bool: out += j.as_bool("") ? "true" : "false"; break;
    case Json::Kind::Number: {
      double v = j.as_number("");
      if (!std::isfinite(v)) {
        out += "null";  // JSON has no NaN / Inf
      } else if (std::floor(v) == v && std::fabs(v) < 9e15) {
        out += std::to_string(static_cast<int64_t>(v));
      } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.9g", v);
        out += buf;
      }
      break;
    }
    case Json::Kind::String: dump_string(j.as_string(""), out); break;
    case Json::Kind::Array: {
      out += '[';
      bool first = true;
      for (const Json& v : j.items("")) {
        if (!first) out += ',';
        first = false;
        dump_value(v, out);
      }
      out += ']';
      break;
    }
    case Json::Kind::Object: {
      out += '{';
      bool first = true;
      for (const auto& m : j.members("")) {
        if (!first) out += ',';
        first = false;
        dump_string(m.first, out);
        out += ':';
        dump_value(m.second, out);
      }
      out += '}';
      break;
    }
  }
}
}  // namespace

std::string Json::dump() const {
  std::string out;
  dump_value(*this, out);
  return out;
}

class JsonParser {
 public:
  JsonParser(const std::string& t, const std::string& what) : t_(t), what_(what) {}

  Json parse_document() {
    Json v = value(0);
    ws();
    if (i_ != t_.size()) fail("the end of the text");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* expected) {
    std::string got = i_ < t_.size() ? std::string("'") + t_[i_] + "'" : "the end of the text";
    ZKD_FAIL(what_, "expected ", expected, " at byte ", i_, ", got ", got);
  }
  void ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t'))
      ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ < t_.size() && t_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool word(const char* w) {
    size_t n = std::char_traits<char>::length(w);
    if (t_.compare(i_, n, w) == 0) {
      i_ += n;
      return true;
    }
    return false;
  }
  Json value(int depth) {
    if (depth > 64) fail("nesting depth <= 64");
    ws();
    if (i_ >= t_.size()) fail("a value");
    char c = t_[i_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') return Json(string());
    if (word("true")) return Json(true);
    if (word("false")) return Json(false);
    if (word("null")) return Json();
    return number();
  }
  Json object(int depth) {
    ++i_;
    Json o = Json::object();
    if (eat('}')) return o;
    do {
      ws();
      if (i_ >= t_.size() || t_[i_] != '"') fail("a string key");
      std::string k = string();
      if (!eat(':')) fail("':'");
      o.obj_.emplace_back(k, value(depth + 1));
    } while (eat(','));
    if (!eat('}')) fail("',' or '}'");
    return o;
  }
  Json array(int depth) {
    ++i_;
    Json a = Json::array();
    if (eat(']')) return a;
    do {
      a.arr_.push_back(value(depth + 1));
    } while (eat(','));
    if (!eat(']')) fail("',' or ']'");
    return a;
  }
  std::string string() {
    ++i_;  // opening quote
    std::string s;
    while (i_ < t_.size() && t_[i_] != '"') {
      char c = t_[i_++];
      if (c != '\\') {
        s += c;
        continue;
      }
      if (i_ >= t_.size()) fail("an escape");
      char e = t_[i_++];
      switch (e) {
        case '"': s += '"'; break;
        case '\\': s += '\\'; break;
        case '/': s += '/'; break;
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'n': s += '\n'; break;
        case 'r': s += '\r'; break;
        case 't': s += '\t'; break;
        case 'u': {
          if (i_ + 4 > t_.size()) fail("four hex digits");
          unsigned cp = static_cast<unsigned>(std::stoul(t_.substr(i_, 4), nullptr, 16));
          i_ += 4;
          if (cp < 0x80) {
            s += static_cast<char>(cp);
          } else if (cp < 0x800) {
            s += static_cast<char>(0xC0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            s += static_cast<char>(0xE0 | (cp >> 12));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: --i_; fail("a valid escape");
      }
    }
    if (i_ >= t_.size()) fail("a closing '\"'");
    ++i_;
    return s;
  }
  Json number() {
    size_t start = i_;
    if (i_ < t_.size() && (t_[i_] == '-' || t_[i_] == '+')) ++i_;
    while (i_ < t_.size() && (std::isdigit(static_cast<unsigned char>(t_[i_])) || t_[i_] == '.' ||
                              t_[i_] == 'e' || t_[i_] == 'E' || t_[i_] == '-' || t_[i_] == '+'))
      ++i_;
    if (i_ == start) fail("a value");
    try {
      return Json(std::stod(t_.substr(start, i_ - start)));
    } catch (const std::exception&) {
      i_ = start;
      fail("a number");
    }
  }

  const std::string& t_;
  std::string what_;
  size_t i_ = 0;
};

Json Json::parse(const std::string& text, const std::string& what) {
  return JsonParser(text, what).parse_document();
}

}  // namespace zkd
