// MD5 and SHA-256 (OpenSSL EVP) against the published test vectors (RFC 1321 appendix A.5,
// FIPS 180-2 appendix B), and file_digests against coreutils' md5sum / sha256sum on files that
// cross the 1 MiB read buffer.
#include <gtest/gtest.h>

#include <cstdio>

#include "datasets/checksum.h"
#include "engine/core/rng.h"
#include "tests/data/data_test_util.h"

namespace zkd::data {

TEST(Checksum, Md5KnownVectors) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5_hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(md5_hex("1234567890123456789012345678901234567890123456789012345678901234567890"
                    "1234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Checksum, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Runs `tool file` and returns the hex digest it prints, or "" when the tool is missing.
static std::string tool_digest(const std::string& tool, const std::string& file) {
  std::string cmd = tool + " '" + file + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  char buf[256] = {0};
  std::string out = fgets(buf, sizeof(buf), p) ? buf : "";
  pclose(p);
  size_t sp = out.find(' ');
  return sp == std::string::npos ? "" : out.substr(0, sp);
}

TEST(Checksum, FileDigestsMatchCoreutils) {
  test::TempDir dir;
  if (tool_digest("sha256sum", "/dev/null").empty() || tool_digest("md5sum", "/dev/null").empty())
    GTEST_SKIP() << "md5sum / sha256sum not on PATH";
  Generator gen(11);
  for (size_t n :
       {size_t{0}, size_t{55}, size_t{64}, size_t{1000}, (size_t{1} << 20) + 3, size_t{3} << 20}) {
    std::string data(n, '\0');
    for (char& c : data) c = static_cast<char>(gen.uniform_int(256));
    std::string path = dir / ("blob" + std::to_string(n));
    test::write_bytes(path, data);
    FileDigests fd = file_digests(path);
    EXPECT_EQ(fd.md5, tool_digest("md5sum", path)) << n << " bytes";
    EXPECT_EQ(fd.sha256, tool_digest("sha256sum", path)) << n << " bytes";
    EXPECT_EQ(fd.md5, md5_hex(data));
    EXPECT_EQ(fd.sha256, sha256_hex(data));
    EXPECT_EQ(fd.bytes, n);
  }
  std::string err = test::error_of([&] { file_digests(dir / "missing"); });
  EXPECT_NE(err.find("missing"), std::string::npos) << err;
  err = test::error_of([&] { file_digests(dir.path()); });
  EXPECT_NE(err.find("regular file"), std::string::npos) << err;
}

}  // namespace zkd::data
