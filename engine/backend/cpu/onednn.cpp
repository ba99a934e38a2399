// The oneDNN engine, stream and lock of the CPU backend, and Staged (onednn.h).
#include "engine/backend/cpu/onednn.h"

namespace zkd::cpu::onednn {

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

std::mutex& lock() {
  static std::mutex m;
  return m;
}

memory::dims dims(const Shape& s) {
  return memory::dims(s.begin(), s.end());
}

memory::desc plain_f32(const memory::dims& d, tag t) {
  return memory::desc(d, memory::data_type::f32, t);
}

memory::desc weights_f32(const Shape& w, int64_t groups) {
  if (groups == 1) return plain_f32(dims(w), tag::oihw);
  return plain_f32({groups, w[0] / groups, w[1], w[2], w[3]}, tag::goihw);
}

Staged::Staged(const memory::desc& user, const memory::desc& inner)
    : user_(user, engine(), nullptr), same_(user == inner) {
  if (same_) return;
  inner_ = memory(inner, engine());
  to_inner_ = dnnl::reorder(user_, inner_);
  to_user_ = dnnl::reorder(inner_, user_);
}

}  // namespace zkd::cpu::onednn
