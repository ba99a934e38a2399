// Helpers of the data tests (see data_test_util.h).
#include "tests/data/data_test_util.h"

#include <archive.h>
#include <archive_entry.h>
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

namespace {
la_ssize_t append_to_string(archive*, void* out, const void* p, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(p), n);
  return static_cast<la_ssize_t>(n);
}
}  // namespace

std::string make_tar(const std::vector<TarItem>& items, bool gzip) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  archive_write_set_bytes_in_last_block(a, 1);
  ZKD_CHECK(archive_write_open(a, &out, nullptr, append_to_string, nullptr) == ARCHIVE_OK,
            "make_tar", "expected libarchive to open a writer, got ", archive_error_string(a));
  for (const TarItem& it : items) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, it.name.c_str());
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    if (it.type == 'h') {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, it.link.c_str());
    } else {
      archive_entry_set_filetype(e, it.type == 'l'   ? AE_IFLNK
                                    : it.type == 'd' ? AE_IFDIR
                                    : it.type == 'p' ? AE_IFIFO
                                                     : AE_IFREG);
      if (it.type == 'l') archive_entry_set_symlink(e, it.link.c_str());
      if (it.type == 'f') archive_entry_set_size(e, static_cast<la_int64_t>(it.bytes.size()));
    }
    ZKD_CHECK(archive_write_header(a, e) == ARCHIVE_OK, "make_tar", "expected to write '", it.name,
              "', got ", archive_error_string(a));
    if (it.type == 'f' && !it.bytes.empty())
      archive_write_data(a, it.bytes.data(), it.bytes.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string make_tar_gz(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<TarItem> items;
  for (const auto& [name, bytes] : files) items.push_back({name, bytes});
  return make_tar(items);
}

}  // namespace zkd::test
