// Crash-safe writes: a write goes to "<path>.tmp", is fsync'ed, then renamed over the path (and
// the folder fsync'ed), so a reader sees the old or the new file, never a partial one. A run's last
// good checkpoint survives a crash mid-write. Only a regular file (or nothing) is ever replaced:
// a directory, FIFO, device, socket or symbolic link at the path or at "<path>.tmp" is refused.
#pragma once
#include <string>

#include "engine/io/input_file.h"  // read_file, file_kind (reads live there)

namespace zkd {

// Throws zkd::Error "write: expected a regular file or nothing at '<path>', got <kind>" for a
// non-regular path, or a write / flush / rename error naming the file.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace zkd
