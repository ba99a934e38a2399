// zkd-data: the data set on disk. `fetch` downloads (or installs --from a local tarball) and
// verifies CIFAR-100 into DATA_DIR/cifar-100-binary; `info` prints its counts and statistics;
// `dump-batch` writes a PNG grid of augmented training images (what the network sees);
// `checksum` prints the md5 and sha256 of files.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "apps/common/flags.h"
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

const char* kUsage =
    "usage: zkd-data COMMAND [flags]   (zkd-data COMMAND --help for its flags)\n"
    "commands:\n"
    "  fetch       download CIFAR-100 (or install --from a local tarball), verify, unpack\n"
    "  info        record counts, classes and channel statistics of the data set\n"
    "  dump-batch  write a PNG grid of augmented training images\n"
    "  checksum    md5 and sha256 of files\n"
    "The data directory is --data, else $ZKD_DATA, else ./data.\n";

// A CIFAR-100 location from --data: a .tar.gz as it is, else the folder under the data dir.
std::string cifar_path(const std::string& data) {
  return ends_with(data, ".tar.gz") || ends_with(data, ".tgz") ? data : find_cifar100(data);
}

int cmd_fetch(int argc, char** argv) {
  app::Flags f("zkd-data fetch", "Downloads, verifies and unpacks CIFAR-100 (binary version).");
  f.add("data", default_data_dir(), "data directory; the set goes to DATA/cifar-100-binary");
  f.add("from", "", "install this local cifar-100-binary.tar.gz instead of downloading");
  f.add("url", kCifar100Url, "download address");
  f.add_bool("force", "replace an installed copy");
  f.parse(argc, argv);
  FetchOptions opt;
  opt.data_dir = f.str("data");
  opt.from = f.str("from");
  opt.url = f.str("url");
  opt.force = f.on("force");
  std::string dir = fetch_cifar100(opt, &std::cout);
  std::cout << "ready: " << dir << "\n";
  return 0;
}

int cmd_info(int argc, char** argv) {
  app::Flags f("zkd-data info", "Counts, classes and per-channel statistics of CIFAR-100.");
  f.add("data", default_data_dir(), "data directory, extracted folder or .tar.gz");
  f.parse(argc, argv);
  std::string path = cifar_path(f.str("data"));
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

int cmd_dump_batch(int argc, char** argv) {
  app::Flags f("zkd-data dump-batch",
               "Writes one batch as the network sees it (augmented, then de-normalized) as PNG.");
  f.add("out", "batch.png", "output PNG file");
  f.add("data", default_data_dir(), "data directory, extracted CIFAR-100 folder or .tar.gz");
  f.add("folder", "", "an image folder (one subfolder per class) instead of CIFAR-100");
  f.add("seed", "0", "augmentation and shuffle seed");
  f.add("epoch", "0", "epoch (0-based)");
  f.add("batch", "64", "images in the grid");
  f.add("index", "0", "which batch of the epoch");
  f.add("cols", "8", "grid columns");
  f.add("scale", "4", "enlarge each image this many times (nearest neighbour)");
  f.add_bool("test", "test batches: data-set order, no augmentation");
  f.parse(argc, argv);
  ImageSet set = f.str("folder").empty() ? load_cifar100_split(cifar_path(f.str("data")),
                                                               f.on("test") ? "test" : "train")
                                         : load_image_folder(f.str("folder"));
  Loader loader(set, Device::cpu(), f.integer("batch"), static_cast<uint64_t>(f.integer("seed")),
                !f.on("test"));
  loader.start_epoch(f.integer("epoch"));
  Batch b = loader.batch(f.integer("index"));
  write_png_grid(f.str("out"), denormalize_images(b.images), static_cast<int>(f.integer("cols")),
                 static_cast<int>(f.integer("scale")));
  std::vector<int64_t> labels = b.labels.to_vector<int64_t>();
  std::printf("wrote %s: %lld images; labels:", f.str("out").c_str(),
              static_cast<long long>(b.size()));
  for (int64_t l : labels) std::printf(" %s", set.class_names[static_cast<size_t>(l)].c_str());
  std::printf("\n");
  return 0;
}

int cmd_checksum(int argc, char** argv) {
  app::Flags f("zkd-data checksum", "Prints md5, sha256 and size of each FILE.");
  f.parse(argc, argv);
  if (f.positional().empty()) f.fail("expected at least one FILE");
  for (const std::string& p : f.positional()) {
    FileDigests d = file_digests(p);
    std::printf("%s  md5 %s  sha256 %s  %llu bytes\n", p.c_str(), d.md5.c_str(), d.sha256.c_str(),
                static_cast<unsigned long long>(d.bytes));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  try {
    // Each command parses argv from its own name on (argv[1] plays argv[0]).
    if (cmd == "fetch") return cmd_fetch(argc - 1, argv + 1);
    if (cmd == "info") return cmd_info(argc - 1, argv + 1);
    if (cmd == "dump-batch") return cmd_dump_batch(argc - 1, argv + 1);
    if (cmd == "checksum") return cmd_checksum(argc - 1, argv + 1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkd-data %s: %s\n", cmd.c_str(), e.what());
    return 1;
  }
  std::fprintf(stderr, "zkd-data: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
