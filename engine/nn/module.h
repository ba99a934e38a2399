// Module: a node of the model tree with named parameters, buffers and children, named as
// PyTorch names the same tree ("layer1.0.bn1.running_mean", "fc.weight"), train/eval mode, and
// device moves. Parameters and buffers are Variables, so every holder sees a move or a load.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/autograd/variable.h"
#include "engine/ops/ops.h"

namespace zkd {

class Module {
 public:
  virtual ~Module() = default;
  // x [N, C, H, W] (or [N, F]) -> the module's output.
  virtual Variable forward(const Variable& x) = 0;
  Variable operator()(const Variable& x) { return forward(x); }
  virtual std::string type_name() const = 0;

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Recursive, in registration order, with dotted names.
  std::vector<std::pair<std::string, Variable>> named_parameters() const;
  std::vector<std::pair<std::string, Variable>> named_buffers() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const {
    return children_;
  }
  std::vector<Variable> parameters() const;
  int64_t num_parameters() const;  // trainable elements (buffers excluded)
  void to(Device device);          // moves parameters and buffers (host-pinned buffers stay)
  Device device() const;

 protected:
  Variable register_parameter(const std::string& name, Tensor value);
  // host_only: the buffer stays on the CPU when the module moves (num_batches_tracked).
  Variable register_buffer(const std::string& name, Tensor value, bool host_only = false);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> m) {
    children_.emplace_back(name, m);
    return m;
  }

 private:
  void collect(const std::string& prefix, bool params,
               std::vector<std::pair<std::string, Variable>>& out) const;

  bool training_ = true;
  std::vector<std::pair<std::string, Variable>> params_;
  std::vector<std::pair<std::string, Variable>> buffers_;
  std::vector<bool> buffer_host_only_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

}  // namespace zkd
