// zkd-bench: images/s, ms per step and peak device memory of a teacher training step, a KD+LS
// distillation step and inference, for chosen nets, batch size and device, on synthetic random
// uint8 images resident on the device (the GPU crop + flip + normalize kernel included). Protocol
// (docs/performance.md): warm-up first (cuDNN algorithm search included), then timed with CUDA
// events over --steps steps, median of --repeats; one table at the end.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <sstream>

#include "apps/config/cli.h"
#include "apps/config/settings.h"
#include "apps/run/train_command.h"
#include "apps/run/trainer.h"
#include "datasets/loader.h"
#include "engine/memory/gpu_api.h"
#include "engine/ops/ops.h"
#include "engine/optim/sgd.h"
#include "nets/registry.h"
#include "nets/summary.h"

namespace zkd {
namespace {

struct Row {
  std::string kind, model;
  int64_t batch = 0;
  double ms = 0, images_per_s = 0, peak_mib = 0, tflops = 0;
  double cpu_ms =
      0;  // --device cpu: process CPU time per step, all threads (fair on a loaded machine)
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// Median over repeats of the mean step time (ms) of `steps` calls of step(); *cpu_ms gets the
// process CPU time per timed step (std::clock, all threads).
double time_steps(Device dev, int64_t warmup, int64_t steps, int64_t repeats,
                  const std::function<void(int64_t)>& step, double* cpu_ms) {
  for (int64_t i = 0; i < warmup; ++i) step(i);
  std::clock_t c0 = std::clock();
  std::vector<double> ms;
  for (int64_t r = 0; r < repeats; ++r) {
    if (dev.is_cuda()) {
      gpu::DeviceTimer t;
      t.start();
      for (int64_t i = 0; i < steps; ++i) step(i);
      ms.push_back(t.stop_ms() / static_cast<double>(steps));
    } else {
      auto t0 = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < steps; ++i) step(i);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
          static_cast<double>(steps));
    }
  }
  *cpu_ms = 1e3 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC /
            static_cast<double>(steps * repeats);
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Synthetic data: random uint8 images (never all zero), enough batches to rotate through.
data::ImageSet synthetic_set(int64_t n, uint64_t seed) {
  data::ImageSet s = data::make_image_set(n, false);
  Generator g(seed);
  uint8_t* p = s.images.data<uint8_t>();
  for (int64_t i = 0; i < s.images.numel(); ++i) p[i] = static_cast<uint8_t>(g.uniform_int(256));
  int64_t* l = s.labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) l[i] = static_cast<int64_t>(g.uniform_int(100));
  s.class_names.assign(100, "c");
  return s;
}

double peak_mib(Device dev) {
  return dev.is_cuda() ? gpu::memory_stats().peak_allocated / (1024.0 * 1024.0) : 0.0;
}

}  // namespace
}  // namespace zkd

namespace {
const char* kExamples = R"(Examples:
  ./build/apps/zkd-bench                                     # the default table on the GPU (or CPU)
  ./build/apps/zkd-bench --train resnet8x4 --kd resnet32x4:resnet8x4 --infer '' --batch-size 128
  ./build/apps/zkd-bench --device cpu --steps 5 --repeats 1 --warmup 1
Exit codes: 0 done, 1 failure or bad input, 2 usage error.)";
}  // namespace

