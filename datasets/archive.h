// Reading .tar / .tar.gz archives in memory through libarchive (Debian libarchive-dev), with
// limits for untrusted input: entry count, member size and total size capped, links, devices
// and FIFOs refused, paths that are absolute or climb with '..' refused. Only regular files
// whose base name is wanted are kept (the CIFAR-100 tarball is read without unpacking it).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace zkd::data {

struct ArchiveLimits {
  uint64_t max_entries = 1000;             // headers of any type
  uint64_t max_member_bytes = 1ull << 30;  // one regular file (CIFAR-100's train.bin: 154 MB)
  uint64_t max_total_bytes = 2ull << 30;   // all regular files together, kept or not
};

struct ArchiveMember {
  std::string name;  // path inside the archive
  std::string bytes;
};

// The regular files of the archive `bytes` (tar, optionally gzip-compressed) whose base name is
// in `wanted` (every regular file when `wanted` is empty), in archive order. gzip data is
// decompressed first with its CRC-32 and length checked (datasets/gzip.h). Errors name
// `origin` and the entry: not an archive, truncated or corrupt data, a limit exceeded, a link,
// device or unsafe path, or a wanted name present twice.
std::vector<ArchiveMember> read_archive(const std::string& bytes,
                                        const std::vector<std::string>& wanted,
                                        const std::string& origin,
                                        const ArchiveLimits& limits = {});

// The member whose base name is `base`, or null.
const ArchiveMember* find_member(const std::vector<ArchiveMember>& members,
                                 const std::string& base);

std::string base_name(const std::string& path);  // after the last '/'
bool ends_with(const std::string& s, const std::string& suffix);

}  // namespace zkd::data
