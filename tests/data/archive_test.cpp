// read_archive (libarchive) on real archives: written by libarchive's writer and by the system's
// GNU tar (long names, a nested folder), plus the hostile cases of issue #16: links, devices,
// unsafe paths, size limits, a base-256 size near 2^64 (looped forever before), a lying gzip
// size trailer (drove a 4 GiB allocation), truncated and corrupt data.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
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

// The message of the error read_archive throws (empty when it does not).
static std::string archive_error(const std::string& bytes, const ArchiveLimits& limits = {},
                                 const std::vector<std::string>& wanted = {}) {
  return test::error_of([&] { read_archive(bytes, wanted, "t.tar.gz", limits); });
}

TEST(Archive, ReadsWhatLibarchiveWrote) {
  std::vector<std::pair<std::string, std::string>> files = {{"d/a.bin", random_bytes(1000, 1)},
                                                            {"d/empty", ""},
                                                            {"d/b.bin", random_bytes(70000, 2)},
                                                            {"c.txt", "hello\n"}};
  for (bool gzip : {true, false}) {
    std::vector<test::TarItem> items = {{"d", "", 'd'}};
    for (const auto& [n, b] : files) items.push_back({n, b});
    std::vector<ArchiveMember> m = read_archive(test::make_tar(items, gzip), {}, "mem");
    ASSERT_EQ(m.size(), files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      EXPECT_EQ(m[i].name, files[i].first);
      EXPECT_EQ(m[i].bytes, files[i].second);
    }
    // Only the wanted base names are kept.
    m = read_archive(test::make_tar(items, gzip), {"b.bin", "c.txt"}, "mem");
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(find_member(m, "b.bin")->bytes, files[2].second);
    EXPECT_EQ(find_member(m, "a.bin"), nullptr);
  }
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
    std::vector<ArchiveMember> m = read_archive(test::read_bytes(out), {}, out);
    ASSERT_EQ(m.size(), 2u) << format;
    const ArchiveMember* p = find_member(m, "payload_file_with_long_name.bin");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->name, "./" + long_dir + "/payload_file_with_long_name.bin");
    EXPECT_EQ(p->bytes, big);
    EXPECT_EQ(find_member(m, "small.txt")->bytes, small);
  }
}

TEST(Archive, LinksDevicesAndUnsafePathsAreRefused) {
  std::string ok = "data";
  struct Case {
    std::vector<test::TarItem> items;
    std::string part;
  };
  for (const Case& c : std::vector<Case>{
           {{{"a", ok}, {"b", "", 'l', "/etc/passwd"}}, "'b', a symbolic link"},
           {{{"a", ok}, {"b", "", 'h', "a"}}, "'b', a hard link to 'a'"},
           {{{"f", "", 'p'}}, "'f', a FIFO"},
           {{{"/etc/x", ok}}, "relative paths inside the archive, got '/etc/x'"},
           {{{"d/../../x", ok}}, "got 'd/../../x'"},
           {{{"..", "", 'd'}}, "got '.."},
           {{{"x/train.bin", ok}, {"y/train.bin", ok}}, "a second at 'y/train.bin'"}}) {
    std::string err = archive_error(test::make_tar(c.items), {}, {"train.bin", "a", "b", "x", "f"});
    EXPECT_NE(err.find("archive 't.tar.gz'"), std::string::npos) << err;
    EXPECT_NE(err.find(c.part), std::string::npos) << err;
  }
  // '..' inside a name is not a '..' component.
  EXPECT_EQ(read_archive(test::make_tar({{"a..b/c..", ok}}), {}, "t").size(), 1u);
}

TEST(Archive, LimitsAreCheckedBeforeReading) {
  std::string gz = test::make_tar({{"a", random_bytes(5000, 7)}, {"b", random_bytes(3000, 8)}});
  EXPECT_NE(archive_error(gz, {100, 4000, 1 << 20}).find("got 'a' of 5000"), std::string::npos);
  EXPECT_NE(archive_error(gz, {100, 1 << 20, 7000}).find("at most 7000 bytes in all"),
            std::string::npos);
  EXPECT_NE(archive_error(gz, {1, 1 << 20, 1 << 20}).find("at most 1 entries"), std::string::npos);
  // Skipped members count towards the total too (a bomb need not be wanted to cost time).
  EXPECT_NE(archive_error(gz, {100, 1 << 20, 7000}, {"a"}).find("in all"), std::string::npos);
  EXPECT_EQ(archive_error(gz, {2, 5000, 8000}), "");
}

// A ustar header for `name` whose 12-byte size field is `size_field`, checksum filled in.
static std::string ustar_header(const std::string& name, const std::string& size_field) {
  std::string h(512, '\0');
  std::memcpy(&h[0], name.data(), name.size());
  std::memcpy(&h[100], "0000644", 7);
  std::memcpy(&h[108], "0000000", 7);
  std::memcpy(&h[116], "0000000", 7);
  std::memcpy(&h[124], size_field.data(), 12);
  std::memcpy(&h[136], "00000000000", 11);
  h[156] = '0';
  std::memcpy(&h[257],
              "ustar\0"
              "00",
              8);
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(&h[148], 8, "%06o", sum);
  h[155] = ' ';
  return h;
}

TEST(Archive, Base256SizeNearTwoToThe64IsAnErrorNotALoop) {
  for (std::string size : {std::string("\x80\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff", 12),
                           std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12),
                           std::string("\x80\0\0\0\x7f\xff\xff\xff\xff\xff\xff\xff", 12)}) {
    std::string tar = ustar_header("huge.bin", size) + std::string(2048, '\0');
    std::string err = archive_error(tar);
    EXPECT_NE(err.find("archive 't.tar.gz'"), std::string::npos) << err;
    err = archive_error(tar, {}, {"huge.bin"});
    EXPECT_NE(err, "");
  }
}

TEST(Archive, LyingGzipSizeTrailerAndCorruptInput) {
  std::string payload = random_bytes(5000, 6);
  std::string gz = test::make_tar({{"x.bin", payload}});
  // ISIZE (the last 4 bytes) claims 4 GiB - 1: no allocation follows from it, the data decides.
  std::string lying = gz;
  std::memset(&lying[lying.size() - 4], 0xff, 4);
  try {
    std::vector<ArchiveMember> m = read_archive(lying, {}, "t");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].bytes, payload);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("archive 't'"), std::string::npos) << e.what();
  }

  std::string err = archive_error(gz.substr(0, gz.size() / 2));
  EXPECT_NE(err.find("archive 't.tar.gz'"), std::string::npos) << err;
  EXPECT_NE(err, "");
  err = archive_error("not a gzip file at all....");
  EXPECT_NE(err.find("tar or tar.gz"), std::string::npos) << err;
  EXPECT_NE(archive_error(""), "");

  std::string tar = test::make_tar({{"x.bin", payload}}, false);
  std::string bad = tar;
  bad[10] ^= 0x55;  // inside the first header: its checksum no longer matches
  EXPECT_NE(archive_error(bad), "");
  err = archive_error(tar.substr(0, 2048));  // data cut off inside the member
  EXPECT_NE(err.find("x.bin"), std::string::npos) << err;
}

}  // namespace zkd::data
