// write_file_atomic and AtomicFileWriter with POSIX calls and errors that name the file.
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

// Nothing, or a regular file (not a link to one: rename would replace the link, not its target).
void expect_regular_or_nothing(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    ZKD_CHECK(errno == ENOENT, "write", "could not inspect '", path, "': ", std::strerror(errno));
    return;
  }
  ZKD_CHECK(S_ISREG(st.st_mode), "write", "expected a regular file or nothing at '", path,
            "', got ", file_kind(path, /*follow=*/false), " (only regular files are replaced)");
}
}  // namespace

AtomicFileWriter::AtomicFileWriter(const std::string& path) : path_(path), tmp_(path + ".tmp") {
  expect_regular_or_nothing(path_);
  expect_regular_or_nothing(tmp_);
  ::unlink(tmp_.c_str());  // a stale temporary from a crash
  // O_EXCL | O_NOFOLLOW: a FIFO, device or link put at tmp since the check is never opened.
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  ZKD_CHECK(fd_ >= 0, "write", "could not create '", tmp_, "': ", std::strerror(errno));
  struct stat st;
  if (::fstat(fd_, &st) == 0) dev_ = st.st_dev, ino_ = st.st_ino;
}

bool AtomicFileWriter::temporary_is_mine() const {
  struct stat st;
  return ::lstat(tmp_.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         static_cast<uint64_t>(st.st_dev) == dev_ && static_cast<uint64_t>(st.st_ino) == ino_;
}

AtomicFileWriter::~AtomicFileWriter() {
  abandon();
}

void AtomicFileWriter::abandon() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  if (temporary_is_mine()) ::unlink(tmp_.c_str());  // never another writer's
}

void AtomicFileWriter::append(const char* data, size_t size) {
  ZKD_CHECK(fd_ >= 0, "write", "'", tmp_, "' is closed (appended after commit or a failure)");
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd_, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      abandon();
      ZKD_FAIL("write", "could not write '", tmp_, "': ", std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  ZKD_CHECK(fd_ >= 0, "write", "'", tmp_, "' is closed (committed twice or after a failure)");
  const int fd = fd_;
  fd_ = -1;
  const bool mine = temporary_is_mine();
  int e = ::fsync(fd) != 0 ? errno : 0;
  if (::close(fd) != 0 && e == 0) e = errno;  // closed whatever fsync said
  if (e != 0) {
    if (mine) ::unlink(tmp_.c_str());
    ZKD_FAIL("write", "could not flush '", tmp_, "': ", std::strerror(e));
  }
  // A second writer of the same path (its constructor removed our temporary and made its own)
  // must not have its half-written file renamed into place.
  ZKD_CHECK(mine, "write", "expected '", tmp_, "' to be the file written for '", path_,
            "', got another (a second writer of the same path?); '", path_, "' is unchanged");
  // Checked again just before the rename (the window left is the rename itself).
  try {
    expect_regular_or_nothing(path_);
  } catch (...) {
    ::unlink(tmp_.c_str());
    throw;
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp_.c_str());
    ZKD_FAIL("write", "could not rename '", tmp_, "' to '", path_, "': ", std::strerror(e));
  }
  int dfd = ::open(folder_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  AtomicFileWriter w(path);
  w.append(bytes);
  w.commit();
}

}  // namespace zkd
