// conv2d on oneDNN: forward, backward-data and backward-weights (grouped and depthwise
// included), float32, or bf16 operands (Conv2dArgs::precision) with float32 accumulation and
// outputs. Each shape gets one plan, built on first use and cached: the primitive (layouts left to
// oneDNN), the reorders between NCHW / OIHW and those layouts, and the internal buffers. In bf16
// the reorders of the inputs (x, w, dy) also convert float32 to bf16: the casts cost nothing on
// top of the layout change the fp32 path already does.
#include <sstream>

#include "engine/backend/cpu/onednn.h"
#include "engine/backend/cpu/onednn_ops.h"

namespace zkd::cpu::onednn {

namespace {
namespace dn = dnnl;
using cfwd = dn::convolution_forward;
using cbwd_data = dn::convolution_backward_data;
using cbwd_weights = dn::convolution_backward_weights;

// Shapes and arguments of one conv, with the descriptors shared by its three primitives.
struct Problem {
  Shape x, w, y;
  Conv2dArgs a;
  bool bias = false;
  // The operands' type (x, w, dy): f32, or bf16 under the bf16 policy. Outputs are f32.
  memory::data_type in() const {
    return a.precision == Precision::BF16 ? memory::data_type::bf16 : memory::data_type::f32;
  }
  memory::dims strides() const { return {a.stride_h, a.stride_w}; }
  memory::dims pad_l() const { return {a.pad_h, a.pad_w}; }
  // oneDNN wants the right padding that gives PyTorch's output size (it may be negative when
  // the stride skips the last rows).
  memory::dims pad_r() const {
    return {(y[2] - 1) * a.stride_h + w[2] - x[2] - a.pad_h,
            (y[3] - 1) * a.stride_w + w[3] - x[3] - a.pad_w};
  }
  memory::desc any(const Shape& s) const { return plain_f32(dims(s), tag::any); }  // an output
  memory::desc any_in(const Shape& s) const { return memory::desc(dims(s), in(), tag::any); }
  memory::desc any_weights() const {
    memory::desc d = weights_f32(w, a.groups);
    return memory::desc(d.dims(), in(), tag::any);
  }
  memory::desc any_dweights() const {
    memory::desc d = weights_f32(w, a.groups);
    return plain_f32(d.dims(), tag::any);
  }
  cfwd::primitive_desc fwd_pd() const {
    cfwd::desc d =
        bias ? cfwd::desc(dn::prop_kind::forward_training, dn::algorithm::convolution_direct,
                          any_in(x), any_weights(), plain_f32({w[0]}, tag::x), any(y), strides(),
                          pad_l(), pad_r())
             : cfwd::desc(dn::prop_kind::forward_training, dn::algorithm::convolution_direct,
                          any_in(x), any_weights(), any(y), strides(), pad_l(), pad_r());
    return cfwd::primitive_desc(d, engine());
  }
  std::string key(const char* kind) const {
    std::ostringstream s;
    s << kind;
    for (const Shape* sh : {&x, &w}) {
      s << '|';
      for (int64_t v : *sh) s << v << ',';
    }
    s << '|' << a.stride_h << ',' << a.stride_w << ',' << a.pad_h << ',' << a.pad_w << ','
      << a.groups << ',' << bias << ',' << precision_name(a.precision);
    return s.str();
  }
};

Problem problem(const Shape& x, const Shape& w, const Conv2dArgs& a, bool bias) {
  Shape y{x[0], w[0], conv_out_size(x[2], w[2], a.stride_h, a.pad_h),
          conv_out_size(x[3], w[3], a.stride_w, a.pad_w)};
  return Problem{x, w, y, a, bias};
}

// The backward of one conv node reorders the same dy twice (backward-data, then backward-
// weights). The first of the two leaves its reordered copy here; the next conv call uses it when
// it gets the same tensor in the same layout, and every conv call clears it. `owner` keeps dy's
// storage alive meanwhile, so no other tensor can take its address.
struct DyMemo {
  std::shared_ptr<const void> owner;
  const void* ptr = nullptr;
  memory reordered;
};

DyMemo& dy_memo() {
  static DyMemo m;
  return m;
}

// A primitive with its staged arguments; run() binds the user pointers, reorders in, executes,
// reorders out. Inputs come first in `staged`, the one output last; backward plans have dy first
// and pass it as `dy` for the memo.
struct Plan {
  dn::primitive prim;
  std::vector<std::pair<int, Staged>> staged;
  memory bias;  // forward with bias only: the plain [K] vector, used as is

