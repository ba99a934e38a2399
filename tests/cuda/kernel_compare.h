// Helpers of the CUDA-vs-CPU tests of our own kernels (tests/cuda/{elementwise,pool,channels,
// softmax,reduce,sgd}_test.cpp): the device, a host->device copy, and one comparison that
// prints the "[zkd-error]" line read by the GPU check script and asserts all_close.
#pragma once
#include "engine/backend/backend.h"
#include "tests/common/test_util.h"

namespace zkd::test {

inline Device gpu_device() {
  return Device::cuda(0);
}
inline Tensor gpu(const Tensor& t) {
  return t.to(gpu_device());
}

}  // namespace zkd::test

// Reports the error of got (CUDA) against want (a CPU result) under `op`, then EXPECTs every
// element within atol + rtol * |want| (all_close prints max abs / rel error, NMSE and shape).
#define ZKD_EXPECT_CLOSE(op, got, want, atol, rtol)                           \
  do {                                                                        \
    ::zkd::test::report_error((op), (got), (want));                           \
    EXPECT_TRUE(::zkd::test::all_close((got), (want), (atol), (rtol), (op))); \
  } while (0)
