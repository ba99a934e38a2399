// Checked reads of the sweep's JSON files (sweep.json, checkpoint headers) with nlohmann::json:
// malformed text, a missing key or a value of another type is a one-line zkd::Error naming the file
// and the key, never an nlohmann exception.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace zkd::app::sweep {

using ojson = nlohmann::ordered_json;  // objects keep their key order when written

// The largest sweep.json or checkpoint header read (a sweep of 10,000 members with their
// configs is a few MiB; a checkpoint header's limit is the engine's, 100 MiB).
constexpr uint64_t kMaxSweepJsonBytes = 100u << 20;

// Size- and depth-limited before parsing (json_limits.h); duplicate keys refused.
ojson parse_json(const std::string& text, const std::string& origin,
                 uint64_t max_bytes = kMaxSweepJsonBytes);
// Compact text; bytes that are not UTF-8 become U+FFFD (never throws).
std::string dump_json(const ojson& j);
// obj[key]; refuses a non-object or a missing key.
const ojson& json_at(const ojson& obj, const std::string& key, const std::string& origin);
// The string v; `what` names it ("sweep.json: mode").
std::string json_string(const ojson& v, const std::string& what);
// The array v (its items; refuses another type).
const ojson& json_array(const ojson& v, const std::string& what);

}  // namespace zkd::app::sweep
