// zkd-summary: prints the model zoo. `zkd-summary` gives one line per net (name, output shape,
// trainable parameters, MACs per 32x32 image); `zkd-summary NAME...` the full summary of each
// (module tree, output shape, parameters, MACs).
#include <cstdio>
#include <exception>
#include <string>

#include "nets/registry.h"
#include "nets/summary.h"

int main(int argc, char** argv) {
  using namespace zkd;
  const Shape input = {1, 3, 32, 32};
  try {
    if (argc > 1 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
      std::printf("usage: zkd-summary [NAME...]\n  without names: one line per net\n");
      return 0;
    }
    if (argc == 1) {
      std::printf("%-12s %-10s %14s %14s\n", "name", "output", "parameters", "MACs/image");
      for (const std::string& name : nets::names()) {
        Generator gen(0);
        auto net = nets::create(name, gen);
        nets::ModelStats s = nets::model_stats(*net, input);
        std::printf("%-12s %-10s %14s %12.1f M\n", name.c_str(), shape_str(s.output).c_str(),
                    nets::with_commas(s.parameters).c_str(),
                    static_cast<double>(s.macs_per_image) / 1e6);
      }
      return 0;
    }
    for (int i = 1; i < argc; ++i) {
      Generator gen(0);
      auto net = nets::create(argv[i], gen);
      std::printf("%s\n%s\n", argv[i], nets::summarize(*net, input).c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkd-summary: %s\n", e.what());
    return 1;
  }
  return 0;
}
