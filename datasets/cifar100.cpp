// The CIFAR-100 binary reader and writer. A record is: coarse label (1 byte), fine label
// (1 byte), 3,072 pixel bytes (planes R, G, B, each 32x32 row-major) -- exactly the layout of
// one [3, 32, 32] uint8 image, so records are copied straight into the images tensor.
#include "datasets/cifar100.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "engine/io/atomic_file.h"

namespace fs = std::filesystem;

namespace zkd::data {
namespace {

const char* const kFiles[] = {"train.bin", "test.bin", "fine_label_names.txt",
                              "coarse_label_names.txt"};

bool is_tarball(const std::string& path) {
  return ends_with(path, ".tar.gz") || ends_with(path, ".tgz");
}

// The four files of the data set, from a folder or from a tarball (by base name, in any folder
// of the archive). `wanted` selects which are read (indices into kFiles).
struct RawFiles {
  std::string bytes[4];
  std::string origin[4];
};

RawFiles read_raw(const std::string& path, const std::vector<int>& wanted) {
  RawFiles raw;
  if (is_tarball(path)) {
    std::vector<std::string> names;
    for (int w : wanted) names.push_back(kFiles[w]);
    std::vector<ArchiveMember> members = read_archive(
        read_file(path, "cifar100", kCifarMaxTarballBytes), names, path, kCifarArchiveLimits);
    for (int w : wanted) {
      const ArchiveMember* found = find_member(members, kFiles[w]);
      ZKD_CHECK(found != nullptr, "cifar100", "expected the file ", kFiles[w], " in '", path,
                "', got an archive without it");
      raw.bytes[w] = found->bytes;
      raw.origin[w] = path + ":" + found->name;
    }
    return raw;
  }
  std::error_code ec;
  ZKD_CHECK(fs::is_directory(path, ec), "cifar100", "expected a CIFAR-100 folder or .tar.gz at '",
            path, "', got ", fs::exists(path, ec) ? "something else" : "nothing");
  for (int w : wanted) {
    raw.origin[w] = (fs::path(path) / kFiles[w]).string();
    raw.bytes[w] = read_file(raw.origin[w], "cifar100", kCifarMaxFileBytes);
  }
  return raw;
}

ImageSet split_from_raw(const RawFiles& raw, int bin) {
  ImageSet s = parse_cifar100_records(raw.bytes[bin], raw.origin[bin]);
  s.class_names = parse_label_names(raw.bytes[2], kCifarFineClasses, raw.origin[2]);
  s.coarse_names = parse_label_names(raw.bytes[3], kCifarCoarseClasses, raw.origin[3]);
  return s;
}

}  // namespace

ImageSet parse_cifar100_records(const std::string& bytes, const std::string& origin) {
  int64_t size = static_cast<int64_t>(bytes.size());
  ZKD_CHECK(size > 0, "cifar100", "'", origin, "': expected records of ", kCifarRecordBytes,
            " bytes, got an empty file");
  ZKD_CHECK(size % kCifarRecordBytes == 0, "cifar100", "'", origin,
            "': expected a size that is a multiple of ", kCifarRecordBytes, " bytes, got ", size,
            " bytes: record ", size / kCifarRecordBytes, " is truncated (",
            size % kCifarRecordBytes, " of its ", kCifarRecordBytes, " bytes present)");
  int64_t n = size / kCifarRecordBytes;
  ImageSet s = make_image_set(n, /*with_coarse=*/true);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  uint8_t* img = s.images.data<uint8_t>();
  int64_t* fine = s.labels.data<int64_t>();
  int64_t* coarse = s.coarse_labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i, p += kCifarRecordBytes) {
    ZKD_CHECK(p[1] < kCifarFineClasses, "cifar100", "'", origin, "': record ", i, " (byte ",
              i * kCifarRecordBytes + 1, ") has fine label ", int(p[1]), ", expected < ",
              kCifarFineClasses);
    ZKD_CHECK(p[0] < kCifarCoarseClasses, "cifar100", "'", origin, "': record ", i, " (byte ",
              i * kCifarRecordBytes, ") has coarse label ", int(p[0]), ", expected < ",
              kCifarCoarseClasses);
    coarse[i] = p[0];
    fine[i] = p[1];
    std::memcpy(img + i * kImageBytes, p + 2, kImageBytes);
  }
  return s;
}

std::vector<std::string> parse_label_names(const std::string& text, int64_t expected,
                                           const std::string& origin) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    names.push_back(line);
    pos = end + 1;
  }
  while (!names.empty() && names.back().empty()) names.pop_back();
  ZKD_CHECK(static_cast<int64_t>(names.size()) == expected, "cifar100", "'", origin, "': expected ",
            expected, " class names (one per line), got ", names.size());
  for (size_t i = 0; i < names.size(); ++i)
    ZKD_CHECK(!names[i].empty(), "cifar100", "'", origin, "': expected a name on line ", i + 1,
              ", got an empty line");
  return names;
}

