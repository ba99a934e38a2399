// The two backends and the run-time dispatch between them. Both namespaces declare the same op
// list; ZKD_DISPATCH(t, op, args...) calls cuda::op when t is on a GPU and cpu::op otherwise.
// A build without CUDA has no cuda:: definitions and dispatches to cpu:: only.
#pragma once
#include <vector>

#include "engine/backend/op_args.h"
#include "engine/tensor/tensor.h"

namespace zkd {
namespace cpu {
#include "engine/backend/op_list.inc"
}  // namespace cpu
namespace cuda {
#include "engine/backend/op_list.inc"
}  // namespace cuda
}  // namespace zkd

#ifdef ZKD_WITH_CUDA
#define ZKD_DISPATCH(t, op, ...) \
  ((t).is_cuda() ? ::zkd::cuda::op(__VA_ARGS__) : ::zkd::cpu::op(__VA_ARGS__))
#else
// Without CUDA no tensor can live on a GPU (allocation throws "built without CUDA").
#define ZKD_DISPATCH(t, op, ...) (static_cast<void>(t), ::zkd::cpu::op(__VA_ARGS__))
#endif
