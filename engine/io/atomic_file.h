// Whole-file reads and crash-safe writes: a write goes to "<path>.tmp", is fsync'ed, then
// renamed over the path (and the folder fsync'ed), so a reader sees the old or the new file,
// never a partial one. A run's last good checkpoint survives a crash mid-write. Reads take
// regular files only (a FIFO, device or folder is an error, never a hang) up to a size cap.
#pragma once
#include <cstdint>
#include <string>

namespace zkd {

void write_file_atomic(const std::string& path, const std::string& bytes);
// The whole regular file: stat before opening, opened non-blocking and checked again with
// fstat; more than max_bytes is an error naming the file and its size (checked before allocating).
std::string read_file(const std::string& path, const char* what = "read",
                      uint64_t max_bytes = UINT64_MAX);
// What is at path, for messages: "a regular file", "a directory", "a FIFO", "a device", "a socket",
// "no such file or directory" (or the stat error).
std::string file_kind(const std::string& path);

}  // namespace zkd
