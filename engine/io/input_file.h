// The one way zkd opens an input file: regular files only (a FIFO, device, socket or folder is a
// one-line error, never a hang), up to a size cap the caller chooses, checked again on the open
// descriptor (the path may change between stat and open). Every reader in engine/ and datasets/
// goes through here (.ci/check_file_access.sh fails on any other open).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace zkd {

// No cap: only for streaming readers whose memory does not grow with the file (digests).
constexpr uint64_t kNoSizeCap = UINT64_MAX;

// A regular file open for reading. The constructor throws zkd::Error "<what>: expected a regular
// file at '<path>', got <kind> (limit: ...)" or "<what>: expected at most <max_bytes> bytes in
// '<path>', got <size>".
class InputFile {
 public:
  InputFile(const std::string& path, const char* what, uint64_t max_bytes);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  uint64_t size() const { return size_; }  // at open time
  // Up to n bytes into dst; 0 at the end of the file. Read errors throw, naming the file.
  size_t read_some(char* dst, size_t n);
  // The rest of the file; an error if it grew past or shrank below size() while read.
  std::string read_all();

 private:
  std::string path_;
  const char* what_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// The whole regular file (InputFile(path, what, max_bytes).read_all()). The default cap stays
// until every caller passes its own.
std::string read_file(const std::string& path, const char* what = "read",
                      uint64_t max_bytes = kNoSizeCap);

// What is at path, for messages: "a regular file", "a directory", "a FIFO", "a device", "a socket",
// "a symbolic link" (lstat: only when follow is false), "no such file or directory" (or the error).
std::string file_kind(const std::string& path, bool follow = true);

}  // namespace zkd
