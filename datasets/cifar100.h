// CIFAR-100, official binary version: reading train.bin / test.bin and the label-name files from
// the extracted folder or straight from the .tar.gz, strict validation (errors name the file and
// the first bad record), writing the same format (test fixtures), and locating the data set.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/archive.h"
#include "datasets/image_set.h"

namespace zkd::data {

using Cifar100Split = ImageSet;  // labels = fine labels, coarse_labels set, both name lists set

struct Cifar100 {
  ImageSet train;  // 50,000 images in the official data set
  ImageSet test;   // 10,000 images
};

constexpr int64_t kCifarRecordBytes = 2 + kImageBytes;  // coarse, fine, 3,072 pixel bytes
constexpr int64_t kCifarFineClasses = 100;
constexpr int64_t kCifarCoarseClasses = 20;
constexpr const char* kCifarFolderName = "cifar-100-binary";
// Caps for untrusted input, checked before allocating: one data-set file (train.bin is 153.7 MB),
// the .tar.gz (161 MB), and what its archive may unpack.
constexpr uint64_t kCifarMaxFileBytes = 256ull << 20;
constexpr uint64_t kCifarMaxTarballBytes = 512ull << 20;
constexpr ArchiveLimits kCifarArchiveLimits{100, kCifarMaxFileBytes, 2 * kCifarMaxFileBytes};

// path: the extracted folder (holding train.bin, test.bin, fine_label_names.txt,
// coarse_label_names.txt) or the .tar.gz itself (read in memory; nothing is written). Regular
// files only (a folder or FIFO where a file should be is an error), sizes capped as above.
Cifar100 load_cifar100(const std::string& path);
ImageSet load_cifar100_split(const std::string& path, const std::string& split);  // "train"|"test"

// The records of one .bin file (labels and images only; names left empty). `origin` names the
// file in errors: size not a multiple of 3,074 bytes, fine label >= 100, coarse label >= 20.
ImageSet parse_cifar100_records(const std::string& bytes, const std::string& origin);
// One name per line (trailing blank lines and '\r' dropped); exactly `expected` names.
std::vector<std::string> parse_label_names(const std::string& text, int64_t expected,
                                           const std::string& origin);
// The records of `set` in the binary format (the inverse of parse_cifar100_records).
std::string encode_cifar100_records(const ImageSet& set);
// Writes dir/{train.bin, test.bin, fine_label_names.txt, coarse_label_names.txt}; both sets
// need coarse labels and the 100 / 20 names. For tests and synthetic fixtures.
void write_cifar100(const std::string& dir, const Cifar100& data);

// The 100 fine class names of CIFAR-100 in label order (apple = 0 ... worm = 99), built in so
// that zkd-predict can name classes without the data set.
const std::vector<std::string>& cifar100_fine_names();

// $ZKD_DATA when set, else "./data".
std::string default_data_dir();
// The CIFAR-100 folder under data_dir (data_dir/cifar-100-binary, or data_dir itself when it
// holds train.bin). When it is missing, throws a zkd::Error that prints the exact command that
// fetches it.
std::string find_cifar100(const std::string& data_dir);

}  // namespace zkd::data
