// A module's state dict (parameters then buffers, PyTorch's names) and its safetensors file.
// Loading checks every name, shape and dtype and reports all mismatches in one error.
#pragma once
#include <map>
#include <string>

#include "engine/io/safetensors.h"
#include "engine/nn/module.h"

namespace zkd {

NamedTensors state_dict(const Module& m);  // host copies
// Copies values into the module's tensors (on their devices). Strict: every name of the module
// present in `tensors` and nothing extra.
void load_state_dict(Module& m, const NamedTensors& tensors, const std::string& origin);

void save_module(const Module& m, const std::string& path,
                 const std::map<std::string, std::string>& metadata = {});
void load_module(Module& m, const std::string& path);

}  // namespace zkd
