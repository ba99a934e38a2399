// oneDNN glue of the CPU backend: the one engine and stream, the lock that guards the cached
// primitives, and Staged, a plain (NCHW / OIHW / [N, K]) user buffer bound to the layout a
// primitive chose, with the reorder between the two built once. See docs/cpu-backend.md.
#pragma once
#include <dnnl.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/core/error.h"
#include "engine/core/shape.h"

namespace zkd::cpu::onednn {

using dnnl::memory;
using tag = dnnl::memory::format_tag;

dnnl::engine& engine();
dnnl::stream& stream();
// Held by every oneDNN op for its whole call: cached primitives own their internal buffers.
std::mutex& lock();

memory::dims dims(const Shape& s);
memory::desc plain_f32(const memory::dims& d, tag t);
// Conv weights [K, C/G, R, S]: oihw, or goihw split into G groups when G > 1.
memory::desc weights_f32(const Shape& w, int64_t groups);

// A user buffer in a plain layout and the primitive's own layout for it. When they differ the
// primitive works on `inner` (allocated once) and reorders copy in or out.
class Staged {
 public:
  Staged() = default;
  Staged(const memory::desc& user, const memory::desc& inner);
  // Points the user memory at p and returns the memory to hand to the primitive.
  void bind(const void* p) { user_.set_data_handle(const_cast<void*>(p)); }
  const memory& arg() const { return same_ ? user_ : inner_; }
  bool plain() const { return same_; }  // the primitive works on the user buffer itself
  void copy_in() {
    if (!same_) to_inner_.execute(stream(), user_, inner_);
  }
  void copy_out() {
    if (!same_) to_user_.execute(stream(), inner_, user_);
  }

 private:
  memory user_, inner_;
  dnnl::reorder to_inner_, to_user_;
  bool same_ = true;
};

// Runs f, turning a oneDNN failure into a zkd::Error that names the op.
template <typename F>
decltype(auto) checked(const std::string& op, F&& f) {
  try {
    return f();
  } catch (const dnnl::error& e) {
    ZKD_FAIL(op, "oneDNN failed: ", e.what(), " (status ", static_cast<int>(e.status), ")");
  }
}

// Primitive plans cached by a key string (shapes and arguments); built on first use.
template <typename Plan>
class Cache {
 public:
  template <typename Make>
  Plan& get(const std::string& key, Make&& make) {
    auto it = plans_.find(key);
    if (it == plans_.end())
      it = plans_.emplace(key, checked(key, [&] { return std::make_unique<Plan>(make()); })).first;
    return *it->second;
  }

 private:
  std::unordered_map<std::string, std::unique_ptr<Plan>> plans_;
};

}  // namespace zkd::cpu::onednn
