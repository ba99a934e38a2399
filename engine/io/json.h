// A small JSON value with a parser and a writer: enough for safetensors headers, checkpoint
// metadata and the training log. Objects keep their key order.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace zkd {

class Json {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Json() = default;
  Json(bool b) : kind_(Kind::Bool), bool_(b) {}
  Json(double n) : kind_(Kind::Number), num_(n) {}
  Json(int64_t n) : kind_(Kind::Number), num_(static_cast<double>(n)) {}
  Json(int n) : kind_(Kind::Number), num_(n) {}
  Json(std::string s) : kind_(Kind::String), str_(std::move(s)) {}
  Json(const char* s) : kind_(Kind::String), str_(s) {}
  static Json array() { Json j; j.kind_ = Kind::Array; return j; }
  static Json object() { Json j; j.kind_ = Kind::Object; return j; }

  Kind kind() const { return kind_; }
  bool is_object() const { return kind_ == Kind::Object; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_number() const { return kind_ == Kind::Number; }

  // Typed reads; `what` names the value in the error ("safetensors header: 'dtype'").
  double as_number(const std::string& what) const;
  int64_t as_int(const std::string& what) const;
  const std::string& as_string(const std::string& what) const;
  bool as_bool(const std::string& what) const;
  const std::vector<Json>& items(const std::string& what) const;
  const std::vector<std::pair<std::string, Json>>& members(const std::string& what) const;
  const Json* find(const std::string& key) const;  // null when absent (objects only)

  Json& push(Json v);                          // arrays
  Json& set(const std::string& key, Json v);   // objects: replaces or appends

  std::string dump() const;  // compact
  // Throws zkd::Error("<what>: expected ... at byte N, got ...") on malformed text.
  static Json parse(const std::string& text, const std::string& what = "json");

 private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  double num_ = 0;
  std::string str_;
  std::vector<Json> arr_;
  std::vector<std::pair<std::string, Json>> obj_;
  friend class JsonParser;
};

}  // namespace zkd
