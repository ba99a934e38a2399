// The CIFAR-100 binary reader on synthetic files written by the test: valid folder and tarball,
// and every validation error (truncated, bad fine / coarse label, wrong size, missing file, bad
// name list), each naming the file and the record; the per-class subset; find_cifar100.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "datasets/archive.h"
#include "datasets/cifar100.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {

namespace fs = std::filesystem;

static void expect_same(const ImageSet& got, const ImageSet& want) {
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(got.images.shape(), (Shape{want.size(), 3, 32, 32}));
  EXPECT_EQ(got.images.dtype(), DType::U8);
  EXPECT_EQ(got.labels.dtype(), DType::I64);
  EXPECT_EQ(0, std::memcmp(got.images.data<uint8_t>(), want.images.data<uint8_t>(),
                           want.images.nbytes()));
  EXPECT_EQ(got.labels.to_vector<int64_t>(), want.labels.to_vector<int64_t>());
  EXPECT_EQ(got.coarse_labels.to_vector<int64_t>(), want.coarse_labels.to_vector<int64_t>());
  EXPECT_EQ(got.class_names, want.class_names);
  EXPECT_EQ(got.coarse_names, want.coarse_names);
}

TEST(Cifar100Reader, ReadsWhatWasWrittenFromFolder) {
  test::TempDir dir;
  Cifar100 d = test::synthetic_cifar(250, 70, 1);
  write_cifar100(dir.path(), d);
  EXPECT_EQ(fs::file_size(dir / "train.bin"), 250u * 3074u);
  Cifar100 back = load_cifar100(dir.path());
  expect_same(back.train, d.train);
  expect_same(back.test, d.test);
  expect_same(load_cifar100_split(dir.path(), "test"), d.test);
}

TEST(Cifar100Reader, RecordLayoutIsCoarseFinePlanes) {
  // One hand-made record: coarse 7, fine 42, R plane 10, G plane 20, B plane 30 + (y * 32 + x) % 7.
  std::string rec(3074, '\0');
  rec[0] = 7;
  rec[1] = 42;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 1024; ++i) rec[2 + c * 1024 + i] = static_cast<char>(10 * (c + 1) + i % 7);
  ImageSet s = parse_cifar100_records(rec, "one.bin");
  ASSERT_EQ(s.size(), 1);
  EXPECT_EQ(s.labels.data<int64_t>()[0], 42);
  EXPECT_EQ(s.coarse_labels.data<int64_t>()[0], 7);
  const uint8_t* img = s.images.data<uint8_t>();
  EXPECT_EQ(img[0 * 1024 + 5 * 32 + 3], 10 + (5 * 32 + 3) % 7);  // R (y 5, x 3)
  EXPECT_EQ(img[1 * 1024 + 0], 20);                              // G (0, 0)
  EXPECT_EQ(img[2 * 1024 + 31 * 32 + 31], 30 + 1023 % 7);        // B (31, 31)
}

// Writes a valid data set, applies `damage` to train.bin's bytes and returns the load error.
template <typename F>
static std::string damaged_train_error(const test::TempDir& dir, F damage) {
  write_cifar100(dir.path(), test::synthetic_cifar(40, 10, 2));
  std::string bytes = test::read_bytes(dir / "train.bin");
  damage(bytes);
  test::write_bytes(dir / "train.bin", bytes);
  return test::error_of([&] { load_cifar100(dir.path()); });
}

TEST(Cifar100Reader, TruncatedFileNamesFileAndRecord) {
  test::TempDir dir;
  std::string err = damaged_train_error(dir, [](std::string& b) { b.resize(b.size() - 100); });
  EXPECT_NE(err.find(dir / "train.bin"), std::string::npos) << err;
  EXPECT_NE(err.find("record 39 is truncated"), std::string::npos) << err;
  EXPECT_NE(err.find("multiple of 3074"), std::string::npos) << err;
}

TEST(Cifar100Reader, WrongSizeNamesFileAndRecord) {
  test::TempDir dir;
  // 12 extra bytes: 40 whole records and a 41st of 12 bytes.
  std::string err = damaged_train_error(dir, [](std::string& b) { b += std::string(12, '\1'); });
  EXPECT_NE(err.find(dir / "train.bin"), std::string::npos) << err;
  EXPECT_NE(err.find("record 40 is truncated (12 of its 3074 bytes"), std::string::npos) << err;
  std::string empty = test::error_of([] { parse_cifar100_records("", "empty.bin"); });
  EXPECT_NE(empty.find("empty.bin"), std::string::npos) << empty;
}

