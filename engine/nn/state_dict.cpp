// state_dict / load_state_dict with a complete mismatch report.
#include "engine/nn/state_dict.h"

#include <set>
#include <sstream>

namespace zkd {

NamedTensors state_dict(const Module& m) {
  NamedTensors out;
  for (auto& [name, v] : m.named_parameters())
    out.emplace_back(name, v.data().to(Device::cpu()).clone());
  for (auto& [name, v] : m.named_buffers())
    out.emplace_back(name, v.data().to(Device::cpu()).clone());
  return out;
}

void load_state_dict(Module& m, const NamedTensors& tensors, const std::string& origin) {
  std::map<std::string, Variable> mine;
  for (auto& p : m.named_parameters()) mine.emplace(p.first, p.second);
  for (auto& b : m.named_buffers()) mine.emplace(b.first, b.second);
  std::map<std::string, const Tensor*> theirs;
  for (auto& t : tensors) theirs.emplace(t.first, &t.second);

  std::vector<std::string> problems;
  for (auto& [name, v] : mine) {
    auto it = theirs.find(name);
    if (it == theirs.end()) {
      problems.push_back("missing '" + name + "' (expected " + dtype_name(v.dtype()) + " " +
                         shape_str(v.shape()) + ")");
      continue;
    }
    const Tensor& t = *it->second;
    if (t.shape() != v.shape())
      problems.push_back("'" + name + "': expected shape " + shape_str(v.shape()) + ", got " +
                         shape_str(t.shape()));
    if (t.dtype() != v.dtype())
      problems.push_back("'" + name + "': expected dtype " + dtype_name(v.dtype()) + ", got " +
                         dtype_name(t.dtype()));
  }
  for (auto& [name, t] : theirs)
    if (!mine.count(name))
      problems.push_back("unexpected '" + name + "' (" + dtype_name(t->dtype()) + " " +
                         shape_str(t->shape()) + ")");
  if (!problems.empty()) {
    std::ostringstream os;
    os << problems.size() << " mismatch(es) between '" << origin << "' and the model:";
    for (auto& p : problems) os << "\n  " << p;
    ZKD_FAIL("load_state_dict", os.str());
  }
  for (auto& [name, v] : mine) {
    Variable var = v;
    var.data().copy_from(*theirs[name]);
  }
}

void save_module(const Module& m, const std::string& path,
                 const std::map<std::string, std::string>& metadata) {
  save_safetensors(path, state_dict(m), metadata);
}

void load_module(Module& m, const std::string& path) {
  load_state_dict(m, load_safetensors(path).tensors, path);
}

}  // namespace zkd
