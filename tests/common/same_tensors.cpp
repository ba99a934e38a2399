// Byte-equal safetensors files (see same_tensors.h).
#include "tests/common/same_tensors.h"

#include <cstring>

#include "engine/io/safetensors.h"

namespace zkd::test {

::testing::AssertionResult same_tensors(const std::string& a_path, const std::string& b_path) {
  SafetensorsFile a = load_safetensors(a_path), b = load_safetensors(b_path);
  if (a.tensors.size() != b.tensors.size())
    return ::testing::AssertionFailure() << a.tensors.size() << " tensors in " << a_path << ", "
                                         << b.tensors.size() << " in " << b_path;
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    const auto& [name, x] = a.tensors[i];
    const Tensor& y = b.tensors[i].second;
    if (name != b.tensors[i].first)
      return ::testing::AssertionFailure() << "tensor " << i << " is " << name << " in " << a_path
                                           << ", " << b.tensors[i].first << " in " << b_path;
    if (x.nbytes() != y.nbytes() || std::memcmp(x.raw(), y.raw(), x.nbytes()) != 0)
      return ::testing::AssertionFailure() << name << " differs: " << a_path << " vs " << b_path;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace zkd::test
