// Model summary: a counted forward pass plus a printed module tree.
#include "nets/summary.h"

#include <cstdio>
#include <sstream>

#include "engine/autograd/grad_mode.h"
#include "engine/ops/mac_counter.h"

namespace zkd::nets {

namespace {

void print_tree(const Module& m, const std::string& name, int depth, std::ostringstream& os) {
  std::string label = std::string(2 * depth, ' ') + name;
  os << label << (label.size() < 32 ? std::string(32 - label.size(), ' ') : " ") << m.type_name();
  int64_t params = m.num_parameters();
  if (params > 0) os << "  [" << with_commas(params) << "]";
  os << "\n";
  for (const auto& child : m.named_children())
    print_tree(*child.second, child.first, depth + 1, os);
}

}  // namespace

std::string with_commas(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

ModelStats model_stats(Module& m, const Shape& input) {
  ZKD_CHECK(input.size() == 4 && input[0] >= 1, "model_stats",
            "expected an input shape [N >= 1, C, H, W], got ", shape_str(input));
  bool was_training = m.is_training();
  m.eval();
  ModelStats s;
  s.parameters = m.num_parameters();
  int64_t macs = 0;
  try {
    NoGradGuard no_grad;
    MacCounter counter;
    Variable x(full(input, 0.5, DType::F32, m.device()));
    s.output = m(x).shape();
    macs = counter.total();
  } catch (...) {
    m.train(was_training);
    throw;
  }
  m.train(was_training);
  s.macs_per_image = macs / input[0];
  return s;
}

std::string summarize(Module& m, const Shape& input) {
  ModelStats s = model_stats(m, input);
  std::ostringstream os;
  print_tree(m, "(model)", 0, os);
  char macs[64];
  std::snprintf(macs, sizeof(macs), "%.1f M", static_cast<double>(s.macs_per_image) / 1e6);
  os << "input                " << shape_str(input) << "\n"
     << "output               " << shape_str(s.output) << "\n"
     << "trainable parameters " << with_commas(s.parameters) << "\n"
     << "MACs per image       " << macs << " (" << with_commas(s.macs_per_image)
     << "; conv and linear)\n";
  return os.str();
}

}  // namespace zkd::nets
