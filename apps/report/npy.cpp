// .npy writer (format 1.0: magic, version, header length, a Python dict literal padded to a
// multiple of 64 bytes ending in a newline, then the raw data).
#include "apps/report/npy.h"

#include "engine/io/atomic_file.h"

namespace zkd::app {

std::string encode_npy(const Tensor& t) {
  check_dtype("npy", t, DType::F32, "tensor");
  Tensor host = t.to(Device::cpu()).contiguous();
  std::string shape = "(";
  for (int64_t i = 0; i < host.dim(); ++i) shape += (i ? ", " : "") + std::to_string(host.size(i));
  shape += host.dim() == 1 ? ",)" : ")";  // a one-element Python tuple needs the comma
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  uint16_t n = static_cast<uint16_t>(header.size());
  out += static_cast<char>(n & 0xFF);
  out += static_cast<char>(n >> 8);
  out += header;
  out.append(static_cast<const char*>(host.raw()), host.nbytes());
  return out;
}

void save_npy(const std::string& path, const Tensor& t) {
  write_file_atomic(path, encode_npy(t));
}

}  // namespace zkd::app
