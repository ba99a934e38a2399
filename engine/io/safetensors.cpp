// safetensors encode/decode with the reference implementation's rules (Hugging Face
// `safetensors`): header at most 100 MB, JSON (nlohmann) with no duplicate keys, offsets of the
// tensors sorted, contiguous from 0 to the end of the file and equal to dtype size x shape
// (checked arithmetic), no trailing bytes; the header nested at most kJsonMaxDepth deep (checked
// before parsing) and values in errors shown by json_brief. Files are read with read_file.
#include "engine/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/io/atomic_file.h"
#include "engine/io/json_limits.h"

namespace zkd {

namespace {
using ordered_json = nlohmann::ordered_json;

const char* st_dtype(DType t) {
  switch (t) {
    case DType::F32:
      return "F32";
    case DType::F64:
      return "F64";
    case DType::U8:
      return "U8";
    case DType::I32:
      return "I32";
    case DType::I64:
      return "I64";
    case DType::BF16:
      return "BF16";
    case DType::F16:
      return "F16";
  }
  return "?";
}

bool parse_dtype(const std::string& s, DType* out) {
  for (DType t :
       {DType::F32, DType::F64, DType::U8, DType::I32, DType::I64, DType::BF16, DType::F16})
    if (s == st_dtype(t)) {
      *out = t;
      return true;
    }
  return false;
}

// A non-negative integer of the header (sizes, offsets); floats, negatives and strings are errors.
uint64_t header_uint(const ordered_json& v, const std::string& what, const char* field) {
  ZKD_CHECK(v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0), what,
            "expected non-negative integers in ", field, ", got ", json_brief(v));
  return v.get<uint64_t>();
}

// Parses the header text with parse_json_limited: nesting deeper than kJsonMaxDepth is refused
// on the bytes before nlohmann sees them, and duplicate keys at any depth (the reference's loader
// keeps the last one and ours once kept the first: the same file would mean different weights).
ordered_json parse_header(const std::string& text, const std::string& op) {
  ordered_json header =
      parse_json_limited<ordered_json>(text, op + " header", kSafetensorsMaxHeader);
  ZKD_CHECK(header.is_object(), op, "expected a JSON object as the header, got ",
            header.type_name());
  return header;
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};
}  // namespace

std::string encode_safetensors(const NamedTensors& tensors,
                               const std::map<std::string, std::string>& metadata) {
  ordered_json header = ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string data;
  std::set<std::string> names;
  for (const auto& [name, t] : tensors) {
    ZKD_CHECK(!name.empty() && name != "__metadata__", "safetensors",
              "expected a tensor name, got '", name, "'");
    ZKD_CHECK(names.insert(name).second, "safetensors", "expected unique tensor names, got '",
              brief_text(name), "' twice");
    Tensor host = t.to(Device::cpu()).contiguous();
    ordered_json entry = ordered_json::object();
    entry["dtype"] = st_dtype(host.dtype());
    entry["shape"] = host.shape();
    uint64_t begin = data.size();
    data.append(static_cast<const char*>(host.raw()), host.nbytes());
    entry["data_offsets"] = {begin, static_cast<uint64_t>(data.size())};
    header[name] = entry;
  }
  std::string h;
  try {
    h = header.dump();
  } catch (const nlohmann::json::exception& e) {  // names or metadata that are not UTF-8
    ZKD_FAIL("safetensors", "expected UTF-8 tensor names and metadata, got ", e.what());
  }
  while (h.size() % 8 != 0) h += ' ';  // align the data to 8 bytes, as the reference writer does
  std::string out(8, '\0');
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out + h + data;
}

