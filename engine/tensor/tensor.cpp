// Tensor: views, device transfers and host reads (the members that run a backend op, such as
// strided copies and casts, are in engine/backend/tensor_backed.cpp).
#include "engine/tensor/tensor.h"

#include <cstring>
#include <sstream>

#include "engine/memory/gpu_api.h"

namespace zkd {

Tensor::Tensor(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset,
               DType dtype)
    : storage_(std::move(storage)),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset),
      dtype_(dtype) {}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t d : shape)
    ZKD_CHECK(d >= 0, "empty", "expected non-negative sizes, got shape ", shape_str(shape));
  size_t bytes = 0;
  ZKD_CHECK(
      !__builtin_mul_overflow(static_cast<size_t>(shape_numel(shape)), dtype_size(dtype), &bytes),
      "empty", "expected a byte count that fits in size_t, got shape ", shape_str(shape));
  return Tensor(allocate_storage(bytes, device), shape, contiguous_strides(shape), 0, dtype);
}

int64_t Tensor::size(int64_t d) const {
  int64_t n = dim();
  if (d < 0) d += n;
  ZKD_CHECK(d >= 0 && d < n, "size", "dim ", d, " out of range for shape ", shape_str(shape_));
  return shape_[d];
}

bool Tensor::is_contiguous() const {
  int64_t expect = 1;
  for (size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] != 1 && strides_[i] != expect) return false;
    expect *= shape_[i];
  }
  return true;
}

void* Tensor::raw() const {
  ZKD_CHECK(defined(), "tensor", "expected a defined tensor, got an undefined one");
  return static_cast<char*>(storage_->data) + offset_ * static_cast<int64_t>(dtype_size(dtype_));
}

namespace {
Shape infer_shape(const char* op, Shape shape, int64_t numel, const Shape& from) {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      ZKD_CHECK(infer < 0, op, "expected at most one -1 in shape ", shape_str(shape));
      infer = static_cast<int64_t>(i);
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0 && known > 0) shape[infer] = numel / known;
  ZKD_CHECK(shape_numel(shape) == numel, op, "cannot view shape ", shape_str(from), " (", numel,
            " elements) as ", shape_str(shape));
  return shape;
}
}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  ZKD_CHECK(is_contiguous(), "view", "expected a contiguous tensor, got strides ",
            shape_str(strides_), " for shape ", shape_str(shape_));
  Shape s = infer_shape("view", shape, numel(), shape_);
  return Tensor(storage_, s, contiguous_strides(s), offset_, dtype_);
}

Tensor Tensor::reshape(const Shape& shape) const {
  return contiguous().view(shape);
}

Tensor Tensor::view_at(int64_t offset, const Shape& shape) const {
  ZKD_CHECK(is_contiguous(), "view_at", "expected a contiguous tensor");
  ZKD_CHECK(offset >= 0 && offset + shape_numel(shape) <= numel(), "view_at", "expected ",
            shape_numel(shape), " elements at offset ", offset, " inside ", numel(), " elements");
  return Tensor(storage_, shape, contiguous_strides(shape), offset_ + offset, dtype_);
}

Tensor Tensor::to(Device device) const {
  if (device == this->device()) return *this;
  Tensor src = contiguous();
  Tensor out = empty(shape_, dtype_, device);
  gpu::copy(out.raw(), device, src.raw(), src.device(), nbytes());
  return out;
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  Tensor host = to(Device::cpu()).contiguous();
  const T* p = host.data<T>();
  return std::vector<T>(p, p + host.numel());
}

template <typename T>
T Tensor::item() const {
  ZKD_CHECK(numel() == 1, "item", "expected one element, got shape ", shape_str(shape_));
  return to_vector<T>()[0];
}

double Tensor::item_double() const {
  switch (dtype_) {
    case DType::F32:
      return item<float>();
    case DType::F64:
      return item<double>();
    case DType::U8:
      return item<uint8_t>();
    case DType::I32:
      return item<int32_t>();
    case DType::I64:
      return static_cast<double>(item<int64_t>());
    default:
      ZKD_FAIL("item", "unsupported dtype ", dtype_name(dtype_));
  }
}

std::string Tensor::str() const {
  if (!defined()) return "Tensor (undefined)";
  std::ostringstream os;
  os << "Tensor " << dtype_name(dtype_) << " " << shape_str(shape_) << " on " << device().str();
  return os.str();
}

template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template uint8_t Tensor::item<uint8_t>() const;
template int32_t Tensor::item<int32_t>() const;
template int64_t Tensor::item<int64_t>() const;

// ---- checks ----

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  ZKD_CHECK(a.device() == b.device(), op, "expected tensors on one device, got ", a.device().str(),
            " and ", b.device().str());
}

void check_dtype(const char* op, const Tensor& t, DType want, const char* what) {
  const char* article = dtype_name(want)[0] == 'i' ? "an " : "a ";
  ZKD_CHECK(t.dtype() == want, op, "expected ", article, dtype_name(want), " ", what, ", got ",
            dtype_name(t.dtype()));
}

void check_shape(const char* op, const Tensor& t, const Shape& want, const char* what) {
  ZKD_CHECK(t.shape() == want, op, "expected ", what, " of shape ", shape_str(want), ", got ",
            shape_str(t.shape()));
}

void check_rank(const char* op, const Tensor& t, int64_t rank, const char* layout) {
  ZKD_CHECK(t.defined(), op, "expected a ", rank, "-D ", layout, " input, got an undefined tensor");
  ZKD_CHECK(t.dim() == rank, op, "expected a ", rank, "-D ", layout, " input, got shape ",
            shape_str(t.shape()));
}

void check_floating(const char* op, const Tensor& t) {
  ZKD_CHECK(is_floating(t.dtype()), op, "expected a float32 or float64 tensor, got ",
            dtype_name(t.dtype()));
}

}  // namespace zkd
