// Whole-file reads and crash-safe writes: a write goes to "<path>.tmp", is fsync'ed, then
// renamed over the path (and the folder fsync'ed), so a reader sees the old or the new file,
// never a partial one. A run's last good checkpoint survives a crash mid-write.
#pragma once
#include <string>

namespace zkd {

void write_file_atomic(const std::string& path, const std::string& bytes);
std::string read_file(const std::string& path, const char* what = "read");

}  // namespace zkd
