// Checked JSON reads for the sweep (see json_read.h).
#include "apps/sweep/json_read.h"

#include "engine/core/error.h"
#include "engine/io/json_limits.h"

namespace zkd::app::sweep {

ojson parse_json(const std::string& text, const std::string& origin, uint64_t max_bytes) {
  return parse_json_limited<ojson>(text, origin, max_bytes);
}

std::string dump_json(const ojson& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const ojson& json_at(const ojson& obj, const std::string& key, const std::string& origin) {
  ZKD_CHECK(obj.is_object(), origin, "expected an object with '", key, "', got ", obj.type_name());
  auto it = obj.find(key);
  ZKD_CHECK(it != obj.end(), origin, "expected '", key, "', got none");
  return *it;
}

std::string json_string(const ojson& v, const std::string& what) {
  ZKD_CHECK(v.is_string(), what, "expected a string, got ", v.type_name());
  return v.get<std::string>();
}

const ojson& json_array(const ojson& v, const std::string& what) {
  ZKD_CHECK(v.is_array(), what, "expected an array, got ", v.type_name());
  return v;
}

}  // namespace zkd::app::sweep