std::string encode_cifar100_records(const ImageSet& set) {
  check_image_set(set, "encode_cifar100_records");
  ZKD_CHECK(set.coarse_labels.defined(), "encode_cifar100_records",
            "expected coarse labels, got none");
  std::string out(static_cast<size_t>(set.size() * kCifarRecordBytes), '\0');
  const uint8_t* img = set.images.data<uint8_t>();
  for (int64_t i = 0; i < set.size(); ++i) {
    char* r = &out[static_cast<size_t>(i * kCifarRecordBytes)];
    r[0] = static_cast<char>(set.coarse_labels.data<int64_t>()[i]);
    r[1] = static_cast<char>(set.labels.data<int64_t>()[i]);
    std::memcpy(r + 2, img + i * kImageBytes, kImageBytes);
  }
  return out;
}

void write_cifar100(const std::string& dir, const Cifar100& data) {
  fs::create_directories(dir);
  auto put = [&](const char* name, const std::string& bytes) {
    write_file_atomic((fs::path(dir) / name).string(), bytes);
  };
  auto lines = [](const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += n + "\n";
    return s;
  };
  ZKD_CHECK(data.train.num_classes() == kCifarFineClasses &&
                static_cast<int64_t>(data.train.coarse_names.size()) == kCifarCoarseClasses,
            "write_cifar100", "expected 100 fine and 20 coarse names, got ",
            data.train.num_classes(), " and ", data.train.coarse_names.size());
  put("train.bin", encode_cifar100_records(data.train));
  put("test.bin", encode_cifar100_records(data.test));
  put("fine_label_names.txt", lines(data.train.class_names));
  put("coarse_label_names.txt", lines(data.train.coarse_names));
}

Cifar100 load_cifar100(const std::string& path) {
  RawFiles raw = read_raw(path, {0, 1, 2, 3});
  Cifar100 d;
  d.train = split_from_raw(raw, 0);
  d.test = split_from_raw(raw, 1);
  return d;
}

ImageSet load_cifar100_split(const std::string& path, const std::string& split) {
  ZKD_CHECK(split == "train" || split == "test", "cifar100",
            "expected the split 'train' or 'test', got '", split, "'");
  int bin = split == "train" ? 0 : 1;
  return split_from_raw(read_raw(path, {bin, 2, 3}), bin);
}

const std::vector<std::string>& cifar100_fine_names() {
  static const std::vector<std::string> kNames = {
      "apple",       "aquarium_fish", "baby",      "bear",       "beaver",       "bed",
      "bee",         "beetle",        "bicycle",   "bottle",     "bowl",         "boy",
      "bridge",      "bus",           "butterfly", "camel",      "can",          "castle",
      "caterpillar", "cattle",        "chair",     "chimpanzee", "clock",        "cloud",
      "cockroach",   "couch",         "crab",      "crocodile",  "cup",          "dinosaur",
      "dolphin",     "elephant",      "flatfish",  "forest",     "fox",          "girl",
      "hamster",     "house",         "kangaroo",  "keyboard",   "lamp",         "lawn_mower",
      "leopard",     "lion",          "lizard",    "lobster",    "man",          "maple_tree",
      "motorcycle",  "mountain",      "mouse",     "mushroom",   "oak_tree",     "orange",
      "orchid",      "otter",         "palm_tree", "pear",       "pickup_truck", "pine_tree",
      "plain",       "plate",         "poppy",     "porcupine",  "possum",       "rabbit",
      "raccoon",     "ray",           "road",      "rocket",     "rose",         "sea",
      "seal",        "shark",         "shrew",     "skunk",      "skyscraper",   "snail",
      "snake",       "spider",        "squirrel",  "streetcar",  "sunflower",    "sweet_pepper",
      "table",       "tank",          "telephone", "television", "tiger",        "tractor",
      "train",       "trout",         "tulip",     "turtle",     "wardrobe",     "whale",
      "willow_tree", "wolf",          "woman",     "worm"};
  return kNames;
}

std::string default_data_dir() {
  const char* env = std::getenv("ZKD_DATA");
  return env && *env ? std::string(env) : std::string("./data");
}

std::string find_cifar100(const std::string& data_dir) {
  // Every name present, of any kind: a folder or FIFO named train.bin is then the reader's clear
  // error ("expected a regular file"), not a search one level deeper.
  auto complete = [](const fs::path& dir) {
    std::error_code ec;
    for (const char* f : kFiles)
      if (!fs::exists(fs::symlink_status(dir / f, ec))) return false;
    return true;
  };
  fs::path nested = fs::path(data_dir) / kCifarFolderName;
  if (complete(nested)) return nested.string();
  if (complete(data_dir)) return data_dir;
  std::error_code ec;
  ZKD_FAIL("cifar100",
           "expected CIFAR-100 (train.bin, test.bin, fine_label_names.txt, "
           "coarse_label_names.txt) in '",
           nested.string(), "', got ",
           fs::exists(nested, ec) ? "an incomplete folder" : "no such folder",
           ". Fetch it with: ./build/apps/zkd-data fetch --data ", data_dir,
           " (offline, with the tarball on disk: add --from cifar-100-binary.tar.gz)");
}

}  // namespace zkd::data
