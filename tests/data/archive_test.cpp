// gunzip / tar: our writer round trip, archives made by the system's GNU tar (long names, a
// nested folder), and the errors for truncated or corrupt input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "datasets/archive.h"
#include "engine/core/rng.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {

static std::string random_bytes(size_t n, uint64_t seed) {
  Generator gen(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(gen.uniform_int(256));
  return s;
}

TEST(Archive, PackGzipGunzipListRoundTrip) {
  std::vector<std::pair<std::string, std::string>> files = {{"d/a.bin", random_bytes(1000, 1)},
                                                            {"d/empty", ""},
                                                            {"d/b.bin", random_bytes(512, 2)},
                                                            {"c.txt", "hello\n"}};
  std::string gz = gzip_bytes(tar_pack(files));
  std::string tar = gunzip(gz, "mem.tar.gz");
  std::vector<TarEntry> entries = tar_entries(tar, "mem.tar.gz");
  ASSERT_EQ(entries.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(entries[i].name, files[i].first);
    EXPECT_EQ(tar.substr(entries[i].offset, entries[i].size), files[i].second);
  }
}

TEST(Archive, ConcatenatedGzipMembersAreOneStream) {
  std::string a = random_bytes(3000, 3), b = random_bytes(10, 4);
  EXPECT_EQ(gunzip(gzip_bytes(a) + gzip_bytes(b), "two"), a + b);
}

TEST(Archive, ReadsGnuTarOutputWithLongNames) {
  test::TempDir dir;
  namespace fs = std::filesystem;
  std::string long_dir = "folder_with_a_rather_long_name_" + std::string(60, 'x');
  fs::create_directories(fs::path(dir.path()) / "src" / long_dir);
  std::string big = random_bytes(70000, 5), small = "tiny";
  test::write_bytes(dir / ("src/" + long_dir + "/payload_file_with_long_name.bin"), big);
  test::write_bytes(dir / "src/small.txt", small);
  for (std::string format : {"gnu", "pax"}) {  // long names as GNU 'L' entries, pax 'x' records
    std::string out = dir / (format + ".tar.gz");
    std::string cmd =
        "tar --format=" + format + " -czf '" + out + "' -C '" + (dir / "src") + "' . 2>&1";
    if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "no working GNU tar command";
    std::string tar = gunzip(test::read_bytes(out), out);
    std::vector<TarEntry> entries = tar_entries(tar, out);
    int found = 0;
    for (const TarEntry& e : entries) {
      if (e.name == "./" + long_dir + "/payload_file_with_long_name.bin") {
        EXPECT_EQ(tar.substr(e.offset, e.size), big);
        ++found;
      }
      if (e.name == "./small.txt") {
        EXPECT_EQ(tar.substr(e.offset, e.size), small);
        ++found;
      }
    }
    EXPECT_EQ(found, 2) << format << ": " << entries.size() << " entries";
  }
}

TEST(Archive, TruncatedAndCorruptInputsAreErrors) {
  std::string gz = gzip_bytes(tar_pack({{"x.bin", random_bytes(5000, 6)}}));
  std::string err = test::error_of([&] { gunzip(gz.substr(0, gz.size() / 2), "half.tar.gz"); });
  EXPECT_NE(err.find("half.tar.gz"), std::string::npos) << err;
  EXPECT_NE(err.find("truncated"), std::string::npos) << err;

  err = test::error_of([&] { gunzip("not a gzip file at all....", "plain.txt"); });
  EXPECT_NE(err.find("plain.txt"), std::string::npos) << err;
  EXPECT_NE(err.find("gzip"), std::string::npos) << err;

  std::string tar = tar_pack({{"x.bin", random_bytes(5000, 6)}});
  std::string bad = tar;
  bad[10] ^= 0x55;  // inside the name: the header checksum no longer matches
  err = test::error_of([&] { tar_entries(bad, "bad.tar"); });
  EXPECT_NE(err.find("bad.tar"), std::string::npos) << err;
  EXPECT_NE(err.find("checksum"), std::string::npos) << err;

  err = test::error_of([&] { tar_entries(tar.substr(0, 2048), "cut.tar"); });
  EXPECT_NE(err.find("cut.tar"), std::string::npos) << err;
  EXPECT_NE(err.find("x.bin"), std::string::npos) << err;
}

}  // namespace zkd::data
