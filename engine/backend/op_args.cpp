// Output-size rules shared by both backends (PyTorch's conv and pooling arithmetic).
#include "engine/backend/op_args.h"

namespace zkd {

int64_t conv_out_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad) {
  int64_t span = in + 2 * pad - kernel;
  return span < 0 ? 0 : span / stride + 1;  // a kernel larger than the padded input: no output
}

int64_t pool_out_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, bool ceil_mode) {
  int64_t span = in + 2 * pad - kernel;
  if (span < 0) return 0;
  int64_t out = (span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
  // With ceil_mode the last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

}  // namespace zkd
