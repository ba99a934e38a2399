// check_json_limits: one pass over the bytes with a string / escape state and a depth counter.
// json_brief: a bounded print that recurses at most max_depth levels.
#include "engine/io/json_limits.h"

#include <set>
#include <vector>

#include "engine/core/error.h"

namespace zkd {

void check_json_limits(const std::string& text, const std::string& op, uint64_t max_bytes,
                       int max_depth) {
  ZKD_CHECK(text.size() <= max_bytes, op, "expected JSON of at most ", max_bytes, " bytes, got ",
            text.size());
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ZKD_CHECK(++depth <= max_depth, op, "expected JSON nested at most ", max_depth,
                " deep, got deeper at byte ", i);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;  // unbalanced closers are the parser's to report
    }
  }
}

template <typename J>
J parse_json_limited(const std::string& text, const std::string& op, uint64_t max_bytes,
                     int max_depth) {
  check_json_limits(text, op, max_bytes, max_depth);
  std::vector<std::set<std::string>> keys;  // one set per open object
  std::string duplicate;
  auto check_keys = [&](int, nlohmann::json::parse_event_t ev, J& v) {
    using E = nlohmann::json::parse_event_t;
    if (ev == E::object_start) keys.emplace_back();
    if (ev == E::object_end && !keys.empty()) keys.pop_back();
    if (ev == E::key && !keys.empty() &&
        !keys.back().insert(v.template get<std::string>()).second && duplicate.empty())
      duplicate = v.template get<std::string>();
    return true;
  };
  J value;
  try {
    value = J::parse(text, check_keys);
  } catch (const nlohmann::json::exception& e) {
    ZKD_FAIL(op, "expected JSON, got invalid JSON (", e.what(), ")");
  }
  ZKD_CHECK(duplicate.empty(), op, "expected unique keys, got '", brief_text(duplicate), "' twice");
  return value;
}
template nlohmann::json parse_json_limited<nlohmann::json>(const std::string&, const std::string&,
                                                           uint64_t, int);
template nlohmann::ordered_json parse_json_limited<nlohmann::ordered_json>(const std::string&,
                                                                           const std::string&,
                                                                           uint64_t, int);

namespace {
template <typename J>
void brief(const J& v, size_t max_chars, int depth_left, std::string& out) {
  if (out.size() > max_chars) return;
  if (v.is_array() || v.is_object()) {
    const bool arr = v.is_array();
    if (depth_left <= 0 && !v.empty()) {
      out += arr ? "[...]" : "{...}";
      return;
    }
    out += arr ? '[' : '{';
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (out.size() > max_chars) break;
      if (!first) out += ',';
      first = false;
      if (!arr)
        out += J(it.key()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ':';
      brief(*it, max_chars, depth_left - 1, out);
    }
    out += arr ? ']' : '}';
    return;
  }
  // A scalar: no recursion; a long string is cut before it is escaped.
  const J& s = v.is_string() && v.template get_ref<const std::string&>().size() > max_chars
                   ? J(v.template get_ref<const std::string&>().substr(0, max_chars + 1))
                   : v;
  out += s.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <typename J>
std::string brief_of(const J& v, size_t max_chars, int max_depth) {
  std::string out;
  brief(v, max_chars, max_depth, out);
  if (out.size() > max_chars) out = out.substr(0, max_chars) + "...";
  return out;
}
}  // namespace

std::string json_brief(const nlohmann::json& v, size_t max_chars, int max_depth) {
  return brief_of(v, max_chars, max_depth);
}
std::string json_brief(const nlohmann::ordered_json& v, size_t max_chars, int max_depth) {
  return brief_of(v, max_chars, max_depth);
}

std::string brief_text(const std::string& s, size_t max_chars) {
  std::string out = s.size() <= max_chars ? s : s.substr(0, max_chars) + "...";
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

std::string brief_list(const std::vector<std::string>& items, size_t max_shown) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max_shown; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > max_shown) out += " and " + std::to_string(items.size() - max_shown) + " more";
  return out;
}

}  // namespace zkd
