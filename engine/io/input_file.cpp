// InputFile / read_file / file_kind with POSIX calls (stat, open O_NONBLOCK, fstat, read).
#include "engine/io/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/core/error.h"

namespace zkd {

namespace {
const char* kind(mode_t m) {
  return S_ISREG(m)                 ? "a regular file"
         : S_ISDIR(m)               ? "a directory"
         : S_ISFIFO(m)              ? "a FIFO"
         : S_ISCHR(m) || S_ISBLK(m) ? "a device"
         : S_ISSOCK(m)              ? "a socket"
         : S_ISLNK(m)               ? "a symbolic link"
                                    : "not a regular file";
}

std::string limit(uint64_t max_bytes) {
  return max_bytes == kNoSizeCap
             ? std::string("regular files only")
             : "regular files of at most " + std::to_string(max_bytes) + " bytes";
}
}  // namespace

std::string file_kind(const std::string& path, bool follow) {
  struct stat st;
  if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0)
    return errno == ENOENT ? "no such file or directory" : std::strerror(errno);
  return kind(st.st_mode);
}

InputFile::InputFile(const std::string& path, const char* what, uint64_t max_bytes)
    : path_(path), what_(what) {
  struct stat st;
  // stat first: opening a device or FIFO can block or have side effects.
  ZKD_CHECK(::stat(path.c_str(), &st) == 0, what, "could not open '", path,
            "': ", std::strerror(errno));
  ZKD_CHECK(S_ISREG(st.st_mode), what, "expected a regular file at '", path, "', got ",
            kind(st.st_mode), " (limit: ", limit(max_bytes), ")");
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  ZKD_CHECK(fd_ >= 0, what, "could not open '", path, "': ", std::strerror(errno));
  // Checked again on the open file: the path may have been replaced since the stat.
  bool ok = ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
  if (ok) size_ = static_cast<uint64_t>(st.st_size);
  if (!ok || size_ > max_bytes) {
    ::close(fd_);
    fd_ = -1;
  }
  ZKD_CHECK(ok, what, "expected a regular file at '", path, "', got ", kind(st.st_mode),
            " (limit: ", limit(max_bytes), ")");
  ZKD_CHECK(size_ <= max_bytes, what, "expected at most ", max_bytes, " bytes in '", path,
            "', got ", size_);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

size_t InputFile::read_some(char* dst, size_t n) {
  while (true) {
    ssize_t got = ::read(fd_, dst, n);
    if (got < 0 && errno == EINTR) continue;
    ZKD_CHECK(got >= 0, what_, "could not read '", path_, "': ", std::strerror(errno));
    return static_cast<size_t>(got);
  }
}

std::string InputFile::read_all() {
  std::string bytes(static_cast<size_t>(size_), '\0');  // size_ <= max_bytes: checked at open
  size_t done = 0;
  while (true) {
    char extra;
    char* dst = done < bytes.size() ? &bytes[done] : &extra;
    size_t n = read_some(dst, done < bytes.size() ? bytes.size() - done : 1);
    if (n == 0) break;
    ZKD_CHECK(done < bytes.size(), what_, "expected ", size_, " bytes in '", path_,
              "', got a file that grew while it was read");
    done += n;
  }
  ZKD_CHECK(done == bytes.size(), what_, "expected ", size_, " bytes in '", path_, "', got ", done,
            " (the file shrank while it was read)");
  return bytes;
}

std::string read_file(const std::string& path, const char* what, uint64_t max_bytes) {
  return InputFile(path, what, max_bytes).read_all();
}

}  // namespace zkd