int main(int argc, char** argv) {
  using namespace zkd;
  return app::run_main(argc, argv, [](int argc, char** argv) {
    auto cli = app::make_app(
        "Training, distillation and inference speed and memory on synthetic data.", kExamples);
    std::string train_list = "resnet32x4", kd_list = "resnet32x4:resnet8x4,resnet32x4:ShuffleV2",
                infer_list = "resnet32x4,resnet8x4,ShuffleV2", device = "auto", math = "fast";
    int64_t B = 64, IB = 0, warm = 30, steps = 200, reps = 3, threads = 0;
    cli->add_option("--train", train_list,
                    "models to time a cross-entropy training step for (comma list)")
        ->option_text("NAMES")
        ->group("model");
    cli->add_option("--kd", kd_list, "teacher:student pairs to time a KD+LS step for (comma list)")
        ->option_text("PAIRS")
        ->group("model");
    cli->add_option("--infer", infer_list, "models to time inference for (comma list)")
        ->option_text("NAMES")
        ->group("model");
    app::add_int(*cli, "--batch-size", B, 1, 65536, "N", "batch size of the training and KD steps")
        ->group("optimization");
    app::add_int(*cli, "--infer-batch", IB, 0, 65536, "N",
                 "batch size of inference (0: --batch-size)")
        ->group("optimization");
    app::add_int(*cli, "--warmup", warm, 0, 1000000, "STEPS", "untimed steps first")
        ->group("optimization");
    app::add_int(*cli, "--steps", steps, 1, 1000000, "STEPS", "timed steps per repeat")
        ->group("optimization");
    app::add_int(*cli, "--repeats", reps, 1, 1000, "N", "repeats (the median is reported)")
        ->group("optimization");
    cli->add_option("--device", device, "auto | cpu | cuda | cuda:N (default auto)")
        ->option_text("DEVICE")
        ->group("device");
    cli->add_option("--math", math, "fast (TF32 allowed) or strict (fp32) (default fast)")
        ->option_text("MODE")
        ->group("device");
    app::add_threads_option(*cli, threads);
    app::parse(*cli, argc, argv);
    app::apply_threads(threads);
    if (math != "fast" && math != "strict")
      throw app::UsageError("--math expects fast or strict, got '" + math + "'" +
                            app::did_you_mean(math, {"fast", "strict"}));
    if (IB == 0) IB = B;
    Device dev = app::pick_device(device);
    gpu::set_strict_math(math == "strict");
    std::string precision = dev.is_cuda() ? (gpu::strict_math() ? "fp32" : "tf32") : "fp32";
    std::vector<Row> rows;
    Generator gen(0);
    auto make = [&](const std::string& name) {
      auto m = nets::create(app::canonical_model(name, "zkd-bench"), gen, 100);
      m->to(dev);
      return m;
    };
    auto gflop = [&](Module& m, double passes) {
      return passes * 2.0 *
             static_cast<double>(nets::model_stats(m, {1, 3, 32, 32}).macs_per_image) * 1e-9;
    };
    auto finish = [&](Row r, double gflop_per_img) {
      r.images_per_s = r.batch / (r.ms * 1e-3);
      r.peak_mib = peak_mib(dev);
      r.tflops = gflop_per_img * r.images_per_s * 1e-3;
      std::printf("%-6s %-24s batch %4lld  %8.3f ms/step  %9.0f img/s  cpu %8.3f ms/step\n",
                  r.kind.c_str(), r.model.c_str(), static_cast<long long>(r.batch), r.ms,
                  r.images_per_s, r.cpu_ms);
      std::fflush(stdout);
      rows.push_back(r);
    };

    for (const std::string& name : split(train_list)) {
      auto model = make(name);
      double g = gflop(*model, 3);
      SGD opt(model->parameters(), SgdArgs{0.05f, 0.9f, 5e-4f, false});
      data::Loader loader(synthetic_set(8 * B, 1), dev, B, 0, true);
      loader.start_epoch(0);
      model->train();
      if (dev.is_cuda()) gpu::reset_peak_memory();
      auto step = [&](int64_t i) {
        data::Batch b = loader.batch(i % loader.num_batches());
        Variable loss = cross_entropy((*model)(Variable(b.images)), b.labels);
        opt.zero_grad();
        loss.backward();
        opt.step();
      };
      Row r{"train", name, B};
      r.ms = time_steps(dev, warm, steps, reps, step, &r.cpu_ms);
      finish(r, g);
    }
    for (const std::string& pair : split(kd_list)) {
      size_t colon = pair.find(':');
      if (colon == std::string::npos)
        throw app::UsageError("--kd expects teacher:student pairs, got '" + pair + "'");
      auto teacher = make(pair.substr(0, colon));
      auto student = make(pair.substr(colon + 1));
      double g = gflop(*teacher, 1) + gflop(*student, 3);
      teacher->eval();
      student->train();
      SGD opt(student->parameters(), SgdArgs{0.05f, 0.9f, 5e-4f, false});
      data::Loader loader(synthetic_set(8 * B, 2), dev, B, 0, true);
      loader.start_epoch(0);
      KdLossArgs la;  // KD+LS: T 2, CE 0.1, KD 9
      if (dev.is_cuda()) gpu::reset_peak_memory();
      auto step = [&](int64_t i) {
        data::Batch b = loader.batch(i % loader.num_batches());
        Tensor t;
        {
          NoGradGuard no_grad;
          t = (*teacher)(Variable(b.images)).data();
        }
        Variable loss = kd_loss((*student)(Variable(b.images)), t, b.labels, la).loss;
        opt.zero_grad();
        loss.backward();
        opt.step();
      };
      Row r{"kd+ls", pair, B};
      r.ms = time_steps(dev, warm, steps, reps, step, &r.cpu_ms);
      finish(r, g);
    }
    for (const std::string& name : split(infer_list)) {
      auto model = make(name);
      double g = gflop(*model, 1);
      model->eval();
      data::Loader loader(synthetic_set(8 * IB, 3), dev, IB, 0, false);
      loader.start_epoch(0);
      if (dev.is_cuda()) gpu::reset_peak_memory();
      auto step = [&](int64_t i) {
        NoGradGuard no_grad;
        data::Batch b = loader.batch(i % loader.num_batches());
        (*model)(Variable(b.images));
      };
      Row r{"infer", name, IB};
      r.ms = time_steps(dev, warm, steps, reps, step, &r.cpu_ms);
      finish(r, g);
    }

    std::printf(
        "\nzkd-bench on %s, %s, NCHW, eager (no graph), warm-up %lld, %lld steps x %lld repeats "
        "(median)\n",
        dev.is_cuda() ? gpu::describe().c_str() : "cpu", precision.c_str(),
        static_cast<long long>(warm), static_cast<long long>(steps), static_cast<long long>(reps));
    std::printf(
        "| case  | model                    | batch | ms/step  | images/s  | peak MiB | TFLOP/s "
        "|\n");
    std::printf(
        "|-------|--------------------------|-------|----------|-----------|----------|---------|"
        "\n");
    for (const Row& r : rows)
      std::printf("| %-5s | %-24s | %5lld | %8.3f | %9.0f | %8.1f | %7.3f |\n", r.kind.c_str(),
                  r.model.c_str(), static_cast<long long>(r.batch), r.ms, r.images_per_s,
                  r.peak_mib, r.tflops);
    return 0;
  });
}