SafetensorsFile decode_safetensors(const std::string& bytes, const std::string& origin) {
  const std::string op = "safetensors '" + origin + "'";
  ZKD_CHECK(bytes.size() >= 8, op, "expected at least 8 bytes (header length), got ", bytes.size(),
            " (truncated file)");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  ZKD_CHECK(n <= kSafetensorsMaxHeader, op, "expected a header of at most ", kSafetensorsMaxHeader,
            " bytes, got a length of ", n);
  ZKD_CHECK(n <= bytes.size() - 8, op, "expected a header of ", n, " bytes, got only ",
            bytes.size() - 8, " bytes after the length (truncated file)");
  ZKD_CHECK(n > 0 && bytes[8] == '{', op, "expected the header to start with '{', got ",
            n == 0 ? "an empty header" : "another character");
  ordered_json header = parse_header(bytes.substr(8, n), op);
  const uint64_t data_start = 8 + n, data_size = bytes.size() - data_start;

  SafetensorsFile file;
  std::vector<Entry> entries;
  for (const auto& [name, entry] : header.items()) {
    const std::string what = op + " tensor '" + brief_text(name) + "'";
    if (name == "__metadata__") {
      ZKD_CHECK(entry.is_object(), what, "expected an object of strings, got ", entry.type_name());
      for (const auto& [k, v] : entry.items()) {
        ZKD_CHECK(v.is_string(), what, "expected string values, got ", v.type_name(), " for '",
                  brief_text(k), "'");
        file.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    ZKD_CHECK(entry.is_object() && entry.contains("dtype") && entry.contains("shape") &&
                  entry.contains("data_offsets") && entry.size() == 3,
              what, "expected exactly dtype, shape and data_offsets, got ", json_brief(entry));
    const ordered_json &dt = entry["dtype"], &sh = entry["shape"], &of = entry["data_offsets"];
    Entry e;
    e.name = name;
    ZKD_CHECK(dt.is_string() && parse_dtype(dt.get<std::string>(), &e.dtype), what,
              "expected a dtype F32, F64, U8, I32, I64, BF16 or F16, got ", json_brief(dt));
    ZKD_CHECK(sh.is_array(), what, "expected an array shape, got ", json_brief(sh));
    for (const ordered_json& d : sh) {
      uint64_t v = header_uint(d, what, "shape");
      ZKD_CHECK(v <= static_cast<uint64_t>(INT64_MAX), what, "expected sizes below 2^63, got ", v);
      e.shape.push_back(static_cast<int64_t>(v));
    }
    ZKD_CHECK(of.is_array() && of.size() == 2, what, "expected two data offsets, got ",
              json_brief(of));
    e.begin = header_uint(of[0], what, "data_offsets");
    e.end = header_uint(of[1], what, "data_offsets");
    uint64_t want = 1;
    for (int64_t d : e.shape)
      ZKD_CHECK(!__builtin_mul_overflow(want, static_cast<uint64_t>(d), &want), what,
                "expected a shape whose size fits in 64 bits, got ", shape_str(e.shape));
    ZKD_CHECK(!__builtin_mul_overflow(want, static_cast<uint64_t>(dtype_size(e.dtype)), &want),
              what, "expected a shape whose size fits in 64 bits, got ", shape_str(e.shape));
    ZKD_CHECK(e.begin <= e.end && e.end - e.begin == want, what, "expected ", want, " bytes for ",
              dtype_name(e.dtype), " ", shape_str(e.shape), ", got offsets [", e.begin, ", ", e.end,
              ")");
    ZKD_CHECK(e.end <= data_size, what, "expected data up to byte ", e.end, ", got only ",
              data_size, " data bytes (truncated file)");
    entries.push_back(std::move(e));
  }
  // The tensors tile the data exactly: sorted by offset, each starts where the last ended.
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::stable_sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t at = 0;
  for (const Entry* e : by_offset) {
    ZKD_CHECK(e->begin == at, op, "expected tensor '", brief_text(e->name),
              "' to start at data byte ", at, " (tensors back to back), got ", e->begin,
              e->begin < at ? " (overlapping another)" : " (a gap before it)");
    at = e->end;
  }
  ZKD_CHECK(at == data_size, op, "expected the data to end at byte ", at,
            " after the last tensor, got ", data_size - at,
            " trailing bytes (a wrong header length or appended data)");
  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(e.shape, e.dtype);
    if (e.end > e.begin) std::memcpy(t.raw(), bytes.data() + data_start + e.begin, e.end - e.begin);
    file.tensors.emplace_back(e.name, t);
  }
  return file;
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, encode_safetensors(tensors, metadata));
}

SafetensorsFile load_safetensors(const std::string& path) {
  return decode_safetensors(read_file(path, "safetensors", kSafetensorsMaxFile), path);
}

}  // namespace zkd
