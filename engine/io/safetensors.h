// safetensors files (the format of Hugging Face's `safetensors`, read by PyTorch): an 8-byte
// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__":
// {string: string}}, then the raw little-endian data, tensors back to back without gaps.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor/tensor.h"

namespace zkd {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

struct SafetensorsFile {
  NamedTensors tensors;  // host tensors, in file order
  std::map<std::string, std::string> metadata;
};

std::string encode_safetensors(const NamedTensors& tensors,
                               const std::map<std::string, std::string>& metadata = {});
SafetensorsFile decode_safetensors(const std::string& bytes, const std::string& origin);

// Atomic save; load errors name the file and what was wrong (truncated, bad header, ...).
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace zkd
