// Checked reads of the sweep's JSON files (sweep.json, checkpoint headers) with nlohmann::json:
// malformed text, a missing key or a value of another type is a one-line zkd::Error naming the file
// and the key, never an nlohmann exception.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace zkd::app::sweep {

using ojson = nlohmann::ordered_json;  // objects keep their key order when written

ojson parse_json(const std::string& text, const std::string& origin);
// Compact text; bytes that are not UTF-8 become U+FFFD (never throws).
std::string dump_json(const ojson& j);
// obj[key]; refuses a non-object or a missing key.
const ojson& json_at(const ojson& obj, const std::string& key, const std::string& origin);
// The string v; `what` names it ("sweep.json: mode").
std::string json_string(const ojson& v, const std::string& what);
// The array v (its items; refuses another type).
const ojson& json_array(const ojson& v, const std::string& what);

}  // namespace zkd::app::sweep
