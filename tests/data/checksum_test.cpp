// MD5 and SHA-256 against the published test vectors (RFC 1321 appendix A.5, FIPS 180-2
// appendix B), streaming in odd pieces, and against coreutils' md5sum / sha256sum at every
// padding boundary length.
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

TEST(Checksum, StreamingInPiecesEqualsOneShot) {
  Generator gen(7);
  std::string data(10000, '\0');
  for (char& c : data) c = static_cast<char>(gen.uniform_int(256));
  Md5 md5;
  Sha256 sha;
  size_t pos = 0, step = 1;
  while (pos < data.size()) {  // pieces of 1, 2, 3, ... bytes cross every block boundary
    size_t n = std::min(step++, data.size() - pos);
    md5.update(data.data() + pos, n);
    sha.update(data.data() + pos, n);
    pos += n;
  }
  EXPECT_EQ(md5.hex_digest(), md5_hex(data));
  EXPECT_EQ(sha.hex_digest(), sha256_hex(data));
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

TEST(Checksum, MatchesCoreutilsAtPaddingBoundaries) {
  test::TempDir dir;
  if (tool_digest("sha256sum", "/dev/null").empty() || tool_digest("md5sum", "/dev/null").empty())
    GTEST_SKIP() << "md5sum / sha256sum not on PATH";
  Generator gen(11);
  for (size_t n : {55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000}) {
    std::string data(n, '\0');
    for (char& c : data) c = static_cast<char>(gen.uniform_int(256));
    std::string path = dir / ("blob" + std::to_string(n));
    test::write_bytes(path, data);
    EXPECT_EQ(md5_hex(data), tool_digest("md5sum", path)) << n << " bytes";
    EXPECT_EQ(sha256_hex(data), tool_digest("sha256sum", path)) << n << " bytes";
    FileDigests fd = file_digests(path);
    EXPECT_EQ(fd.md5, md5_hex(data));
    EXPECT_EQ(fd.sha256, sha256_hex(data));
    EXPECT_EQ(fd.bytes, n);
  }
  std::string err = test::error_of([&] { file_digests(dir / "missing"); });
  EXPECT_NE(err.find("missing"), std::string::npos) << err;
}

}  // namespace zkd::data
