// Tensor: shape, strides and offset over a shared Storage, with a dtype and a device. Copies of a
// Tensor alias the same memory; clone() copies it. Device transfers are explicit (to()). Tensor
// carries no autograd state (see autograd/variable.h) and includes no CUDA header.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/device.h"
#include "engine/core/dtype.h"
#include "engine/core/error.h"
#include "engine/core/rng.h"
#include "engine/core/shape.h"
#include "engine/memory/storage.h"

namespace zkd {

class Tensor {
 public:
  Tensor() = default;  // undefined
  Tensor(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset, DType dtype);

  static Tensor empty(const Shape& shape, DType dtype = DType::F32, Device device = Device::cpu());

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  const Shape& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_ ? storage_->device : Device::cpu(); }
  bool is_cuda() const { return device().is_cuda(); }
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const { return storage_; }

  // Pointer to element 0 (offset applied).
  void* raw() const;
  template <typename T>
  T* data() const {
    ZKD_CHECK(dtype_ == DTypeOf<T>::value, "data", "expected a ", dtype_name(DTypeOf<T>::value),
              " tensor, got ", dtype_name(dtype_));
    return static_cast<T*>(raw());
  }

  Tensor contiguous() const;                 // self if already contiguous
  Tensor clone() const;                      // a contiguous copy on the same device
  Tensor reshape(const Shape& shape) const;  // a view when contiguous, else a copy; one -1 allowed
  Tensor view(const Shape& shape) const;     // a view; the tensor must be contiguous
  // A contiguous view of numel(shape) elements starting `offset` elements into this tensor's
  // storage region (used for parameters that live inside one flat buffer).
  Tensor view_at(int64_t offset, const Shape& shape) const;
  Tensor to(Device device) const;     // self if already there
  Tensor to(DType dtype) const;       // converted copy (or self)
  void copy_from(const Tensor& src);  // same shape; any devices; dtypes must match

  // Host-side reads. On CUDA these copy to the host and so wait for the device.
  template <typename T>
  std::vector<T> to_vector() const;
  template <typename T>
  T item() const;
  double item_double() const;  // any floating/integer dtype, one element

  std::string str() const;  // "Tensor float32 [8, 3, 32, 32] on cuda:0"

 private:
  std::shared_ptr<Storage> storage_;
  Shape shape_;
  Shape strides_;
  int64_t offset_ = 0;
  DType dtype_ = DType::F32;
};

// Factories. Random ones draw from the generator (its offset moves past the draw), element i
// from counter offset + i, so the CPU and CUDA fills give the same values.
Tensor zeros(const Shape& shape, DType dtype = DType::F32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::F32, Device device = Device::cpu());
Tensor full(const Shape& shape, double value, DType dtype = DType::F32,
            Device device = Device::cpu());
Tensor arange(int64_t n, DType dtype = DType::F32, Device device = Device::cpu());
Tensor uniform(const Shape& shape, double lo, double hi, Generator& gen, DType dtype = DType::F32,
               Device device = Device::cpu());
Tensor normal(const Shape& shape, double mean, double stddev, Generator& gen,
              DType dtype = DType::F32, Device device = Device::cpu());
// A host tensor holding `values` (copied), then moved to `device`.
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device = Device::cpu());

// Checks used by every op: same device, dtype, shape; floating; contiguous.
void check_same_device(const char* op, const Tensor& a, const Tensor& b);
void check_dtype(const char* op, const Tensor& t, DType want, const char* what = "input");
void check_shape(const char* op, const Tensor& t, const Shape& want, const char* what = "input");
void check_rank(const char* op, const Tensor& t, int64_t rank, const char* layout);
void check_floating(const char* op, const Tensor& t);

}  // namespace zkd
