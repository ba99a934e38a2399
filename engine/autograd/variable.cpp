// Variable, grad mode, and the backward engine: an iterative topological pass (Kahn's order over
// dependency counts) that handles fan-out and fan-in and releases saved tensors as it goes.
#include "engine/autograd/variable.h"

#include <unordered_map>

#include "engine/autograd/grad_mode.h"
#include "engine/backend/backend.h"

namespace zkd {

namespace {
thread_local bool g_grad_enabled = true;

// Gradient sink of a leaf: adds the incoming gradient into leaf.grad (a fresh copy on first use,
// in place afterwards, so a preallocated gradient view, e.g. in a flat buffer, is filled).
struct AccumulateGrad : Node {
  explicit AccumulateGrad(std::shared_ptr<VariableImpl> leaf) : leaf(std::move(leaf)) {}
  const char* name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> backward(const std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];
    if (!g.defined()) return {};
    check_shape("backward", g, leaf->data.shape(), "a gradient");
    if (!leaf->grad.defined()) {
      leaf->grad = g.clone();
    } else {
      ZKD_DISPATCH(g, add_inplace, leaf->grad, g.contiguous(), 1.0);
    }
    return {};
  }
  std::shared_ptr<VariableImpl> leaf;
};
}  // namespace

bool grad_enabled() {
  return g_grad_enabled;
}
void set_grad_enabled(bool on) {
  g_grad_enabled = on;
}

Variable::Variable(Tensor data, bool requires_grad) : impl_(std::make_shared<VariableImpl>()) {
  impl_->data = std::move(data);
  set_requires_grad(requires_grad);
}

void Variable::set_requires_grad(bool on) {
  ZKD_CHECK(!on || is_floating(impl_->data.dtype()), "requires_grad",
            "expected a floating-point tensor, got ", dtype_name(impl_->data.dtype()));
  impl_->requires_grad = on;
}

Edge Variable::gradient_edge() const {
  if (!impl_ || !impl_->requires_grad) return {};
  if (impl_->grad_fn) return {impl_->grad_fn, impl_->output_nr};
  return {std::make_shared<AccumulateGrad>(impl_), 0};
}

Variable Variable::make_result(Tensor data, std::shared_ptr<Node> node, int output_nr) {
  Variable v(std::move(data), false);
  if (node) {
    v.impl_->requires_grad = true;
    v.impl_->grad_fn = std::move(node);
    v.impl_->output_nr = output_nr;
  }
  return v;
}

bool needs_grad(std::initializer_list<const Variable*> inputs) {
  if (!grad_enabled()) return false;
  for (const Variable* v : inputs)
    if (v && v->defined() && v->requires_grad()) return true;
  return false;
}

std::vector<Edge> collect_edges(std::initializer_list<const Variable*> inputs) {
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Variable* v : inputs) edges.push_back(v && v->defined() ? v->gradient_edge() : Edge{});
  return edges;
}

void Variable::backward() const {
  ZKD_CHECK(impl_ && impl_->data.numel() == 1, "backward",
            "expected a one-element output for backward() without a gradient, got shape ",
            impl_ ? shape_str(impl_->data.shape()) : "undefined");
  backward(ones(impl_->data.shape(), impl_->data.dtype(), impl_->data.device()));
}

void Variable::backward(const Tensor& grad_output) const {
  ZKD_CHECK(impl_ && impl_->requires_grad, "backward",
            "expected an output that requires grad, got one without history");
  check_shape("backward", grad_output, impl_->data.shape(), "a seed gradient");
  Edge root = gradient_edge();

  // 1. Dependency counts: how many edges point at each node.
  std::unordered_map<Node*, int> deps;
  std::unordered_map<Node*, std::shared_ptr<Node>> keep;  // nodes alive during the pass
  std::vector<Node*> stack{root.fn.get()};
  keep[root.fn.get()] = root.fn;
  deps[root.fn.get()] = 0;
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    ZKD_CHECK(!n->released, "backward",
              "expected a fresh graph, got one a previous backward already used (node ", n->name(),
              "); run the forward again");
    for (const Edge& e : n->next) {
      if (!e.fn) continue;
      Node* m = e.fn.get();
      if (keep.emplace(m, e.fn).second) {
        deps[m] = 0;
        stack.push_back(m);
      }
      ++deps[m];
    }
  }

  // 2. Run nodes once all their incoming gradients have arrived (fan-in summed out of place, so
  // a gradient shared by two edges, e.g. add's, is never modified).
  std::unordered_map<Node*, std::vector<Tensor>> inbox;
  inbox[root.fn.get()].resize(root.fn->num_outputs);
  inbox[root.fn.get()][root.output_nr] = grad_output.contiguous();
  std::vector<Node*> ready{root.fn.get()};
  while (!ready.empty()) {
    Node* n = ready.back();
    ready.pop_back();
    std::vector<Tensor> grads = std::move(inbox[n]);
    inbox.erase(n);
    grads.resize(n->num_outputs);
    bool any = false;
    for (const Tensor& g : grads) any = any || g.defined();
    std::vector<Tensor> out = any ? n->backward(grads) : std::vector<Tensor>{};
    grads.clear();
    for (size_t i = 0; i < n->next.size(); ++i) {
      const Edge& e = n->next[i];
      if (!e.fn) continue;
      Node* m = e.fn.get();
      if (i < out.size() && out[i].defined()) {
        auto& slot = inbox[m];
        slot.resize(m->num_outputs);
        Tensor& acc = slot[e.output_nr];
        acc = acc.defined() ? ZKD_DISPATCH(acc, add, acc, out[i]) : out[i];
      }
      if (--deps[m] == 0) ready.push_back(m);
    }
    n->release();
    n->released = true;
    n->next.clear();  // frees upstream nodes no live Variable holds
  }
}

}  // namespace zkd
