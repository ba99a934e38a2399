// FlatParameters: packs parameters and their gradients into two flat buffers.
#include "engine/optim/flat_params.h"

#include "engine/backend/backend.h"

namespace zkd {

FlatParameters::FlatParameters(std::vector<Variable> params) : params_(std::move(params)) {
  ZKD_CHECK(!params_.empty(), "FlatParameters", "expected at least one parameter, got none");
  Device dev = params_[0].device();
  DType dt = params_[0].dtype();
  int64_t total = 0;
  for (const Variable& p : params_) {
    ZKD_CHECK(p.device() == dev && p.dtype() == dt, "FlatParameters",
              "expected every parameter as ", dtype_name(dt), " on ", dev.str(), ", got ",
              p.data().str());
    total += p.data().numel();
  }
  values_ = Tensor::empty({total}, dt, dev);
  grads_ = zeros({total}, dt, dev);
  int64_t off = 0;
  for (Variable& p : params_) {
    Tensor view = values_.view_at(off, p.shape());
    view.copy_from(p.data());
    Tensor gview = grads_.view_at(off, p.shape());
    if (p.grad().defined()) gview.copy_from(p.grad());
    p.data() = view;
    p.set_grad(gview);
    off += view.numel();
  }
}

void FlatParameters::zero_grad() {
  ZKD_DISPATCH(grads_, fill, grads_, 0.0);
}

}  // namespace zkd
