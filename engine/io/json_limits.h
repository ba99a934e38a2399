// JSON from untrusted text (checkpoint headers and metadata, configs, logs, sweep files) without
// recursion on what the text controls: the size and the nesting depth are checked on the raw
// bytes (one pass, no recursion) before nlohmann parses, walks, prints or destroys anything
// (its serializer recurses once per level: 100,000 levels overflowed the stack). Errors are one
// line; values shown in messages go through json_brief (depth- and length-limited).
#pragma once
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zkd {

// Deeper than any file zkd writes (a safetensors header nests 3 deep, a config 2, a sweep 4) and
// shallow enough that every recursive walk over a value stays far from the stack's limit (the
// reference safetensors loader's serde_json stops at 128).
constexpr int kJsonMaxDepth = 64;

// Throws "<op>: expected JSON of at most <max_bytes> bytes, got <n>" or "<op>: expected JSON
// nested at most <max_depth> deep, got deeper at byte <i>". Brackets inside strings do not count.
void check_json_limits(const std::string& text, const std::string& op, uint64_t max_bytes,
                       int max_depth = kJsonMaxDepth);

// check_json_limits, then nlohmann's parse (J = nlohmann::json or nlohmann::ordered_json) with
// duplicate keys refused at any depth (nlohmann keeps the last one silently). Errors:
// "<op>: expected JSON, got invalid JSON (<nlohmann's message>)" or "<op>: expected unique keys,
// got '<key>' twice" (the key cut by brief_text).
template <typename J = nlohmann::json>
J parse_json_limited(const std::string& text, const std::string& op, uint64_t max_bytes,
                     int max_depth = kJsonMaxDepth);

// A value for an error message: at most `max_depth` levels (deeper ones print as [...] / {...})
// and about `max_chars` characters (then "..."), strings escaped as JSON, invalid UTF-8 replaced.
std::string json_brief(const nlohmann::json& v, size_t max_chars = 80, int max_depth = 3);
std::string json_brief(const nlohmann::ordered_json& v, size_t max_chars = 80, int max_depth = 3);
// A key or name from the input, for a message: its first max_chars bytes, then "..." when cut;
// control characters (a newline would split the one-line error) shown as '?'.
std::string brief_text(const std::string& s, size_t max_chars = 80);
// Items of a list for a one-line message: the first max_shown joined by ", ", then " and N more".
std::string brief_list(const std::vector<std::string>& items, size_t max_shown = 3);

extern template nlohmann::json parse_json_limited<nlohmann::json>(const std::string&,
                                                                  const std::string&, uint64_t,
                                                                  int);
extern template nlohmann::ordered_json parse_json_limited<nlohmann::ordered_json>(
    const std::string&, const std::string&, uint64_t, int);

}  // namespace zkd
