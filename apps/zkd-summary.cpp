// zkd-summary: prints the model zoo. `zkd-summary` gives one line per net (name, output shape,
// trainable parameters, MACs per 32x32 image); `zkd-summary NAME...` the full summary of each
// (module tree, output shape, parameters, MACs; names are case-insensitive); `zkd-summary
// FILE.safetensors` what a checkpoint says about itself (model, classes, method, epoch, top-1,
// teacher) and its net's summary.
#include <cstdio>
#include <string>

#include "apps/config/cli.h"
#include "apps/config/settings.h"
#include "apps/run/checkpoint.h"
#include "nets/registry.h"
#include "nets/summary.h"

namespace {
const char* kExamples = R"(Examples:
  ./build/apps/zkd-summary                    # one line per model
  ./build/apps/zkd-summary resnet8x4 shufflev2
  ./build/apps/zkd-summary runs/ce-resnet32x4-seed0/best.safetensors
Exit codes: 0 done, 1 failure, 2 usage error.)";
}  // namespace

int main(int argc, char** argv) {
  using namespace zkd;
  return app::run_main(argc, argv, [](int argc, char** argv) {
    auto cli = app::make_app(
        "The model zoo: one line per model, or the full summary of the named ones or of "
        "checkpoints' models.",
        kExamples);
    std::vector<std::string> names;
    cli->add_option("names", names, "model names or checkpoint files (FILE.safetensors)")
        ->option_text("NAME...");
    app::parse(*cli, argc, argv);
    const Shape input = {1, 3, 32, 32};
    if (names.empty()) {
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
    for (const std::string& arg : names) {
      const std::string ext = ".safetensors";
      std::string name;
      int64_t classes = 100;
      if (arg.size() > ext.size() && arg.compare(arg.size() - ext.size(), ext.size(), ext) == 0) {
        app::CheckpointInfo c = app::checkpoint_info(load_safetensors(arg), arg);
        app::ModelChoice m = app::choose_model(c, arg, "", "model", 0, "num-classes");
        std::printf("%s: %s, %lld classes, method %s, data set %s, epoch %lld", arg.c_str(),
                    m.model.c_str(), static_cast<long long>(m.num_classes),
                    c.method.empty() ? "?" : c.method.c_str(),
                    c.dataset.empty() ? "?" : c.dataset.c_str(), static_cast<long long>(c.epoch));
        if (c.top1 >= 0) std::printf(", test top-1 %.2f%%", c.top1);
        std::printf(", zkd %s\n", c.zkd_version.empty() ? "?" : c.zkd_version.c_str());
        if (!c.teacher_model.empty())
          std::printf("teacher %s from %s\n", c.teacher_model.c_str(),
                      c.teacher_checkpoint.c_str());
        name = m.model;
        classes = m.num_classes;
      } else {
        name = app::canonical_model(arg, "NAME");
      }
      Generator gen(0);
      auto net = nets::create(name, gen, classes);
      std::printf("%s\n%s\n", name.c_str(), nets::summarize(*net, input).c_str());
    }
    return 0;
  });
}
