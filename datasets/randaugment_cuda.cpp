// CUDA glue of the strong view: launches randaugment_fwd on zkd's compute stream and checks the
// launch. Compiled only when ZKD_WITH_CUDA.
#include "datasets/randaugment.h"
#include "engine/memory/gpu_launch.h"

namespace zkd::data {

void randaugment_batch_cuda(const AugmentArgs& a) {
  randaugment_fwd(a.images, a.order, a.start, a.count, a.params, a.out, gpu::compute_stream());
  ZKD_GPU_LAUNCH_CHECK("randaugment_fwd_kernel");
}

}  // namespace zkd::data
