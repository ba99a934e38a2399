// Shapes and strides: small vectors of int64 with helpers to count and print them.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace zkd {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& s);
Shape contiguous_strides(const Shape& s);
std::string shape_str(const Shape& s);  // "[8, 3, 32, 32]"

}  // namespace zkd
