// bf16 matmul on oneDNN for the linear layers under the bf16 policy: float32 row-major buffers
// in and out, the operands reordered (and converted) once per call into bf16 row-major buffers
// that the cached plan owns; float32 accumulation and output (onednn_ops.h).
#include <sstream>

#include "engine/backend/cpu/onednn.h"
#include "engine/backend/cpu/onednn_ops.h"

namespace zkd::cpu::onednn {

namespace {
using dt = memory::data_type;

struct Plan {
  dnnl::matmul prim;
  Staged a, b, c;
  memory bias;
};

Cache<Plan>& cache() {
  static Cache<Plan> c;
  return c;
}

// [rows, cols] float32, stored row-major or (transposed) column-major.
memory::desc user(int64_t rows, int64_t cols, bool transposed) {
  return plain_f32({rows, cols}, transposed ? tag::ba : tag::ab);
}
}  // namespace

void matmul_bf16(const float* A, bool a_t, const float* B, bool b_t, const float* bias, float* C,
                 int64_t M, int64_t N, int64_t K) {
  std::ostringstream key;
  key << "matmul_bf16|" << M << ',' << N << ',' << K << ',' << a_t << b_t << (bias != nullptr);
  std::lock_guard<std::mutex> g(lock());
  Plan& plan = cache().get(key.str(), [&] {
    memory::desc a_in({M, K}, dt::bf16, tag::ab), b_in({K, N}, dt::bf16, tag::ab);
    memory::desc c_out = plain_f32({M, N}, tag::ab), bias_d = plain_f32({1, N}, tag::ab);
    dnnl::matmul::desc d = bias != nullptr ? dnnl::matmul::desc(a_in, b_in, bias_d, c_out)
                                           : dnnl::matmul::desc(a_in, b_in, c_out);
    dnnl::matmul::primitive_desc pd(d, engine());
    Plan pl{dnnl::matmul(pd),
            Staged(user(M, K, a_t), pd.src_desc()),
            Staged(user(K, N, b_t), pd.weights_desc()),
            Staged(c_out, pd.dst_desc()),
            {}};
    if (bias != nullptr) pl.bias = memory(bias_d, engine(), nullptr);
    return pl;
  });
  plan.a.bind(A);
  plan.b.bind(B);
  plan.c.bind(C);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, plan.a.arg()}, {DNNL_ARG_WEIGHTS, plan.b.arg()}, {DNNL_ARG_DST, plan.c.arg()}};
  if (bias != nullptr) {
    plan.bias.set_data_handle(const_cast<float*>(bias));
    args.emplace(DNNL_ARG_BIAS, plan.bias);
  }
  checked("linear (oneDNN bf16 matmul)", [&] {
    plan.a.copy_in();
    plan.b.copy_in();
    plan.prim.execute(stream(), args);
    plan.c.copy_out();
    stream().wait();
  });
}

}  // namespace zkd::cpu::onednn
