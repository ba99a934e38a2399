// write_file_atomic / read_file with POSIX calls and errors that name the file.
#include "engine/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/core/error.h"

namespace zkd {

namespace {
std::string folder_of(const std::string& path) {
  size_t s = path.find_last_of('/');
  return s == std::string::npos ? "." : (s == 0 ? "/" : path.substr(0, s));
}
}  // namespace

void write_file_atomic(const std::string& path, const std::string& bytes) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ZKD_CHECK(fd >= 0, "write", "could not create '", tmp, "': ", std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      ZKD_FAIL("write", "could not write '", tmp, "': ", std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    ZKD_FAIL("write", "could not flush '", tmp, "': ", std::strerror(e));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    ZKD_FAIL("write", "could not rename '", tmp, "' to '", path, "': ", std::strerror(e));
  }
  int dfd = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

namespace {
const char* kind(mode_t m) {
  return S_ISREG(m)                 ? "a regular file"
         : S_ISDIR(m)               ? "a directory"
         : S_ISFIFO(m)              ? "a FIFO"
         : S_ISCHR(m) || S_ISBLK(m) ? "a device"
         : S_ISSOCK(m)              ? "a socket"
                                    : "not a regular file";
}
}  // namespace

std::string file_kind(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return errno == ENOENT ? "no such file or directory" : std::strerror(errno);
  return kind(st.st_mode);
}

std::string read_file(const std::string& path, const char* what, uint64_t max_bytes) {
  struct stat st;
  ZKD_CHECK(::stat(path.c_str(), &st) == 0, what, "could not open '", path,
            "': ", std::strerror(errno));
  ZKD_CHECK(S_ISREG(st.st_mode), what, "expected a regular file at '", path, "', got ",
            kind(st.st_mode));
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  ZKD_CHECK(fd >= 0, what, "could not open '", path, "': ", std::strerror(errno));
  std::string bytes;
  try {
    // Checked again on the open file: the path may have been replaced since the stat.
    ZKD_CHECK(::fstat(fd, &st) == 0 && S_ISREG(st.st_mode), what, "expected a regular file at '",
              path, "', got ", kind(st.st_mode));
    uint64_t size = static_cast<uint64_t>(st.st_size);
    ZKD_CHECK(size <= max_bytes, what, "expected at most ", max_bytes, " bytes in '", path,
              "', got ", size);
    bytes.resize(static_cast<size_t>(size));
    size_t done = 0;
    while (true) {
      char extra;
      char* dst = done < bytes.size() ? &bytes[done] : &extra;
      size_t want = done < bytes.size() ? bytes.size() - done : 1;
      ssize_t n = ::read(fd, dst, want);
      if (n < 0 && errno == EINTR) continue;
      ZKD_CHECK(n >= 0, what, "could not read '", path, "': ", std::strerror(errno));
      if (n == 0) break;
      ZKD_CHECK(done < bytes.size(), what, "expected ", size, " bytes in '", path,
                "', got a file that grew while it was read");
      done += static_cast<size_t>(n);
    }
    ZKD_CHECK(done == bytes.size(), what, "expected ", size, " bytes in '", path, "', got ", done,
              " (the file shrank while it was read)");
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return bytes;
}

}  // namespace zkd
