// read_archive (libarchive) on real archives: written by libarchive's writer and by the system's
// GNU tar (long names, a nested folder), plus the hostile cases of issue #16: links, devices,
// unsafe paths, size limits, a base-256 size near 2^64 (looped forever before), a lying gzip
// size trailer (drove a 4 GiB allocation), truncated and corrupt data; issue #25: a .tar.gz with
// one deflate bit flipped (libarchive's gzip filter read it, giving other bytes) is refused by
// the CRC-32 check of datasets/gzip.h.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include <archive.h>

#include "datasets/archive.h"
#include "datasets/gzip.h"
#include "engine/core/rng.h"
#include "tests/common/test_util.h"
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
  // ISIZE (the last 4 bytes) claims 4 GiB - 1: no allocation follows from it, and it no longer
  // matches the data's length, so the file is refused.
  std::string lying = gz;
  std::memset(&lying[lying.size() - 4], 0xff, 4);
  std::string err = archive_error(lying);
  EXPECT_NE(err.find("gzip 't.tar.gz': expected intact gzip data, got incorrect length check"),
            std::string::npos)
      << err;

  err = archive_error(gz.substr(0, gz.size() / 2));
  EXPECT_NE(err.find("gzip 't.tar.gz': expected the rest of the gzip stream"), std::string::npos)
      << err;
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

// What libarchive alone (tar + its gzip filter, the reader before issue #25) makes of `gz`: the
// members' bytes concatenated, or "error".
static std::string libarchive_gzip_read(const std::string& gz) {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_gzip(a.get());
  if (archive_read_open_memory(a.get(), gz.data(), gz.size()) != ARCHIVE_OK) return "error";
  std::string out;
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) out.append(buf, n);
    if (n < 0) return "error";
  }
  return rc == ARCHIVE_EOF ? out : "error";
}

TEST(Archive, OneFlippedDeflateBitIsRefused) {
  // Random bytes do not compress: deflate stores them, so a bit flipped in the middle of the
  // file changes one data byte and leaves a valid deflate stream; only the CRC-32 can tell.
  const std::string payload = random_bytes(20000, 7);
  test::TempDir dir;
  const std::string good_path = dir / "good.tar.gz", bad_path = dir / "bad.tar.gz";
  test::write_bytes(good_path, test::make_tar({{"train.bin", payload}}));
  std::string bad = test::read_bytes(good_path);
  bad[bad.size() / 2] ^= 0x10;
  test::write_bytes(bad_path, bad);
  std::string out;
  ASSERT_EQ(test::run_command("gzip -t " + good_path + " 2>&1", out), 0) << out;
  ASSERT_NE(test::run_command("gzip -t " + bad_path + " 2>&1", out), 0) << "gzip -t accepts it";
  // The case of the issue: libarchive's own gzip filter reads it, with another byte.
  std::string silently = libarchive_gzip_read(bad);
  ASSERT_EQ(silently.size(), payload.size()) << silently.substr(0, 80);
  EXPECT_NE(silently, payload);

  EXPECT_EQ(read_archive(test::read_bytes(good_path), {}, good_path)[0].bytes, payload);
  std::string err = archive_error(test::read_bytes(bad_path));
  EXPECT_EQ(err,
            "gzip 't.tar.gz': expected intact gzip data, got incorrect data check (the file "
            "is damaged)");
}

TEST(Gzip, MembersTrailingBytesAndTheCap) {
  const std::string a = test::make_tar({{"a", "first"}}), b = test::make_tar({{"b", "second"}});
  const std::string tar_a = gunzip(a, "a", 1 << 20), tar_b = gunzip(b, "b", 1 << 20);
  EXPECT_EQ(tar_a, test::make_tar({{"a", "first"}}, false));
  // Concatenated members are one stream (gzip's own rule); anything else after them is refused.
  EXPECT_EQ(gunzip(a + b, "ab", 1 << 20), tar_a + tar_b);
  std::string err = test::error_of([&] { gunzip(a + "junk", "aj", 1 << 20); });
  EXPECT_EQ(err, "gzip 'aj': expected a gzip member at byte " + std::to_string(a.size()) +
                     ", got trailing bytes after the last member");
  // The cap is checked as it inflates: exactly the size passes, one byte less is refused.
  EXPECT_EQ(gunzip(a, "a", tar_a.size()), tar_a);
  err = test::error_of([&] { gunzip(a, "a", tar_a.size() - 1); });
  EXPECT_EQ(err, "gzip 'a': expected at most " + std::to_string(tar_a.size() - 1) +
                     " bytes decompressed, got more");
  EXPECT_FALSE(is_gzip("\x1f"));
  EXPECT_TRUE(is_gzip(a));
}

}  // namespace zkd::data
