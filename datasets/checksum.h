// MD5 (RFC 1321) and SHA-256 (FIPS 180-4), streaming, written here so that `zkd-data fetch` can
// verify a downloaded data set without an external tool or library.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace zkd::data {

class Md5 {
 public:
  Md5();
  void update(const void* data, size_t n);
  std::string hex_digest();  // finishes the hash; the object must not be updated afterwards

 private:
  void block(const uint8_t* p);  // one 64-byte block
  uint32_t h_[4];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;  // bytes hashed so far
};

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  std::string hex_digest();  // finishes the hash; the object must not be updated afterwards

 private:
  void block(const uint8_t* p);  // one 64-byte block
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string md5_hex(const std::string& bytes);
std::string sha256_hex(const std::string& bytes);

struct FileDigests {
  std::string md5, sha256;  // lower-case hex
  uint64_t bytes = 0;
};
// Both digests of a file in one pass; a zkd::Error naming the file when it cannot be read.
FileDigests file_digests(const std::string& path);

}  // namespace zkd::data
