// CUDA vs CPU for the row gather of the teacher-logit cache (kernels/gather_rows.cu): random
// tables of odd shapes, rows with repeats, the first and the last row. A pure copy: the CUDA
// result must equal the host's rows exactly.
#include <tuple>
#include <vector>

#include "engine/memory/gpu_launch.h"
#include "kernels/gather_rows.h"
#include "tests/cuda/kernel_compare.h"

namespace zkd {
namespace {

using test::gpu;
using test::random_tensor;

TEST(CudaGatherRows, EqualsTheHostRows) {
  ZKD_REQUIRE_GPU();
  for (auto [r, k, n] : {std::tuple<int64_t, int64_t, int64_t>{7, 5, 3},
                         {162 * 3, 100, 64},
                         {1, 1, 1},
                         {1000, 37, 129}}) {
    Tensor table = random_tensor({r, k}, static_cast<uint64_t>(11 + r), DType::F32);
    std::vector<int64_t> rows(static_cast<size_t>(n));
    for (int64_t b = 0; b < n; ++b) rows[static_cast<size_t>(b)] = (b * 7919 + 3) % r;
    rows.front() = 0;
    rows.back() = r - 1;
    Tensor want = Tensor::empty({n, k});
    for (int64_t b = 0; b < n; ++b)
      want.view_at(b * k, {k}).copy_from(table.view_at(rows[static_cast<size_t>(b)] * k, {k}));
    Tensor dtable = gpu(table), drows = gpu(from_vector(rows, {n}));
    Tensor out = Tensor::empty({n, k}, DType::F32, test::gpu_device());
    gather_rows_fwd(dtable.data<float>(), drows.data<int64_t>(), n, k, out.data<float>(),
                    gpu::compute_stream());
    ZKD_GPU_LAUNCH_CHECK("gather_rows_kernel");
    ZKD_EXPECT_CLOSE("gather_rows", out.to(Device::cpu()), want, 0.0, 0.0);
  }
}

}  // namespace
}  // namespace zkd
