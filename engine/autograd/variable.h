// Variable: a Tensor plus its autograd state (gradient, requires_grad, the node that made it).
// Copies of a Variable share that state. Leaves (parameters, inputs) have no grad_fn; their
// gradient accumulates in grad() on backward.
#pragma once
#include <memory>

#include "engine/autograd/node.h"
#include "engine/tensor/tensor.h"

namespace zkd {

struct VariableImpl {
  Tensor data;
  Tensor grad;
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;  // null for leaves
  int output_nr = 0;
};

class Variable {
 public:
  Variable() = default;
  explicit Variable(Tensor data, bool requires_grad = false);

  bool defined() const { return impl_ != nullptr; }
  const Tensor& data() const { return impl_->data; }
  Tensor& data() { return impl_->data; }
  const Tensor& grad() const { return impl_->grad; }
  Tensor& grad() { return impl_->grad; }
  void set_grad(Tensor g) { impl_->grad = std::move(g); }
  bool requires_grad() const { return impl_ && impl_->requires_grad; }
  void set_requires_grad(bool on);
  const std::shared_ptr<Node>& grad_fn() const { return impl_->grad_fn; }

  const Shape& shape() const { return impl_->data.shape(); }
  int64_t dim() const { return impl_->data.dim(); }
  int64_t size(int64_t d) const { return impl_->data.size(d); }
  Device device() const { return impl_->data.device(); }
  DType dtype() const { return impl_->data.dtype(); }

  // Where a gradient for this variable goes (fn null when it needs none).
  Edge gradient_edge() const;
  // Backpropagates from this one-element variable (seed 1), or with an explicit seed gradient.
  void backward() const;
  void backward(const Tensor& grad_output) const;

  // Wires an op's result into the graph (node null: no history).
  static Variable make_result(Tensor data, std::shared_ptr<Node> node, int output_nr = 0);

 private:
  std::shared_ptr<VariableImpl> impl_;
};

// True when grad mode is on and any of the variables needs a gradient.
bool needs_grad(std::initializer_list<const Variable*> inputs);
// One edge per input, in order (an undefined or non-grad input gives an empty edge).
std::vector<Edge> collect_edges(std::initializer_list<const Variable*> inputs);

// A node of type N wired to the inputs when any needs a gradient, else null.
template <typename N>
std::shared_ptr<N> make_node(std::initializer_list<const Variable*> inputs) {
  if (!needs_grad(inputs)) return nullptr;
  auto n = std::make_shared<N>();
  n->next = collect_edges(inputs);
  return n;
}

}  // namespace zkd
