// MD5 and SHA-256 through OpenSSL's EVP interface (Debian libssl-dev), so that `zkd-data fetch`
// can verify a downloaded data set before reading it.
#pragma once
#include <cstdint>
#include <string>

namespace zkd::data {

std::string md5_hex(const std::string& bytes);     // lower-case hex
std::string sha256_hex(const std::string& bytes);  // lower-case hex

struct FileDigests {
  std::string md5, sha256;  // lower-case hex
  uint64_t bytes = 0;
};
// Both digests of a regular file in one streaming pass; a zkd::Error naming the file when it
// cannot be read.
FileDigests file_digests(const std::string& path);

}  // namespace zkd::data
