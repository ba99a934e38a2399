// Crash-safe writes: a write goes to "<path>.tmp", is fsync'ed, then renamed over the path (and
// the folder fsync'ed), so a reader sees the old or the new file, never a partial one. A run's last
// good checkpoint survives a crash mid-write. Only a regular file (or nothing) is ever replaced:
// a directory, FIFO, device, socket or symbolic link at the path or at "<path>.tmp" is refused.
// AtomicFileWriter does the same for a file written in parts (never held whole in memory).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/io/input_file.h"  // read_file, file_kind (reads live there)

namespace zkd {

// Throws zkd::Error "write: expected a regular file or nothing at '<path>', got <kind>" for a
// non-regular path, or a write / flush / rename error naming the file.
void write_file_atomic(const std::string& path, const std::string& bytes);

// The same write in parts: the constructor checks the path and creates "<path>.tmp", append()
// adds bytes to it, commit() flushes it and renames it over the path. A writer destroyed without
// commit() (an error, an exception) removes the temporary and leaves the path as it was. A second
// writer of the same path in the meantime makes commit() fail (the path unchanged) rather than
// rename the other's unfinished file into place.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(const std::string& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void append(const char* data, size_t size);
  void append(const std::string& bytes) { append(bytes.data(), bytes.size()); }
  void commit();

 private:
  void abandon();                  // closes and removes the temporary (when still ours)
  bool temporary_is_mine() const;  // "<path>.tmp" is the file this writer created
  std::string path_, tmp_;
  int fd_ = -1;
  uint64_t dev_ = 0, ino_ = 0;  // the temporary's identity
};

}  // namespace zkd
