// zkd-bench: images/s, ms per step and peak device memory of a teacher training step, a KD+LS
// distillation step, inference and N sweep members stepping together, for chosen nets, batch size
// and device, on synthetic random uint8 images resident on the device (the GPU crop + flip +
// normalize kernel included). Protocol (docs/performance.md): warm-up first (cuDNN algorithm
// search included), then timed with CUDA events over --steps steps, median of --repeats; one table
// at the end, and the rows as JSON with --json FILE. The cases, timing and output: apps/bench/.
#include "apps/bench/cases.h"
#include "apps/bench/options.h"
#include "apps/bench/report.h"
#include "apps/config/cli.h"
#include "apps/config/version.h"
#include "apps/run/train_command.h"
#include "apps/run/trainer.h"
#include "engine/core/precision.h"
#include "engine/io/atomic_file.h"
#include "engine/memory/gpu_api.h"

namespace {
const char* kExamples = R"(Examples:
  ./build/apps/zkd-bench                                     # the default table on the GPU (or CPU)
  ./build/apps/zkd-bench --train resnet8x4 --kd resnet32x4:resnet8x4 --infer '' --batch-size 128
  ./build/apps/zkd-bench --train '' --kd '' --infer '' --sweep 1,2,4,8 --json sweep.json
  ./build/apps/zkd-bench --device cpu --steps 5 --repeats 1 --warmup 1
Exit codes: 0 done, 1 failure or bad input, 2 usage error.)";
}  // namespace

int main(int argc, char** argv) {
  using namespace zkd;
  using namespace zkd::app::bench;
  return app::run_main(argc, argv, [](int argc, char** argv) {
    auto cli = app::make_app(
        "Training, distillation and inference speed and memory on synthetic data.", kExamples);
    Options o;
    add_options(*cli, o);
    app::parse(*cli, argc, argv);
    check_options(o);
    app::apply_threads(o.shared.threads);
    Device dev = app::pick_device(o.shared.device);
    gpu::set_strict_math(o.math == "strict");
    RunInfo info;
    info.device = dev.is_cuda() ? gpu::describe() : "cpu";
    // The cases' forward passes in the chosen precision (their backward replays it).
    PrecisionScope precision(parse_precision(o.shared.precision));
    info.precision = o.shared.precision == "bf16"           ? "bf16"
                     : dev.is_cuda() && !gpu::strict_math() ? "tf32"
                                                            : "fp32";
    info.version = app::version();
    info.command = app::invocation();
    info.protocol = Protocol{dev, o.warmup, o.steps, o.repeats};
    info.threads = o.shared.threads;

    std::vector<Row> rows;
    Generator gen(0);
    auto add = [&](Row r) {
      print_progress(r);
      rows.push_back(std::move(r));
    };
    const Protocol& p = info.protocol;
    for (const std::string& name : split_list(o.train)) add(bench_train(p, gen, name, o.batch));
    for (const std::string& pair : split_list(o.kd)) {
      auto [teacher, student] = split_pair(pair, "--kd");
      add(bench_kd(p, gen, teacher, student, o.batch));
      if (o.teacher_cache) add(bench_kd_cached(p, gen, teacher, student, o.batch));
    }
    for (const std::string& name : split_list(o.infer))
      add(bench_infer(p, gen, name, o.infer_batch));
    if (!o.sweep.empty()) {
      auto [teacher, student] = split_pair(o.sweep_pair, "--sweep-pair");
      for (int64_t n : member_counts(o.sweep))
        add(bench_sweep(p, gen, teacher, student, o.batch, n));
    }
    print_table(info, rows);
    if (!o.json.empty()) write_file_atomic(o.json, to_json(info, rows));
    return 0;
  });
}
