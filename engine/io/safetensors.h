// safetensors files (the format of Hugging Face's `safetensors`, read by PyTorch): an 8-byte
// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__":
// {string: string}}, then the raw little-endian data, tensors back to back without gaps.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor/tensor.h"

namespace zkd {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// The reference implementation's cap on the JSON header (100 MB).
constexpr uint64_t kSafetensorsMaxHeader = 100'000'000;
// load_safetensors' cap on the whole file (read into memory at once): zkd's checkpoints are tens
// of MB; far more than that is a wrong file, refused before it is read.
constexpr uint64_t kSafetensorsMaxFile = 4ull << 30;

struct SafetensorsFile {
  NamedTensors tensors;  // host tensors, in file order
  std::map<std::string, std::string> metadata;
};

std::string encode_safetensors(const NamedTensors& tensors,
                               const std::map<std::string, std::string>& metadata = {});
SafetensorsFile decode_safetensors(const std::string& bytes, const std::string& origin);

// decode refuses: a header over the cap, invalid JSON or duplicate keys, offsets that overlap,
// leave gaps, run past the data or disagree with dtype x shape, and trailing bytes.
// Atomic save; load errors name the file and what was wrong (truncated, bad header, ...); load
// opens regular files of at most kSafetensorsMaxFile bytes only.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace zkd
