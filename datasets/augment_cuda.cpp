// CUDA glue of the batch transform: launches augment_fwd on zkd's compute stream and checks the
// launch. Compiled only when ZKD_WITH_CUDA.
#include "datasets/augment.h"
#include "engine/memory/gpu_launch.h"

namespace zkd::data {

void augment_batch_cuda(const AugmentArgs& a) {
  augment_fwd(a.images, a.labels, a.order, a.start, a.count, a.params, a.out, a.out_labels,
              gpu::compute_stream());
  ZKD_GPU_LAUNCH_CHECK("augment_fwd_kernel");
}

}  // namespace zkd::data
