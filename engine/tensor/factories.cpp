// Tensor factories: zeros, ones, ranges and host vectors on any device (the constant and seeded
// random fills, which run a backend op, are in engine/backend/tensor_backed.cpp).
#include "engine/tensor/tensor.h"

namespace zkd {

Tensor zeros(const Shape& shape, DType dtype, Device device) {
  return full(shape, 0.0, dtype, device);
}

Tensor ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, 1.0, dtype, device);
}

Tensor arange(int64_t n, DType dtype, Device device) {
  Tensor host = Tensor::empty({n}, DType::F64, Device::cpu());
  double* p = host.data<double>();
  for (int64_t i = 0; i < n; ++i) p[i] = static_cast<double>(i);
  return host.to(dtype).to(device);
}

template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device) {
  ZKD_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape), "from_vector", "expected ",
            shape_numel(shape), " values for shape ", shape_str(shape), ", got ", values.size());
  Tensor host = Tensor::empty(shape, DTypeOf<T>::value, Device::cpu());
  std::copy(values.begin(), values.end(), host.data<T>());
  return host.to(device);
}

template Tensor from_vector<float>(const std::vector<float>&, const Shape&, Device);
template Tensor from_vector<double>(const std::vector<double>&, const Shape&, Device);
template Tensor from_vector<uint8_t>(const std::vector<uint8_t>&, const Shape&, Device);
template Tensor from_vector<int32_t>(const std::vector<int32_t>&, const Shape&, Device);
template Tensor from_vector<int64_t>(const std::vector<int64_t>&, const Shape&, Device);

}  // namespace zkd
