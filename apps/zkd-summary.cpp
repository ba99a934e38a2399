// zkd-summary: prints the model zoo. `zkd-summary` gives one line per net (name, output shape,
// trainable parameters, MACs per 32x32 image); `zkd-summary NAME...` the full summary of each
// (module tree, output shape, parameters, MACs). Names are case-insensitive.
#include <cstdio>
#include <string>

#include "apps/common/cli.h"
#include "apps/common/settings.h"
#include "nets/registry.h"
#include "nets/summary.h"

namespace {
const char* kExamples = R"(Examples:
  ./build/apps/zkd-summary                    # one line per model
  ./build/apps/zkd-summary resnet8x4 shufflev2
Exit codes: 0 done, 1 failure, 2 usage error.)";
}  // namespace

int main(int argc, char** argv) {
  using namespace zkd;
  return app::run_main(argc, argv, [](int argc, char** argv) {
    auto cli = app::make_app("The model zoo: one line per model, or the full summary of the named ones.", kExamples);
    std::vector<std::string> names;
    cli->add_option("names", names, "model names")->option_text("NAME...");
    app::parse(*cli, argc, argv);
    const Shape input = {1, 3, 32, 32};
    if (names.empty()) {
      std::printf("%-12s %-10s %14s %14s\n", "name", "output", "parameters", "MACs/image");
      for (const std::string& name : nets::names()) {
        Generator gen(0);
        auto net = nets::create(name, gen);
        nets::ModelStats s = nets::model_stats(*net, input);
        std::printf("%-12s %-10s %14s %12.1f M\n", name.c_str(), shape_str(s.output).c_str(),
                    nets::with_commas(s.parameters).c_str(), static_cast<double>(s.macs_per_image) / 1e6);
      }
      return 0;
    }
    for (std::string& n : names) n = app::canonical_model(n, "NAME");
    for (const std::string& n : names) {
      Generator gen(0);
      auto net = nets::create(n, gen);
      std::printf("%s\n%s\n", n.c_str(), nets::summarize(*net, input).c_str());
    }
    return 0;
  });
}
