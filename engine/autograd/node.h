// Node: one recorded op of the autograd graph. It keeps what its backward needs (visible as
// members of each op's Node), and edges to the nodes that produced its differentiable inputs.
#pragma once
#include <memory>
#include <vector>

#include "engine/tensor/tensor.h"

namespace zkd {

struct Node;

// Where a gradient goes: output `output_nr` of node `fn` (fn null: the input needs no gradient).
struct Edge {
  std::shared_ptr<Node> fn;
  int output_nr = 0;
};

struct Node {
  virtual ~Node() = default;
  virtual const char* name() const = 0;
  // grads: one per output of this node (undefined where an output received no gradient).
  // Returns one gradient per entry of `next` (undefined where no gradient flows).
  virtual std::vector<Tensor> backward(const std::vector<Tensor>& grads) = 0;
  // Drops the saved tensors once backward has run.
  virtual void release() {}

  std::vector<Edge> next;
  int num_outputs = 1;
  bool released = false;
};

}  // namespace zkd
