// Row gather (see gather_rows.h).
#include "kernels/gather_rows.h"

namespace zkd {
namespace {
__global__ void gather_rows_kernel(const float* table, const int64_t* rows, int64_t n, int64_t k,
                                   float* out) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n * k) return;
  const int64_t b = i / k, c = i - b * k;
  out[i] = table[rows[b] * k + c];
}
}  // namespace

void gather_rows_fwd(const float* table, const int64_t* rows, int64_t n, int64_t k, float* out,
                     cudaStream_t stream) {
  if (n <= 0 || k <= 0) return;
  const int kThreads = 256;
  const unsigned blocks = static_cast<unsigned>((n * k + kThreads - 1) / kThreads);
  gather_rows_kernel<<<blocks, kThreads, 0, stream>>>(table, rows, n, k, out);
}

}  // namespace zkd
