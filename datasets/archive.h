// In-memory .tar.gz support: gunzip with zlib and a small tar (ustar / GNU / pax) reader, so the
// CIFAR-100 tarball can be read without unpacking it and unpacked without an external tool.
// gzip_bytes and tar_pack write the same formats (tests build synthetic tarballs with them).
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace zkd::data {

// Decompresses a whole gzip stream (concatenated members allowed); errors name `origin`.
std::string gunzip(const std::string& gz, const std::string& origin);
std::string gzip_bytes(const std::string& raw);

struct TarEntry {
  std::string name;   // path inside the archive (long GNU / pax names resolved)
  size_t offset = 0;  // first data byte in the tar buffer
  size_t size = 0;
};
// The regular files of a tar archive, in order. Checks every header's checksum and that every
// file lies inside the buffer; errors name `origin` and the entry.
std::vector<TarEntry> tar_entries(const std::string& tar, const std::string& origin);
// A ustar archive of regular files (name -> bytes); names up to 100 characters.
std::string tar_pack(const std::vector<std::pair<std::string, std::string>>& files);

bool ends_with(const std::string& s, const std::string& suffix);

}  // namespace zkd::data
