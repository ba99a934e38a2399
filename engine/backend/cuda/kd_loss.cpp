// CUDA glue of the distillation losses: allocates the outputs on the input's device and launches
// the fused kernel (kernels/kd_loss.cu) on the compute stream. No host synchronization: the loss,
// its parts and the gradient stay on the device. A label outside [0, K) cannot be checked without
// a synchronization; the kernel makes that row's loss and gradient NaN instead.
#include "kernels/kd_loss.h"

#include <limits>

#include "engine/backend/backend.h"
#include "engine/backend/cuda/context.h"
#include "engine/backend/cuda/kernel_glue.h"

namespace zkd::cuda {

namespace {
kernels::KdKernelMethod kernel_method(KdMethod m) {
  switch (m) {
    case KdMethod::KD:
      return kernels::KdKernelMethod::KD;
    case KdMethod::KD_LS:
      return kernels::KdKernelMethod::KD_LS;
    case KdMethod::DKD:
      return kernels::KdKernelMethod::DKD;
    case KdMethod::DKD_LS:
      return kernels::KdKernelMethod::DKD_LS;
  }
  ZKD_FAIL("kd_loss", "expected a KdMethod (KD, KD_LS, DKD, DKD_LS), got ", static_cast<int>(m));
}
}  // namespace

// student, teacher [B, K] float32; labels int64 [B].
KdLossOut kd_loss(const Tensor& student, const Tensor& teacher, const Tensor& labels,
                  const Tensor& temperature, const KdLossArgs& a) {
  const char* op = "kd_loss";
  require_f32(op, student, "student logits");
  require_f32(op, teacher, "teacher logits");
  const int64_t B = student.size(0), K = student.size(1);
  ZKD_CHECK(K >= 2 && K <= std::numeric_limits<int>::max(), op,
            "expected between 2 and 2^31 - 1 classes, got ", K);
  ZKD_CHECK(B >= 1 && B <= std::numeric_limits<int>::max(), op,
            "expected between 1 and 2^31 - 1 rows, got ", B);
  const Device dev = student.device();
  KdLossOut out{Tensor::empty({}, DType::F32, dev), Tensor::empty({2}, DType::F32, dev),
                Tensor::empty(student.shape(), DType::F32, dev), Tensor()};
  const bool learned = temperature.defined();
  ZKD_CHECK(!learned || a.method == KdMethod::KD || a.method == KdMethod::KD_LS, op,
            "expected KD or KD+LS with a learned temperature, got DKD");
  if (learned) {
    require_f32(op, temperature, "temperature");
    require_numel(op, temperature, 1, student, "temperature");
    out.dtemp = Tensor::empty({}, DType::F32, dev);
  }
  Tensor row_terms = Tensor::empty({B, 3}, DType::F32, dev);  // per-row CE, weighted KD, d / dT
  kernels::KdKernelArgs ka;
  ka.method = kernel_method(a.method);
  ka.temperature = a.temperature;
  ka.lambda_ce = a.lambda_ce;
  ka.lambda_kd = a.lambda_kd;
  ka.alpha = a.alpha;
  ka.beta = a.beta;
  ka.warmup = a.warmup;
  ka.std_eps = a.std_eps;
  ka.temperature_ptr = learned ? temperature.data<float>() : nullptr;
  kernels::kd_loss_fwd(student.data<float>(), teacher.data<float>(), labels.data<int64_t>(), B, K,
                       ka, row_terms.data<float>(), out.dlogits.data<float>(),
                       out.loss.data<float>(), out.parts.data<float>(),
                       learned ? out.dtemp.data<float>() : nullptr, stream());
  ZKD_LAUNCH_CHECK("kd_loss_fwd_kernel");
  return out;
}

}  // namespace zkd::cuda