  void run(std::initializer_list<const void*> ptrs, const void* bias_ptr = nullptr,
           const Tensor* dy = nullptr) {
    DyMemo& memo = dy_memo();
    bool reuse = dy != nullptr && memo.ptr == ptrs.begin()[0] && memo.owner == dy->storage() &&
                 memo.reordered.get_desc() == staged[0].second.arg().get_desc();
    std::unordered_map<int, memory> args;
    size_t i = 0;
    for (const void* p : ptrs) {
      Staged& s = staged[i++].second;
      s.bind(p);
      if (i == 1 && reuse) continue;
      if (i < staged.size()) checked("conv2d (oneDNN reorder)", [&] { s.copy_in(); });
    }
    for (auto& [arg, s] : staged) args.emplace(arg, s.arg());
    if (reuse) args[staged[0].first] = memo.reordered;
    if (bias_ptr != nullptr) {
      bias.set_data_handle(const_cast<void*>(bias_ptr));
      args.emplace(DNNL_ARG_BIAS, bias);
    }
    checked("conv2d (oneDNN)", [&] {
      prim.execute(stream(), args);
      staged.back().second.copy_out();
      stream().wait();
    });
    memo = DyMemo{};
    if (dy != nullptr && !reuse && !staged[0].second.plain())
      memo = DyMemo{dy->storage(), ptrs.begin()[0], staged[0].second.arg()};
  }
};

Cache<Plan>& cache() {
  static Cache<Plan> c;
  return c;
}
}  // namespace

Tensor conv2d_fwd(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a) {
  Problem p = problem(x.shape(), w.shape(), a, bias.defined());
  Tensor y = Tensor::empty(p.y, x.dtype(), x.device());
  std::lock_guard<std::mutex> g(lock());
  Plan& plan = cache().get(p.key("fwd"), [&] {
    cfwd::primitive_desc pd = p.fwd_pd();
    Plan pl{cfwd(pd), {}, {}};
    pl.staged.emplace_back(DNNL_ARG_SRC, Staged(plain_f32(dims(p.x), tag::nchw), pd.src_desc()));
    pl.staged.emplace_back(DNNL_ARG_WEIGHTS, Staged(weights_f32(p.w, a.groups), pd.weights_desc()));
    pl.staged.emplace_back(DNNL_ARG_DST, Staged(plain_f32(dims(p.y), tag::nchw), pd.dst_desc()));
    if (p.bias) pl.bias = memory(plain_f32({p.w[0]}, tag::x), engine(), nullptr);
    return pl;
  });
  plan.run({x.data<float>(), w.data<float>(), y.data<float>()},
           bias.defined() ? bias.data<float>() : nullptr);
  return y;
}

Tensor conv2d_bwd_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                       const Conv2dArgs& a) {
  Problem p = problem(x_shape, w.shape(), a, false);
  Tensor dx = Tensor::empty(x_shape, dy.dtype(), dy.device());
  std::lock_guard<std::mutex> g(lock());
  Plan& plan = cache().get(p.key("bwd_data"), [&] {
    cbwd_data::desc d(dn::algorithm::convolution_direct, p.any(p.x), p.any_weights(), p.any_in(p.y),
                      p.strides(), p.pad_l(), p.pad_r());
    cbwd_data::primitive_desc pd(d, engine(), p.fwd_pd());
    Plan pl{cbwd_data(pd), {}, {}};
    pl.staged.emplace_back(DNNL_ARG_DIFF_DST,
                           Staged(plain_f32(dims(p.y), tag::nchw), pd.diff_dst_desc()));
    pl.staged.emplace_back(DNNL_ARG_WEIGHTS, Staged(weights_f32(p.w, a.groups), pd.weights_desc()));
    pl.staged.emplace_back(DNNL_ARG_DIFF_SRC,
                           Staged(plain_f32(dims(p.x), tag::nchw), pd.diff_src_desc()));
    return pl;
  });
  plan.run({dy.data<float>(), w.data<float>(), dx.data<float>()}, nullptr, &dy);
  return dx;
}

Tensor conv2d_bwd_weight(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                         const Conv2dArgs& a) {
  Problem p = problem(x.shape(), w_shape, a, false);
  Tensor dw = Tensor::empty(w_shape, dy.dtype(), dy.device());
  std::lock_guard<std::mutex> g(lock());
  Plan& plan = cache().get(p.key("bwd_weights"), [&] {
    cbwd_weights::desc d(dn::algorithm::convolution_direct, p.any_in(p.x), p.any_dweights(),
                         p.any_in(p.y), p.strides(), p.pad_l(), p.pad_r());
    cbwd_weights::primitive_desc pd(d, engine(), p.fwd_pd());
    Plan pl{cbwd_weights(pd), {}, {}};
    pl.staged.emplace_back(DNNL_ARG_DIFF_DST,
                           Staged(plain_f32(dims(p.y), tag::nchw), pd.diff_dst_desc()));
    pl.staged.emplace_back(DNNL_ARG_SRC, Staged(plain_f32(dims(p.x), tag::nchw), pd.src_desc()));
    pl.staged.emplace_back(DNNL_ARG_DIFF_WEIGHTS,
                           Staged(weights_f32(p.w, a.groups), pd.diff_weights_desc()));
    return pl;
  });
  plan.run({dy.data<float>(), x.data<float>(), dw.data<float>()}, nullptr, &dy);
  return dw;
}

}  // namespace zkd::cpu::onednn
