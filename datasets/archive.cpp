// read_archive on libarchive's tar reader (other formats and filters are not enabled: the input
// is untrusted). gzip is undone first by gunzip, which checks each member's CRC-32 and length
// (libarchive's filter does not). Sizes are checked against the limits from the header before
// any data is read, and the data read must match the header's size.
#include "datasets/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "datasets/gzip.h"
#include "engine/core/checked.h"
#include "engine/core/error.h"

namespace zkd::data {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string base_name(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

const ArchiveMember* find_member(const std::vector<ArchiveMember>& members,
                                 const std::string& base) {
  for (const ArchiveMember& m : members)
    if (base_name(m.name) == base) return &m;
  return nullptr;
}

namespace {

// A path that stays inside the folder it is unpacked to: relative, no '..' component.
bool safe_path(const std::string& p) {
  if (p.empty() || p[0] == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    if (p.compare(start, end - start, "..") == 0 && end - start == 2) return false;
    start = end + 1;
  }
  return true;
}

const char* type_name(mode_t type) {
  switch (type) {
    case AE_IFLNK:
      return "a symbolic link";
    case AE_IFCHR:
      return "a character device";
    case AE_IFBLK:
      return "a block device";
    case AE_IFIFO:
      return "a FIFO";
    case AE_IFSOCK:
      return "a socket";
    default:
      return "an entry of unknown type";
  }
}

}  // namespace

std::vector<ArchiveMember> read_archive(const std::string& bytes,
                                        const std::vector<std::string>& wanted,
                                        const std::string& origin, const ArchiveLimits& limits) {
  const std::string op = "archive '" + origin + "'";
  std::string tar;
  if (is_gzip(bytes)) {
    // The tar around the members: a header (pax: up to 8 KiB with its records) and padding per
    // entry, and the end blocks rounded up to a 10 KiB record.
    uint64_t cap = checked_add(
        limits.max_total_bytes,
        checked_mul(checked_add(limits.max_entries, 1, op, "entries"), 8192, op, "tar overhead"),
        op, "a tar size");
    tar = gunzip(bytes, origin, checked_add(cap, 10240, op, "a tar size"));
  }
  const std::string& plain = is_gzip(bytes) ? tar : bytes;
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  ZKD_CHECK(a != nullptr, op, "expected libarchive to start, got out of memory");
  archive_read_support_format_tar(a.get());
  auto why = [&] {
    const char* s = archive_error_string(a.get());
    return std::string(s ? s : "unknown error");
  };
  ZKD_CHECK(archive_read_open_memory(a.get(), plain.data(), plain.size()) == ARCHIVE_OK, op,
            "expected a tar or tar.gz archive, got one libarchive cannot open (", why(), ")");
  std::vector<ArchiveMember> out;
  uint64_t entries = 0, total = 0;
  while (true) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    ZKD_CHECK(rc == ARCHIVE_OK || rc == ARCHIVE_WARN, op, "expected a complete tar archive, got ",
              "a bad header after ", entries, " entries (", why(), ")");
    ZKD_CHECK(++entries <= limits.max_entries, op, "expected at most ", limits.max_entries,
              " entries, got more");
    const char* raw_name = archive_entry_pathname(e);
    std::string name = raw_name ? raw_name : "";
    ZKD_CHECK(safe_path(name), op, "expected relative paths inside the archive, got '", name, "'");
    ZKD_CHECK(archive_entry_hardlink(e) == nullptr, op, "expected no links, got '", name,
              "', a hard link to '", archive_entry_hardlink(e), "'");
    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFDIR) continue;
    ZKD_CHECK(type == AE_IFREG, op, "expected regular files and folders, got '", name, "', ",
              type_name(type));
    ZKD_CHECK(archive_entry_size_is_set(e) && archive_entry_size(e) >= 0, op,
              "expected a size for '", name, "', got none");
    uint64_t size = static_cast<uint64_t>(archive_entry_size(e));
    ZKD_CHECK(size <= limits.max_member_bytes, op, "expected members of at most ",
              limits.max_member_bytes, " bytes, got '", name, "' of ", size);
    total += size;  // no overflow: both terms are at most 2^63 before this check
    ZKD_CHECK(total <= limits.max_total_bytes, op, "expected at most ", limits.max_total_bytes,
              " bytes in all, got more at '", name, "'");
    bool keep = wanted.empty();
    for (const std::string& w : wanted) keep = keep || base_name(name) == w;
    if (!keep) {
      ZKD_CHECK(archive_read_data_skip(a.get()) == ARCHIVE_OK, op, "expected the data of '", name,
                "', got ", why());
      continue;
    }
    ZKD_CHECK(wanted.empty() || find_member(out, base_name(name)) == nullptr, op, "expected one ",
              base_name(name), ", got a second at '", name, "'");
    ArchiveMember m{name, std::string(static_cast<size_t>(size), '\0')};
    size_t done = 0;
    while (done < m.bytes.size()) {
      la_ssize_t n = archive_read_data(a.get(), &m.bytes[done], m.bytes.size() - done);
      ZKD_CHECK(n > 0, op, "expected ", size, " bytes of '", name, "', got ", done,
                n < 0 ? " (" + why() + ")" : std::string(" (truncated archive)"));
      done += static_cast<size_t>(n);
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace zkd::data