TEST(Cifar100Reader, BadFineLabelNamesFileAndFirstBadRecord) {
  test::TempDir dir;
  std::string err = damaged_train_error(dir, [](std::string& b) {
    b[17 * 3074 + 1] = static_cast<char>(100);  // first bad record: 17
    b[30 * 3074 + 1] = static_cast<char>(250);
  });
  EXPECT_NE(err.find(dir / "train.bin"), std::string::npos) << err;
  EXPECT_NE(err.find("record 17 "), std::string::npos) << err;
  EXPECT_NE(err.find("fine label 100, expected < 100"), std::string::npos) << err;
}

TEST(Cifar100Reader, BadCoarseLabelNamesFileAndRecord) {
  test::TempDir dir;
  std::string err = damaged_train_error(dir, [](std::string& b) { b[3 * 3074] = 20; });
  EXPECT_NE(err.find(dir / "train.bin"), std::string::npos) << err;
  EXPECT_NE(err.find("record 3 "), std::string::npos) << err;
  EXPECT_NE(err.find("coarse label 20, expected < 20"), std::string::npos) << err;
}

TEST(Cifar100Reader, MissingFilesAndBadNameListsAreNamed) {
  test::TempDir dir;
  write_cifar100(dir.path(), test::synthetic_cifar(20, 10, 3));
  fs::remove(dir / "test.bin");
  std::string err = test::error_of([&] { load_cifar100(dir.path()); });
  EXPECT_NE(err.find(dir / "test.bin"), std::string::npos) << err;
  // The train split alone does not need test.bin.
  EXPECT_EQ(load_cifar100_split(dir.path(), "train").size(), 20);

  test::write_bytes(dir / "coarse_label_names.txt", "a\nb\nc\n");
  err = test::error_of([&] { load_cifar100_split(dir.path(), "train"); });
  EXPECT_NE(err.find(dir / "coarse_label_names.txt"), std::string::npos) << err;
  EXPECT_NE(err.find("expected 20 class names"), std::string::npos) << err;

  err = test::error_of([&] { load_cifar100(dir / "nowhere"); });
  EXPECT_NE(err.find("nowhere"), std::string::npos) << err;
}

TEST(Cifar100Reader, NameListsToleranceForCrlfAndTrailingBlankLines) {
  std::vector<std::string> n = parse_label_names("a\r\nb\r\n\n\n", 2, "names.txt");
  EXPECT_EQ(n, (std::vector<std::string>{"a", "b"}));
  std::string err = test::error_of([] { parse_label_names("a\n\nb\n", 3, "gap.txt"); });
  EXPECT_NE(err.find("gap.txt"), std::string::npos) << err;
}

static std::string tarball_of(const std::string& folder, bool with_test = true) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* f : {"coarse_label_names.txt", "fine_label_names.txt", "test.bin", "train.bin"})
    if (with_test || std::string(f) != "test.bin")
      files.emplace_back(std::string("cifar-100-binary/") + f, test::read_bytes(folder + "/" + f));
  return test::make_tar_gz(files);
}

TEST(Cifar100Reader, ReadsTheTarballDirectly) {
  test::TempDir dir;
  Cifar100 d = test::synthetic_cifar(130, 30, 4);
  write_cifar100(dir / "src", d);
  test::write_bytes(dir / "c.tar.gz", tarball_of(dir / "src"));
  Cifar100 back = load_cifar100(dir / "c.tar.gz");
  expect_same(back.train, d.train);
  expect_same(back.test, d.test);

  // Errors inside the tarball name the archive and the member.
  std::string bytes = test::read_bytes(dir / "src/train.bin");
  bytes[5 * 3074 + 1] = static_cast<char>(177);
  test::write_bytes(dir / "src/train.bin", bytes);
  test::write_bytes(dir / "bad.tar.gz", tarball_of(dir / "src"));
  std::string err = test::error_of([&] { load_cifar100(dir / "bad.tar.gz"); });
  EXPECT_NE(err.find(dir / "bad.tar.gz:cifar-100-binary/train.bin"), std::string::npos) << err;
  EXPECT_NE(err.find("record 5 "), std::string::npos) << err;

  test::write_bytes(dir / "notest.tar.gz", tarball_of(dir / "src", false));
  err = test::error_of([&] { load_cifar100(dir / "notest.tar.gz"); });
  EXPECT_NE(err.find("test.bin"), std::string::npos) << err;
  EXPECT_NE(err.find("notest.tar.gz"), std::string::npos) << err;
}

