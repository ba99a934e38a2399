// state_dict / load_state_dict with a one-line mismatch report (counts and the first names).
#include "engine/nn/state_dict.h"

#include <set>
#include <utility>

#include "engine/io/json_limits.h"

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

  // Three kinds, each listed by name (the first few, in one line: names come from the file).
  std::vector<std::string> missing, misfit, unexpected;
  for (auto& [name, v] : mine) {
    auto it = theirs.find(name);
    if (it == theirs.end()) {
      missing.push_back("'" + brief_text(name) + "' (expected " + dtype_name(v.dtype()) + " " +
                        shape_str(v.shape()) + ")");
      continue;
    }
    const Tensor& t = *it->second;
    if (t.shape() != v.shape() || t.dtype() != v.dtype())
      misfit.push_back("'" + brief_text(name) + "' (expected " + dtype_name(v.dtype()) + " " +
                       shape_str(v.shape()) + ", got " + dtype_name(t.dtype()) + " " +
                       shape_str(t.shape()) + ")");
  }
  for (auto& [name, t] : theirs)
    if (!mine.count(name))
      unexpected.push_back("'" + brief_text(name) + "' (" + dtype_name(t->dtype()) + " " +
                           shape_str(t->shape()) + ")");
  const size_t n = missing.size() + misfit.size() + unexpected.size();
  if (n > 0) {
    std::string what;
    for (auto& [kind, list] :
         {std::pair<const char*, const std::vector<std::string>*>{"missing ", &missing},
          {"of another shape or dtype ", &misfit},
          {"unexpected ", &unexpected}})
      if (!list->empty())
        what += (what.empty() ? "" : "; ") + std::string(kind) + brief_list(*list);
    ZKD_FAIL("load_state_dict", n, " mismatch(es) between '", origin, "' and the model: ", what);
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
