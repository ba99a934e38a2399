// Helpers of the data tests: a temporary folder removed at the end of the test, synthetic
// CIFAR-100-shaped sets with seeded random pixels in [1, 255] (0 is kept for the padding),
// reading a file back, and tar / tar.gz archives written with libarchive's writer.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "datasets/cifar100.h"

namespace zkd::test {

class TempDir {
 public:
  TempDir();  // a fresh folder under $TMPDIR or /tmp
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// n images with 100 fine / 20 coarse classes (label i % 100, coarse label % 20), names
// "class_<k>" / "super_<k>", pixels uniform in [1, 255] from `seed`.
data::ImageSet synthetic_set(int64_t n, uint64_t seed);
data::Cifar100 synthetic_cifar(int64_t n_train, int64_t n_test, uint64_t seed);

std::string read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);
// One archive entry: a regular file by default; type 'l' symlink, 'h' hard link (to `link`),
// 'd' folder, 'p' FIFO.
struct TarItem {
  TarItem(std::string n, std::string b = "", char t = 'f', std::string l = "")
      : name(std::move(n)), bytes(std::move(b)), type(t), link(std::move(l)) {}
  std::string name;
  std::string bytes;
  char type;
  std::string link;
};
// A pax tar archive of the items, gzip-compressed when `gzip`, written with libarchive.
std::string make_tar(const std::vector<TarItem>& items, bool gzip = true);
// Regular files only: (name, bytes) pairs.
std::string make_tar_gz(const std::vector<std::pair<std::string, std::string>>& files);

// The message of the zkd::Error thrown by f, or "" when nothing is thrown.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const zkd::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace zkd::test
