// safetensors encode/decode with full validation of the header against the data.
#include "engine/io/safetensors.h"

#include <cstring>

#include "engine/io/atomic_file.h"
#include "engine/io/json.h"

namespace zkd {

namespace {
const char* st_dtype(DType t) {
  switch (t) {
    case DType::F32: return "F32";
    case DType::F64: return "F64";
    case DType::U8: return "U8";
    case DType::I32: return "I32";
    case DType::I64: return "I64";
    case DType::BF16: return "BF16";
    case DType::F16: return "F16";
  }
  return "?";
}

bool parse_dtype(const std::string& s, DType* out) {
  for (DType t : {DType::F32, DType::F64, DType::U8, DType::I32, DType::I64, DType::BF16,
                  DType::F16})
    if (s == st_dtype(t)) {
      *out = t;
      return true;
    }
  return false;
}
}  // namespace

std::string encode_safetensors(const NamedTensors& tensors,
                               const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto& m : metadata) meta.set(m.first, Json(m.second));
    header.set("__metadata__", meta);
  }
  std::string data;
  for (const auto& [name, t] : tensors) {
    ZKD_CHECK(!name.empty() && name != "__metadata__", "safetensors", "expected a tensor name, got '",
              name, "'");
    Tensor host = t.to(Device::cpu()).contiguous();
    Json entry = Json::object();
    entry.set("dtype", Json(st_dtype(host.dtype())));
    Json shape = Json::array();
    for (int64_t d : host.shape()) shape.push(Json(d));
    entry.set("shape", shape);
    Json offs = Json::array();
    offs.push(Json(static_cast<int64_t>(data.size())));
    data.append(static_cast<const char*>(host.raw()), host.nbytes());
    offs.push(Json(static_cast<int64_t>(data.size())));
    entry.set("data_offsets", offs);
    header.set(name, entry);
  }
  std::string h = header.dump();
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
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  ZKD_CHECK(n <= bytes.size() - 8, op, "expected a header of ", n, " bytes, got only ",
            bytes.size() - 8, " bytes after the length (truncated file)");
  Json header = Json::parse(bytes.substr(8, n), op + " header");
  const size_t data_start = 8 + n, data_size = bytes.size() - data_start;
  SafetensorsFile file;
  for (const auto& [name, entry] : header.members(op + " header")) {
    const std::string what = op + " tensor '" + name + "'";
    if (name == "__metadata__") {
      for (const auto& m : entry.members(what)) file.metadata[m.first] = m.second.as_string(what);
      continue;
    }
    const Json* dt = entry.find("dtype");
    const Json* sh = entry.find("shape");
    const Json* of = entry.find("data_offsets");
    ZKD_CHECK(dt && sh && of, what, "expected dtype, shape and data_offsets");
    DType dtype;
    ZKD_CHECK(parse_dtype(dt->as_string(what), &dtype), what, "expected a dtype F32, F64, U8, I32, "
              "I64, BF16 or F16, got ", dt->as_string(what));
    Shape shape;
    for (const Json& d : sh->items(what)) {
      shape.push_back(d.as_int(what));
      ZKD_CHECK(shape.back() >= 0, what, "expected non-negative sizes, got ", shape.back());
    }
    const auto& o = of->items(what);
    ZKD_CHECK(o.size() == 2, what, "expected two data offsets, got ", o.size());
    uint64_t b = static_cast<uint64_t>(o[0].as_int(what)), e = static_cast<uint64_t>(o[1].as_int(what));
    uint64_t want = static_cast<uint64_t>(shape_numel(shape)) * dtype_size(dtype);
    ZKD_CHECK(b <= e && e - b == want, what, "expected ", want, " bytes for ", dtype_name(dtype), " ",
              shape_str(shape), ", got offsets [", b, ", ", e, ")");
    ZKD_CHECK(e <= data_size, what, "expected data up to byte ", e, ", got only ", data_size,
              " data bytes (truncated file)");
    Tensor t = Tensor::empty(shape, dtype);
    if (want) std::memcpy(t.raw(), bytes.data() + data_start + b, want);
    file.tensors.emplace_back(name, t);
  }
  return file;
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, encode_safetensors(tensors, metadata));
}

SafetensorsFile load_safetensors(const std::string& path) {
  return decode_safetensors(read_file(path, "safetensors"), path);
}

}  // namespace zkd
