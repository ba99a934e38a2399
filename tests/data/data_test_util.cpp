// Helpers of the data tests (see data_test_util.h).
#include "tests/data/data_test_util.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace zkd::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/zkd-data-test-XXXXXX";
  char* made = ::mkdtemp(&tmpl[0]);
  ZKD_CHECK(made != nullptr, "TempDir", "expected mkdtemp to create ", tmpl, ", got a failure");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

data::ImageSet synthetic_set(int64_t n, uint64_t seed) {
  data::ImageSet s = data::make_image_set(n, /*with_coarse=*/true);
  Generator gen(seed);
  uint8_t* img = s.images.data<uint8_t>();
  for (int64_t i = 0; i < s.images.numel(); ++i)
    img[i] = static_cast<uint8_t>(1 + gen.uniform_int(255));
  for (int64_t i = 0; i < n; ++i) {
    s.labels.data<int64_t>()[i] = i % 100;
    s.coarse_labels.data<int64_t>()[i] = (i % 100) % 20;
  }
  for (int k = 0; k < 100; ++k) s.class_names.push_back("class_" + std::to_string(k));
  for (int k = 0; k < 20; ++k) s.coarse_names.push_back("super_" + std::to_string(k));
  return s;
}

data::Cifar100 synthetic_cifar(int64_t n_train, int64_t n_test, uint64_t seed) {
  return {synthetic_set(n_train, seed), synthetic_set(n_test, seed + 1)};
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace zkd::test
