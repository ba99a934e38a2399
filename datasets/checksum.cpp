// Digests with OpenSSL EVP: one context per algorithm, fed in pieces, finished to hex.
#include "datasets/checksum.h"

#include <openssl/evp.h>

#include <memory>
#include <vector>

#include "engine/core/error.h"
#include "engine/io/input_file.h"

namespace zkd::data {
namespace {

class Digest {
 public:
  explicit Digest(const EVP_MD* md) : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    ZKD_CHECK(ctx_ && EVP_DigestInit_ex(ctx_.get(), md, nullptr) == 1, "checksum",
              "expected OpenSSL to start a digest, got an error");
  }
  void update(const void* p, size_t n) {
    ZKD_CHECK(EVP_DigestUpdate(ctx_.get(), p, n) == 1, "checksum",
              "expected OpenSSL to hash, got an error");
  }
  std::string hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    ZKD_CHECK(EVP_DigestFinal_ex(ctx_.get(), out, &n) == 1, "checksum",
              "expected OpenSSL to finish a digest, got an error");
    static const char* kHex = "0123456789abcdef";
    std::string s;
    for (unsigned int i = 0; i < n; ++i) {
      s += kHex[out[i] >> 4];
      s += kHex[out[i] & 15];
    }
    return s;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::string one_shot(const EVP_MD* md, const std::string& bytes) {
  Digest d(md);
  d.update(bytes.data(), bytes.size());
  return d.hex();
}

}  // namespace

std::string md5_hex(const std::string& bytes) {
  return one_shot(EVP_md5(), bytes);
}
std::string sha256_hex(const std::string& bytes) {
  return one_shot(EVP_sha256(), bytes);
}

FileDigests file_digests(const std::string& path) {
  InputFile in(path, "checksum", kNoSizeCap);  // streamed: memory does not grow with the file
  Digest md5(EVP_md5()), sha(EVP_sha256());
  FileDigests d;
  std::vector<char> buf(1 << 20);
  while (size_t n = in.read_some(buf.data(), buf.size())) {
    md5.update(buf.data(), n);
    sha.update(buf.data(), n);
    d.bytes += n;
  }
  d.md5 = md5.hex();
  d.sha256 = sha.hex();
  return d;
}

}  // namespace zkd::data
