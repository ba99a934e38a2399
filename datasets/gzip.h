// Decompressing gzip data in memory with zlib, every member's CRC-32 and length checked
// (libarchive's gzip filter reads past a bad CRC: a tarball with one flipped deflate bit gave other
// pixels).
#pragma once
#include <cstdint>
#include <string>

namespace zkd::data {

// True when `bytes` starts with the gzip magic (1f 8b).
bool is_gzip(const std::string& bytes);

// The decompressed bytes of one or more concatenated gzip members. Errors name `origin`: corrupt
// deflate data, a CRC-32 or length mismatch ("the file is damaged"), a truncated stream, trailing
// bytes that are not a gzip member, or more than max_bytes decompressed (checked as it inflates).
std::string gunzip(const std::string& gz, const std::string& origin, uint64_t max_bytes);

}  // namespace zkd::data
