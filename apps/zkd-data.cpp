// zkd-data: the data set on disk. `fetch` downloads (or installs --from a local tarball) and
// verifies CIFAR-100 into DATA_DIR/cifar-100-binary; `info` prints its counts and statistics;
// `dump-batch` writes a PNG grid of augmented training images (what the network sees);
// `checksum` prints the md5 and sha256 of files; `teacher-logits` builds a teacher-logit cache
// (docs/teacher-cache.md).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "apps/config/cli.h"
#include "apps/config/settings.h"
#include "apps/run/teacher.h"
#include "apps/run/teacher_cache.h"
#include "apps/run/train_command.h"
#include "apps/run/trainer.h"
#include "datasets/archive.h"
#include "datasets/augment.h"
#include "datasets/checksum.h"
#include "datasets/cifar100.h"
#include "datasets/fetch.h"
#include "datasets/image_folder.h"
#include "datasets/image_io.h"
#include "datasets/loader.h"

namespace {

using namespace zkd;
using namespace zkd::data;

const char* kExamples = R"(Examples:
  ./build/apps/zkd-data fetch                                   # download into ./data (or $ZKD_DATA)
  ./build/apps/zkd-data fetch --from ~/cifar-100-binary.tar.gz  # offline: install a local tarball
  ./build/apps/zkd-data info
  ./build/apps/zkd-data dump-batch --out batch.png --seed 3
  ./build/apps/zkd-data checksum data/cifar-100-binary/*.bin
  ./build/apps/zkd-data teacher-logits --teacher runs/ce-resnet32x4-seed0   # its logits cache
The data directory is --data, else $ZKD_DATA, else ./data. Exit codes: 0 done, 1 failure, 2 usage error.)";

// A CIFAR-100 location from --data: a .tar.gz as it is, else the folder under the data dir.
std::string cifar_path(const std::string& data) {
  return ends_with(data, ".tar.gz") || ends_with(data, ".tgz") ? data : find_cifar100(data);
}

struct Options {
  std::string data = default_data_dir(), from, url = kCifar100Url, out = "batch.png", folder;
  bool force = false, test = false;
  uint64_t seed = 0;
  int64_t epoch = 0, batch = 64, index = 0, cols = 8, scale = 4;
  std::vector<std::string> files;
  // teacher-logits
  std::string teacher, teacher_pick = "last", teacher_model, device = "auto", cache_out;
  int64_t num_classes = 0, train_per_class = 0, images_per_forward = 4;
};

int cmd_fetch(const Options& o) {
  FetchOptions opt;
  opt.data_dir = o.data;
  opt.from = o.from;
  opt.url = o.url;
  opt.force = o.force;
  std::string dir = fetch_cifar100(opt, &std::cout);
  std::cout << "ready: " << dir << "\n";
  return 0;
}

int cmd_info(const Options& o) {
  std::string path = cifar_path(o.data);
  Cifar100 d = load_cifar100(path);
  std::printf("CIFAR-100 at %s\n", path.c_str());
  for (const ImageSet* s : {&d.train, &d.test}) {
    std::vector<int64_t> counts = class_counts(*s);
    auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
    std::printf("%-5s %6lld images, %lld fine classes (%lld to %lld images each), %zu coarse\n",
                s == &d.train ? "train" : "test", static_cast<long long>(s->size()),
                static_cast<long long>(s->num_classes()), static_cast<long long>(*lo),
                static_cast<long long>(*hi), s->coarse_names.size());
    const uint8_t* px = s->images.data<uint8_t>();
    std::printf("      mean / std per channel (R, G, B):");
    for (int c = 0; c < 3; ++c) {
      double sum = 0, sum2 = 0;
      for (int64_t i = 0; i < s->size(); ++i)
        for (int j = 0; j < 1024; ++j) {
          double v = px[i * 3072 + c * 1024 + j] / 255.0;
          sum += v;
          sum2 += v * v;
        }
      double n = static_cast<double>(s->size()) * 1024, mean = sum / n;
      std::printf(" %.4f / %.4f", mean, std::sqrt(sum2 / n - mean * mean));
    }
    std::printf("\n");
  }
  return 0;
}

int cmd_dump_batch(const Options& o) {
  ImageSet set = o.folder.empty()
                     ? load_cifar100_split(cifar_path(o.data), o.test ? "test" : "train")
                     : load_image_folder(o.folder);
  Loader loader(set, Device::cpu(), o.batch, o.seed, !o.test);
  if (o.index >= loader.num_batches())
    throw app::UsageError("--index expects a batch of the epoch, 0 to " +
                          std::to_string(loader.num_batches() - 1) + ", got " +
                          std::to_string(o.index));
  loader.start_epoch(o.epoch);
  Batch b = loader.batch(o.index);
  write_png_grid(o.out, denormalize_images(b.images), static_cast<int>(o.cols),
                 static_cast<int>(o.scale));
  std::vector<int64_t> labels = b.labels.to_vector<int64_t>();
  std::printf("wrote %s: %lld images; labels:", o.out.c_str(), static_cast<long long>(b.size()));
  for (int64_t l : labels) std::printf(" %s", set.class_names[static_cast<size_t>(l)].c_str());
  std::printf("\n");
  return 0;
}

int cmd_checksum(const Options& o) {
  for (const std::string& p : o.files) {
    FileDigests d = file_digests(p);
    std::printf("%s  md5 %s  sha256 %s  %llu bytes\n", p.c_str(), d.md5.c_str(), d.sha256.c_str(),
                static_cast<unsigned long long>(d.bytes));
  }
  return 0;
}

int cmd_teacher_logits(Options o) {
  app::TeacherChoice t =
      app::choose_teacher(o.teacher, o.teacher_pick, o.teacher_model, o.num_classes);
  app::TrainConfig cfg = app::default_config(true);
  cfg.teacher_checkpoint = t.checkpoint;
  cfg.teacher_model = t.model;
  cfg.num_classes = t.num_classes;
  cfg.train_per_class = o.train_per_class;
  cfg.data = o.data;
  cfg.device = o.device;
  data::Cifar100 d = app::load_run_data(cfg);
  std::string out = o.cache_out;
  if (out.empty())  // beside the teacher's checkpoint, named by the subset
    out = app::default_cache_path(t.checkpoint, cfg.num_classes, o.train_per_class);
  app::build_teacher_cache(cfg, d.train, out, o.images_per_forward);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return app::run_main(argc, argv, [](int argc, char** argv) {
    auto cli = app::make_app("The CIFAR-100 data set on disk.", kExamples);
    cli->require_subcommand(1);
    Options o;
    CLI::App* fetch = cli->add_subcommand(
        "fetch", "download CIFAR-100 (or install --from a local tarball), verify, unpack");
    fetch->add_option("--data", o.data, "data directory; the set goes to DATA/cifar-100-binary")
        ->option_text("PATH")
        ->group("data");  // a destination: not the training schema's --data (a source)
    fetch
        ->add_option("--from", o.from,
                     "install this local cifar-100-binary.tar.gz instead of downloading (offline)")
        ->option_text("PATH")
        ->group("data");
    fetch->add_option("--url", o.url, "download address")->option_text("URL")->group("data");
    fetch->add_flag("--force", o.force, "replace an installed copy")->group("data");
    CLI::App* info = cli->add_subcommand(
        "info", "record counts, classes and channel statistics of the data set");
    app::TrainConfig
        shared;  // --data (and --seed) of info, dump-batch, teacher-logits: the schema's
    app::add_schema_options(*info, shared, {"data"});
    CLI::App* dump = cli->add_subcommand(
        "dump-batch", "write a PNG grid of augmented training images (what the network sees)");
    app::add_schema_options(*dump, shared, {"data", "seed"});
    dump->add_option("--folder", o.folder,
                     "an image folder (one subfolder per class) instead of CIFAR-100")
        ->option_text("PATH")
        ->group("data");
    dump->add_flag("--test", o.test, "test batches: data-set order, no augmentation")
        ->group("data");
    dump->add_option("--out", o.out, "output PNG file (default batch.png)")
        ->option_text("PNG")
        ->group("output");
    app::add_int(*dump, "--epoch", o.epoch, 0, 1000000, "EPOCH", "epoch (0-based)")->group("data");
    app::add_int(*dump, "--batch", o.batch, 1, 4096, "N", "images in the grid")->group("output");
    app::add_int(*dump, "--index", o.index, 0, 1000000000, "N", "which batch of the epoch")
        ->group("data");
    app::add_int(*dump, "--cols", o.cols, 1, 1024, "N", "grid columns")->group("output");
    app::add_int(*dump, "--scale", o.scale, 1, 32, "N",
                 "enlarge each image this many times (nearest neighbour)")
        ->group("output");
    CLI::App* checksum = cli->add_subcommand("checksum", "md5 and sha256 of files");
    checksum->add_option("files", o.files, "files")->option_text("FILE...")->required();
    CLI::App* logits = cli->add_subcommand(
        "teacher-logits",
        "cache a teacher's logits for every training image x crop x flip (docs/teacher-cache.md)");
    logits
        ->add_option("--teacher", o.teacher,
                     "the teacher: a zkd-train run directory or a checkpoint file")
        ->option_text("PATH")
        ->required()
        ->group("teacher");
    logits->add_option("--teacher-pick", o.teacher_pick, "last | best (run directory)")
        ->option_text("PICK")
        ->group("teacher");
    logits
        ->add_option("--teacher-model", o.teacher_model,
                     "the teacher's model (else its checkpoint's)")
        ->option_text("NAME")
        ->group("teacher");
    app::add_schema_options(*logits, shared, {"data", "train_per_class", "device", "threads"});
    app::add_int(*logits, "--num-classes", o.num_classes, 0, 100, "N",
                 "the first N classes, as the runs' --num-classes (default: the teacher's)")
        ->group("data");
    app::add_int(*logits, "--images-per-forward", o.images_per_forward, 1, 4096, "N",
                 "images per teacher forward (x 162 views each)")
        ->group("output");
    logits
        ->add_option("--out", o.cache_out,
                     "the cache file (default: beside the teacher's checkpoint, "
                     "teacher-logits-<N>c[-<P>pc].bin)")
        ->option_text("FILE")
        ->group("output");
    // An unknown command: say so, with the nearest one.
    std::vector<std::string> commands;
    for (const CLI::App* sub : cli->get_subcommands([](CLI::App*) { return true; }))
      commands.push_back(sub->get_name());
    if (argc > 1 && argv[1][0] != '-' &&
        std::find(commands.begin(), commands.end(), argv[1]) == commands.end())
      throw app::UsageError(std::string("unknown command '") + argv[1] + "'" +
                            app::did_you_mean(argv[1], commands));
    app::parse(*cli, argc, argv);
    if (fetch->parsed()) return cmd_fetch(o);
    if (!shared.data.empty()) o.data = shared.data;  // else $ZKD_DATA or ./data
    o.seed = shared.seed;
    o.train_per_class = shared.train_per_class;
    o.device = shared.device;
    if (info->parsed()) return cmd_info(o);
    if (dump->parsed()) return cmd_dump_batch(o);
    if (logits->parsed()) {
      app::apply_threads(shared.threads);
      return cmd_teacher_logits(o);
    }
    return cmd_checksum(o);
  });
}
