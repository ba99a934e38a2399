// zkd-predict: classifies image files (PNG / JPEG / BMP; other sizes resized to 32x32) with a
// trained zoo net and prints each image's top-5 classes with their probabilities. Class names
// are CIFAR-100's unless --classes gives a file with one name per line (label order).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <numeric>
#include <string>

#include "apps/config/cli.h"
#include "apps/config/settings.h"
#include "apps/run/checkpoint.h"
#include "apps/run/train_command.h"
#include "apps/run/trainer.h"
#include "datasets/cifar100.h"
#include "datasets/image_io.h"
#include "datasets/loader.h"
#include "engine/autograd/grad_mode.h"
#include "engine/io/atomic_file.h"
#include "nets/registry.h"

namespace {

using namespace zkd;

std::vector<std::string> class_names(const std::string& file) {
  if (file.empty()) return data::cifar100_fine_names();
  // A regular file of at most 16 MiB: a folder or FIFO is an error, never a hang.
  std::string text = read_file(file, "--classes", 16 << 20);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  int64_t lines = text.empty() ? 0 : std::count(text.begin(), text.end(), '\n') + 1;
  ZKD_CHECK(lines > 0, "--classes", "expected class names in '", file, "', got an empty file");
  return data::parse_label_names(text, lines, file);
}

const char* kExamples = R"(Examples:
  ./build/apps/zkd-predict --model resnet32x4 --checkpoint runs/resnet32x4/best.safetensors cat.jpg dog.png
  ./build/apps/zkd-predict --model resnet20 --checkpoint best.safetensors --classes names.txt --top 3 *.png
Exit codes: 0 done, 1 failure or bad input, 2 usage error.)";

}  // namespace

int main(int argc, char** argv) {
  return app::run_main(argc, argv, [](int argc, char** argv) {
    auto cli = app::make_app(
        "Top-k classes of image files (PNG / JPEG / BMP) under a trained model.", kExamples);
    app::TrainConfig cfg;  // --model, --device, --threads: the training schema's rows
    cfg.model.clear();
    std::string checkpoint, classes_file;
    std::vector<std::string> images;
    int64_t top = 5;
    bool no_resize = false;
    app::add_schema_options(*cli, cfg, {"model", "device", "threads"},
                            {{"model", "the checkpoint's; zkd-summary lists them"}});
    cli->add_option("--checkpoint", checkpoint, "safetensors checkpoint (required)")
        ->option_text("PATH")
        ->group("model");
    cli->add_option("--classes", classes_file,
                    "file with one class name per line (default: CIFAR-100's names, as many as the "
                    "checkpoint has classes)")
        ->option_text("PATH")
        ->group("data");
    cli->add_flag("--no-resize", no_resize,
                  "reject images that are not 32x32 instead of resizing them")
        ->group("data");
    app::add_int(*cli, "--top", top, 1, 100000, "K",
                 "how many classes to print per image, at most the class count")
        ->group("output");
    cli->add_option("images", images, "image files")->option_text("IMAGE...");
    app::parse(*cli, argc, argv);
    if (checkpoint.empty()) throw app::UsageError("expected --checkpoint PATH");
    if (images.empty()) throw app::UsageError("expected at least one image file");
    SafetensorsFile file = load_safetensors(checkpoint);
    std::vector<std::string> names = class_names(classes_file);
    app::ModelChoice m =
        app::choose_model(app::checkpoint_info(file, checkpoint), checkpoint, cfg.model, "model",
                          classes_file.empty() ? 0 : static_cast<int64_t>(names.size()),
                          "classes file", static_cast<int64_t>(names.size()));
    ZKD_CHECK(m.num_classes <= static_cast<int64_t>(names.size()), "--classes", "expected at most ",
              names.size(), " classes (CIFAR-100's), got ", m.num_classes, " in ", checkpoint,
              "; give --classes FILE");
    names.resize(static_cast<size_t>(m.num_classes));  // a model of the first N CIFAR-100 classes
    const int64_t n = static_cast<int64_t>(images.size());
    if (top > static_cast<int64_t>(names.size()))
      throw app::UsageError("--top expects at most the class count " +
                            std::to_string(names.size()) + ", got " + std::to_string(top));
    const int64_t k = top;
    app::apply_threads(cfg.threads);
    Device device = app::pick_device(cfg.device);

    Generator gen(0);
    auto model = nets::create(m.model, gen, m.num_classes);
    app::load_weights(file, checkpoint, *model);
    model->to(device);
    model->eval();

    // The images as a test-time set (normalized only), through the same transform as training.
    data::ImageSet set = data::make_image_set(n, false);
    set.class_names = names;
    for (int64_t i = 0; i < n; ++i) {
      Tensor img =
          data::load_image_32(images[static_cast<size_t>(i)], !no_resize);  // uint8 [3, 32, 32]
      std::memcpy(set.images.data<uint8_t>() + i * data::kImageBytes, img.data<uint8_t>(),
                  data::kImageBytes);
    }
    data::Loader loader(set, device, 256, 0, /*train=*/false);
    NoGradGuard no_grad;
    for (int64_t bi = 0; bi < loader.num_batches(); ++bi) {
      data::Batch b = loader.batch(bi);
      Tensor logits = model->forward(Variable(b.images)).data().to(Device::cpu());  // [B, K]
      ZKD_CHECK(logits.dim() == 2 && logits.size(1) == static_cast<int64_t>(names.size()),
                "zkd-predict", "expected logits [B, ", names.size(), "], got ",
                shape_str(logits.shape()));
      std::vector<float> v = logits.to(DType::F32).to_vector<float>();
      const int64_t classes = logits.size(1);
      for (int64_t j = 0; j < b.size(); ++j) {
        const float* row = v.data() + j * classes;
        double mx = *std::max_element(row, row + classes), z = 0;
        for (int64_t c = 0; c < classes; ++c) z += std::exp(row[c] - mx);
        std::vector<int64_t> idx(static_cast<size_t>(classes));
        std::iota(idx.begin(), idx.end(), int64_t(0));
        std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                          [&](int64_t a, int64_t c) { return row[a] > row[c]; });
        std::printf("%s\n", images[static_cast<size_t>(bi * 256 + j)].c_str());
        for (int64_t r = 0; r < k; ++r)
          std::printf("  %lld. %6.2f%%  %s\n", static_cast<long long>(r + 1),
                      100.0 * std::exp(row[idx[r]] - mx) / z, names[idx[r]].c_str());
      }
    }
    return 0;
  });
}
