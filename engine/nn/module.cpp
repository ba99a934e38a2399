// Module: registration, recursive naming, train/eval and device moves.
#include "engine/nn/module.h"

namespace zkd {

Variable Module::register_parameter(const std::string& name, Tensor value) {
  Variable v(std::move(value), true);
  params_.emplace_back(name, v);
  return v;
}

Variable Module::register_buffer(const std::string& name, Tensor value, bool host_only) {
  Variable v(std::move(value), false);
  buffers_.emplace_back(name, v);
  buffer_host_only_.push_back(host_only);
  return v;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& c : children_) c.second->train(on);
}

void Module::collect(const std::string& prefix, bool params,
                     std::vector<std::pair<std::string, Variable>>& out) const {
  for (const auto& p : params ? params_ : buffers_) out.emplace_back(prefix + p.first, p.second);
  for (const auto& c : children_) c.second->collect(prefix + c.first + ".", params, out);
}

std::vector<std::pair<std::string, Variable>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Variable>> out;
  collect("", true, out);
  return out;
}

std::vector<std::pair<std::string, Variable>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Variable>> out;
  collect("", false, out);
  return out;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& p : named_parameters()) out.push_back(p.second);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (auto& p : named_parameters()) n += p.second.data().numel();
  return n;
}

void Module::to(Device device) {
  for (auto& p : params_) {
    Variable v = p.second;
    v.data() = v.data().to(device);
    if (v.grad().defined()) v.grad() = v.grad().to(device);
  }
  for (size_t i = 0; i < buffers_.size(); ++i) {
    if (buffer_host_only_[i]) continue;
    Variable v = buffers_[i].second;
    v.data() = v.data().to(device);
  }
  for (auto& c : children_) c.second->to(device);
}

Device Module::device() const {
  auto ps = named_parameters();
  return ps.empty() ? Device::cpu() : ps.front().second.device();
}

}  // namespace zkd
