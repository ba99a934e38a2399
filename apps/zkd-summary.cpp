// zkd-summary: prints the model zoo. `zkd-summary` gives one line per net (name, output shape,
// trainable parameters, MACs per 32x32 image); `zkd-summary NAME...` the full summary of each
// (module tree, output shape, parameters, MACs); `zkd-summary FILE.safetensors` what a checkpoint
// says about itself (model, classes, method, epoch, top-1, teacher) and its net's summary.
#include <cstdio>
#include <exception>
#include <string>

#include "apps/common/checkpoint.h"
#include "nets/registry.h"
#include "nets/summary.h"

int main(int argc, char** argv) {
  using namespace zkd;
  const Shape input = {1, 3, 32, 32};
  try {
    if (argc > 1 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
      std::printf("usage: zkd-summary [NAME... | CHECKPOINT.safetensors...]\n  without names: one line per net\n");
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
      const std::string arg = argv[i], ext = ".safetensors";
      std::string name = arg;
      int64_t classes = 100;
      if (arg.size() > ext.size() && arg.compare(arg.size() - ext.size(), ext.size(), ext) == 0) {
        app::CheckpointInfo c = app::checkpoint_info(load_safetensors(arg), arg);
        app::ModelChoice m = app::choose_model(c, arg, "", "model", 0, "num-classes");
        std::printf("%s: %s, %lld classes, method %s, data set %s, epoch %lld", arg.c_str(), m.model.c_str(),
                    static_cast<long long>(m.num_classes), c.method.empty() ? "?" : c.method.c_str(),
                    c.dataset.empty() ? "?" : c.dataset.c_str(), static_cast<long long>(c.epoch));
        if (c.top1 >= 0) std::printf(", test top-1 %.2f%%", c.top1);
        std::printf(", zkd %s\n", c.zkd_version.empty() ? "?" : c.zkd_version.c_str());
        if (!c.teacher_model.empty())
          std::printf("teacher %s from %s\n", c.teacher_model.c_str(), c.teacher_checkpoint.c_str());
        name = m.model;
        classes = m.num_classes;
      }
      Generator gen(0);
      auto net = nets::create(name, gen, classes);
      std::printf("%s\n%s\n", name.c_str(), nets::summarize(*net, input).c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkd-summary: %s\n", e.what());
    return 1;
  }
  return 0;
}
