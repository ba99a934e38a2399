// The Tensor members and factories that run a backend op (strided copies, dtype casts, constant
// and seeded random fills), defined here beside the dispatch so that engine/tensor/ includes
// nothing of engine/backend/: the backend depends on the tensor, not the other way round.
#include "engine/backend/backend.h"
#include "engine/memory/gpu_api.h"
#include "engine/tensor/tensor.h"

namespace zkd {

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor out = empty(shape_, dtype_, device());
  ZKD_DISPATCH(*this, copy_strided, out, *this);
  return out;
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape_, dtype_, device());
  ZKD_DISPATCH(*this, copy_strided, out, *this);
  return out;
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  return ZKD_DISPATCH(*this, convert, contiguous(), dtype);
}

void Tensor::copy_from(const Tensor& src) {
  ZKD_CHECK(src.shape() == shape_, "copy_from", "expected shape ", shape_str(shape_), ", got ",
            shape_str(src.shape()));
  ZKD_CHECK(src.dtype() == dtype_, "copy_from", "expected dtype ", dtype_name(dtype_), ", got ",
            dtype_name(src.dtype()));
  ZKD_CHECK(is_contiguous(), "copy_from", "expected a contiguous destination");
  if (src.device() == device()) {
    ZKD_DISPATCH(*this, copy_strided, *this, src);
    return;
  }
  Tensor s = src.contiguous();
  gpu::copy(raw(), device(), s.raw(), s.device(), nbytes());
}

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = Tensor::empty(shape, dtype, device);
  ZKD_DISPATCH(t, fill, t, value);
  return t;
}

Tensor uniform(const Shape& shape, double lo, double hi, Generator& gen, DType dtype,
               Device device) {
  ZKD_CHECK(lo <= hi, "uniform", "expected lo <= hi, got lo ", lo, ", hi ", hi);
  Tensor t = Tensor::empty(shape, dtype, device);
  uint64_t first = gen.reserve(static_cast<uint64_t>(t.numel()));
  ZKD_DISPATCH(t, fill_uniform, t, gen.seed(), first, lo, hi);
  return t;
}

Tensor normal(const Shape& shape, double mean, double stddev, Generator& gen, DType dtype,
              Device device) {
  ZKD_CHECK(stddev >= 0, "normal", "expected stddev >= 0, got ", stddev);
  Tensor t = Tensor::empty(shape, dtype, device);
  uint64_t first = gen.reserve(static_cast<uint64_t>(t.numel()));
  ZKD_DISPATCH(t, fill_normal, t, gen.seed(), first, mean, stddev);
  return t;
}

}  // namespace zkd
