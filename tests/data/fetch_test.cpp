// Fetching without the network: a failed download suggests --from; a tarball that is not
// CIFAR-100 is rejected with its digests and nothing is installed; the atomic unpack installs,
// refuses to overwrite without force, replaces with force, and leaves no temporary files.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "datasets/archive.h"
#include "datasets/cifar100.h"
#include "datasets/fetch.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {

namespace fs = std::filesystem;

static std::string synthetic_tarball(const test::TempDir& dir, uint64_t seed) {
  std::string src = dir / ("src" + std::to_string(seed));
  write_cifar100(src, test::synthetic_cifar(30, 20, seed));
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* f : {"train.bin", "test.bin", "fine_label_names.txt", "coarse_label_names.txt"})
    files.emplace_back(std::string("cifar-100-binary/") + f, test::read_bytes(src + "/" + f));
  std::string path = dir / ("synthetic" + std::to_string(seed) + ".tar.gz");
  test::write_bytes(path, test::make_tar_gz(files));
  return path;
}

static std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> names;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Fetch, RejectsATarballThatIsNotCifar100AndInstallsNothing) {
  test::TempDir dir;
  FetchOptions opt;
  opt.data_dir = dir / "data";
  opt.from = synthetic_tarball(dir, 1);
  std::string err = test::error_of([&] { fetch_cifar100(opt); });
  EXPECT_NE(err.find(opt.from), std::string::npos) << err;
  EXPECT_NE(err.find(kCifar100Md5), std::string::npos) << err;
  EXPECT_NE(err.find("train.bin: sha256 "), std::string::npos) << err;
  EXPECT_EQ(listing(opt.data_dir), std::vector<std::string>{}) << "nothing may be installed";
}

// Issue #16: the digest is checked before the archive is parsed, and a hostile tarball (here a
// symbolic link where train.bin should be) installs nothing.
TEST(Fetch, HostileTarballsInstallNothing) {
  test::TempDir dir;
  FetchOptions opt;
  opt.data_dir = dir / "data";
  opt.from = dir / "evil.tar.gz";
  test::write_bytes(opt.from,
                    test::make_tar({{"cifar-100-binary/train.bin", "", 'l', "/etc/passwd"}}));
  std::string err = test::error_of([&] { fetch_cifar100(opt); });
  EXPECT_NE(err.find("a symbolic link"), std::string::npos) << err;
  EXPECT_NE(err.find(kCifar100Md5), std::string::npos) << err;
  test::write_bytes(opt.from, "not a tarball");
  err = test::error_of([&] { fetch_cifar100(opt); });
  EXPECT_NE(err.find("expected a tar or tar.gz archive"), std::string::npos) << err;
  EXPECT_EQ(listing(opt.data_dir), std::vector<std::string>{});
  ASSERT_EQ(::mkfifo((dir / "fifo.tar.gz").c_str(), 0600), 0);
  opt.from = dir / "fifo.tar.gz";  // would block a reader that opens it blindly
  err = test::error_of([&] { fetch_cifar100(opt); });
  EXPECT_NE(err.find("a FIFO"), std::string::npos) << err;
}

TEST(Fetch, FailedDownloadSuggestsFrom) {
  if (std::system("command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "neither curl nor wget on PATH";
  test::TempDir dir;
  FetchOptions opt;
  opt.data_dir = dir / "data";
  opt.url = "file://" + (dir / "no-such-file.tar.gz");  // fails at once, without a network
  std::string err = test::error_of([&] { fetch_cifar100(opt); });
  EXPECT_NE(err.find("expected to download"), std::string::npos) << err;
  EXPECT_NE(err.find("zkd-data fetch --data " + opt.data_dir + " --from"), std::string::npos)
      << err;
  EXPECT_EQ(listing(opt.data_dir), std::vector<std::string>{}) << "no partial download may stay";
}

TEST(Fetch, UnpackIsAtomicAndRespectsForce) {
  test::TempDir dir;
  std::string data = dir / "data";
  for (uint64_t seed : {1, 2}) {
    std::string gz = test::read_bytes(synthetic_tarball(dir, seed));
    std::vector<ArchiveMember> entries = read_archive(gz, {}, "t");
    if (seed == 1) {
      EXPECT_EQ(unpack_cifar100(entries, data, false, "t"), data + "/cifar-100-binary");
      std::string again = test::error_of([&] { unpack_cifar100(entries, data, false, "t"); });
      EXPECT_NE(again.find("--force"), std::string::npos) << again;
    } else {
      unpack_cifar100(entries, data, true, "t");
    }
    EXPECT_EQ(listing(data), std::vector<std::string>{"cifar-100-binary"}) << "no temporary left";
    Cifar100 got = load_cifar100(find_cifar100(data));
    Cifar100 want = test::synthetic_cifar(30, 20, seed);
    EXPECT_EQ(got.train.images.to_vector<uint8_t>(), want.train.images.to_vector<uint8_t>());
  }
  // An installed copy is found without downloading (the URL would fail).
  FetchOptions opt;
  opt.data_dir = data;
  opt.url = "file:///nonexistent";
  EXPECT_EQ(fetch_cifar100(opt), data + "/cifar-100-binary");
}

TEST(Fetch, UnpackValidatesBeforeInstalling) {
  test::TempDir dir;
  std::string src = dir / "src";
  write_cifar100(src, test::synthetic_cifar(10, 10, 3));
  std::string train = test::read_bytes(src + "/train.bin");
  train[4 * 3074 + 1] = static_cast<char>(200);
  std::string gz = test::make_tar_gz(
      {{"cifar-100-binary/train.bin", train},
       {"cifar-100-binary/test.bin", test::read_bytes(src + "/test.bin")},
       {"cifar-100-binary/fine_label_names.txt", test::read_bytes(src + "/fine_label_names.txt")},
       {"cifar-100-binary/coarse_label_names.txt",
        test::read_bytes(src + "/coarse_label_names.txt")}});
  std::string err =
      test::error_of([&] { unpack_cifar100(read_archive(gz, {}, "t"), dir / "data", false, "t"); });
  EXPECT_NE(err.find("record 4 "), std::string::npos) << err;
  EXPECT_EQ(listing(dir / "data"), std::vector<std::string>{});
}

}  // namespace zkd::data