// Issue #16: a directory where train.bin should be threw std::length_error; a sparse huge
// test.bin threw std::bad_alloc; a FIFO would block. Each is now a one-line error.
TEST(Cifar100Reader, NonRegularOrHugeFilesAreClearErrors) {
  test::TempDir dir;
  write_cifar100(dir.path(), test::synthetic_cifar(20, 10, 7));
  fs::remove(dir / "train.bin");
  fs::create_directory(dir / "train.bin");
  std::string err = test::error_of([&] { load_cifar100(dir.path()); });
  EXPECT_NE(err.find("expected a regular file at '" + (dir / "train.bin") + "', got a directory"),
            std::string::npos)
      << err;
  fs::remove(dir / "train.bin");
  ASSERT_EQ(::mkfifo((dir / "train.bin").c_str(), 0600), 0);
  err = test::error_of([&] { load_cifar100_split(dir.path(), "train"); });
  EXPECT_NE(err.find("got a FIFO"), std::string::npos) << err;
  // 1 TiB, sparse: refused by size before any allocation.
  ASSERT_EQ(::truncate((dir / "test.bin").c_str(), int64_t{1} << 40), 0);
  err = test::error_of([&] { load_cifar100_split(dir.path(), "test"); });
  EXPECT_NE(err.find("expected at most " + std::to_string(kCifarMaxFileBytes) + " bytes"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("got 1099511627776"), std::string::npos) << err;
}

TEST(Cifar100Reader, FirstPerClassKeepsDataSetOrder) {
  ImageSet s = test::synthetic_set(1000, 5);  // label i % 100: 10 per class
  ImageSet sub = first_per_class(s, 3);
  ASSERT_EQ(sub.size(), 300);
  for (int64_t c : class_counts(sub)) EXPECT_EQ(c, 3);
  // Images 0..299 are the first three of every class, in order.
  EXPECT_EQ(0, std::memcmp(sub.images.data<uint8_t>(), s.images.data<uint8_t>(), 300 * 3072));
  EXPECT_EQ(sub.labels.to_vector<int64_t>()[299], 99);
  EXPECT_EQ(sub.coarse_labels.to_vector<int64_t>()[299], 19);
  EXPECT_EQ(first_per_class(s, 50).size(), 1000);  // fewer than asked: all of them
}

TEST(Cifar100Reader, FindCifar100PrintsTheFetchCommand) {
  test::TempDir dir;
  std::string err = test::error_of([&] { find_cifar100(dir / "data"); });
  EXPECT_NE(err.find("zkd-data fetch --data " + (dir / "data")), std::string::npos) << err;
  EXPECT_NE(err.find("--from"), std::string::npos) << err;
  write_cifar100(dir / "data/cifar-100-binary", test::synthetic_cifar(10, 10, 6));
  EXPECT_EQ(find_cifar100(dir / "data"), dir / "data/cifar-100-binary");
  EXPECT_EQ(find_cifar100(dir / "data/cifar-100-binary"), dir / "data/cifar-100-binary");
  // Trial of issue 16: a folder named train.bin made `zkd-data info --data FOLDER` look for
  // FOLDER/cifar-100-binary ("no such folder"); the folder is found and the reader names the file.
  fs::remove(dir / "data/cifar-100-binary/train.bin");
  fs::create_directory(dir / "data/cifar-100-binary/train.bin");
  EXPECT_EQ(find_cifar100(dir / "data/cifar-100-binary"), dir / "data/cifar-100-binary");
  err = test::error_of([&] { load_cifar100(find_cifar100(dir / "data/cifar-100-binary")); });
  EXPECT_NE(err.find("got a directory"), std::string::npos) << err;
}

TEST(Cifar100Reader, BuiltInNamesAreTheOfficialHundred) {
  const std::vector<std::string>& n = cifar100_fine_names();
  ASSERT_EQ(n.size(), 100u);
  EXPECT_EQ(n[0], "apple");
  EXPECT_EQ(n[19], "cattle");
  EXPECT_EQ(n[49], "mountain");
  EXPECT_EQ(n[99], "worm");
  EXPECT_TRUE(std::is_sorted(n.begin(), n.end()));  // the official list is alphabetical
}

}  // namespace zkd::data
